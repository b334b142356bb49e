"""Varied, realistic image titles and descriptions for the benchmarks.

Words follow a Zipf-like spread (a few very common, a long tail of rare ones),
with accents, place names and short words, so that "common word", "rare word"
and "prefix" queries behave as they would on a real library.
"""

import random


def _words(text):
    return tuple(text.split())


SUBJECTS = _words(
    """
sunset sunrise beach harbour mountain lake river forest meadow city street
bridge cathedral market garden portrait family wedding birthday dog cat horse
bird flowers tree snow rain storm fog skyline night lights boat train car
bicycle café kitchen breakfast dinner picnic festival concert museum castle
village island desert waterfall glacier canyon valley field vineyard orchard
lighthouse pier cliff dune child grandmother grandfather friends team office
classroom library station airport harvest tractor barn sheep cow goat chickens
pumpkin apple cherry blossom tulip rose sunflower lavender poppy fern moss
mushroom pine oak maple birch willow palm cactus ocean wave surf sailboat kayak
canoe harbourfront marina fisherman nets lobster parade fireworks lantern candle
fireplace cabin tent campfire hammock sunbeam rainbow moon stars aurora eclipse
comet sky cloud thunder lightning puddle umbrella window doorway staircase
rooftop balcony courtyard fountain statue mural graffiti alley tram bus taxi
subway highway crossroads tunnel dam windmill farmhouse cottage chapel temple
mosque pagoda shrine palace fortress ruins tower clocktower wall gate arch
square
"""
)
ADJECTIVES = _words(
    """
golden misty quiet busy old new small tall bright dark blue green red autumn
winter spring summer early late warm cold wet frozen sunny cloudy hazy calm wild
empty crowded ancient modern rustic colourful faded soft sharp distant close
"""
)
PLACES = _words(
    """
Paris Lyon Saint-Malo Zürich Genève München Kraków Łódź Reykjavík Tromsø Málaga
Sevilla Córdoba Lisboa Porto Göteborg Malmö Bordeaux Nice Annecy Chamonix Kyoto
Osaka Québec Montréal São-Paulo Bogotá Mérida Oaxaca Cusco Valparaíso Dubrovnik
Split Ljubljana Bled Hallstatt Salzburg Bergen Ålesund Tórshavn Nuuk Galway
Dingle Edinburgh Skye Oban Cardiff Bath York Whitby Cornwall Brighton Dover
Antwerp Ghent
"""
)
VERBS = _words(
    """
walking waiting playing sleeping running reading cooking swimming climbing
sailing laughing dancing painting fishing watching
"""
)
SHORT = _words(
    """
at by on in to of up ox ai tv 3d uv go
"""
)
FILLER = _words(
    """
the a with and near under over after before during between from through along
across beside behind
"""
)


class Corpus:
    """Deterministic text for row ``i`` (same seed, same library)."""

    def __init__(self, seed=5):
        self.random = random.Random(seed)
        # Rare words: a long tail of made-up but pronounceable names, each
        # appearing in a handful of rows.
        syllables = ["ka", "lo", "mi", "ren", "tus", "vel", "dra", "quo", "zin", "pha"]
        rng = random.Random(seed + 1)
        self.rare = sorted({"".join(rng.choices(syllables, k=4)) for _ in range(20000)})

    def _zipf(self, words, s=1.0, head=10):
        # ``head`` flattens the top so the most common word is in a few
        # percent of rows, as in a real library, not in half of them.
        weights = [1 / (rank + head) ** s for rank in range(len(words))]
        return lambda k: self.random.choices(words, weights=weights, k=k)

    def rows(self, count):
        subject = self._zipf(SUBJECTS)
        adjective = self._zipf(ADJECTIVES)
        place = self._zipf(PLACES, head=3)
        rng = self.random
        for i in range(count):
            title = f"{adjective(1)[0].capitalize()} {subject(1)[0]}"
            if rng.random() < 0.6:
                title += f" in {place(1)[0]}"
            if rng.random() < 0.15:
                title += f" {rng.choice(SHORT)}"
            sentence = [
                rng.choice(FILLER).capitalize(),
                *adjective(2),
                *subject(2),
                rng.choice(VERBS),
                rng.choice(FILLER),
                *place(1),
            ]
            if rng.random() < 0.3:
                sentence.append(rng.choice(self.rare))
            if rng.random() < 0.3:
                sentence += [rng.choice(FILLER), *subject(1), rng.choice(SHORT)]
            description = " ".join(sentence) + "."
            yield i, title, description

"""Turning what a person typed into search terms, safely.

The raw query never reaches a database's query language: it is cut into
words (runs of letters and digits, in any script) and quoted phrases, and each
backend builds its own query from these plain words. Punctuation and
operators (``"``, ``*``, ``AND``, ``-``, ``:``, ``(``…) are only separators,
so ``!!!`` simply has no terms.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings

WORD = re.compile(r"[^\W_]+")
PHRASE_OR_CHUNK = re.compile(r'"([^"]*)"?|(\S+)')
MAX_WORD_LENGTH = 64


@dataclass(frozen=True)
class Term:
    """One required term: a single word or a phrase of consecutive words.
    ``prefix`` lets the last word match as a beginning (``sun`` → sunset)."""

    words: tuple[str, ...]
    prefix: bool = False


def fold(text):
    """Lower case without accents: how words are compared (``Café`` → cafe)."""
    if text.isascii():  # most words: nothing to decompose
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def parse_terms(query):
    """The terms of ``query``: every term is required; text in double quotes
    is a phrase; a hyphenated chunk (``Saint-Malo``) is a phrase too; the last
    bare word is a prefix. Only the first IMAGEREPO_SEARCH_MAX_TERMS count."""
    terms = []
    for match in PHRASE_OR_CHUNK.finditer(query):
        quoted, chunk = match.groups()
        words = tuple(
            fold(w)[:MAX_WORD_LENGTH] for w in WORD.findall(quoted or chunk or "")
        )
        if words:
            terms.append(Term(words, prefix=chunk is not None))
    terms = terms[: settings.IMAGEREPO_SEARCH_MAX_TERMS]
    # Only the last term is still being typed; earlier ones are whole words.
    return [
        Term(t.words, prefix=t.prefix and i == len(terms) - 1)
        for i, t in enumerate(terms)
    ]

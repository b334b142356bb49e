"""Marking the words a search matched, without ever trusting the text."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .terms import WORD, fold


def _matcher(terms):
    """Whether a folded word matches one of ``terms``: one of its words, or
    the beginning of a word for a prefix term."""
    words = {word for term in terms for word in term.words}
    prefixes = tuple(term.words[-1] for term in terms if term.prefix)
    return lambda folded: folded in words or folded.startswith(prefixes)


def covers(text, terms):
    """Whether every term has a matching word in ``text``."""
    found = [fold(m.group()) for m in WORD.finditer(text)]
    return all(any(map(_matcher([term]), found)) for term in terms)


def highlight(text, terms):
    """``text`` as HTML with every matched word in ``<mark>``. Each piece is
    escaped on its own, so markup in a title can never become markup here."""
    matches = _matcher(terms)
    pieces, start = [], 0
    for match in WORD.finditer(text):
        if matches(fold(match.group())):
            pieces.append(escape(text[start : match.start()]))
            pieces.append(f"<mark>{escape(match.group())}</mark>")
            start = match.end()
    pieces.append(escape(text[start:]))
    return mark_safe("".join(pieces))


def excerpt(text, terms, width=120):
    """About ``width`` characters of ``text`` around its first matched word,
    highlighted; empty when nothing in ``text`` matched."""
    matches = _matcher(terms)
    first = next((m for m in WORD.finditer(text) if matches(fold(m.group()))), None)
    if first is None:
        return ""
    begin = max(0, first.start() - width // 3)
    end = begin + width
    # Cut between words, never inside one (the matched word stays whole).
    if begin:
        space = text.find(" ", begin, first.start())
        begin = space + 1 if space != -1 else first.start()
    if end < len(text):
        space = text.rfind(" ", first.end(), end)
        end = space if space != -1 else max(end, first.end())
    piece = text[begin:end]
    prefix = "…" if begin else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(f"{escape(prefix)}{highlight(piece, terms)}{escape(suffix)}")

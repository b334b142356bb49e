"""Marking the words a search matched, without ever trusting the text."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .terms import WORD, fold


def _matches(word, terms):
    folded = fold(word)
    for term in terms:
        *whole, last = term.words
        if folded in whole or folded == last:
            return True
        if term.prefix and folded.startswith(last):
            return True
    return False


def covers(text, terms):
    """Whether every term has a matching word in ``text``."""
    found = [m.group() for m in WORD.finditer(text)]
    return all(any(_matches(word, [term]) for word in found) for term in terms)


def highlight(text, terms):
    """``text`` as HTML with every matched word in ``<mark>``. Each piece is
    escaped on its own, so markup in a title can never become markup here."""
    pieces, start = [], 0
    for match in WORD.finditer(text):
        if _matches(match.group(), terms):
            pieces.append(escape(text[start : match.start()]))
            pieces.append(f"<mark>{escape(match.group())}</mark>")
            start = match.end()
    pieces.append(escape(text[start:]))
    return mark_safe("".join(pieces))


def excerpt(text, terms, width=120):
    """About ``width`` characters of ``text`` around its first matched word,
    highlighted; empty when nothing in ``text`` matched."""
    first = next((m for m in WORD.finditer(text) if _matches(m.group(), terms)), None)
    if first is None:
        return ""
    begin = max(0, first.start() - width // 3)
    piece = text[begin : begin + width]
    prefix = "…" if begin else ""
    suffix = "…" if begin + width < len(text) else ""
    return mark_safe(f"{escape(prefix)}{highlight(piece, terms)}{escape(suffix)}")

"""Ranked search pages: title matches first, then the rest, newest first.

Ranking is by tier, not by a score: a score (bm25, ts_rank) must be computed
for every match before the first page can be shown, a cost that grows with
the library, while a tier is an index query that stops at the page. Each
tier lists the newest images first.
"""

from django.conf import settings

from ..pagination import NEWEST, KeysetPage, encode_cursor, newest_key, read_cursor
from .terms import parse_terms

TIERS = ("title", "elsewhere")


def tier(value):
    """A cursor item as a tier number."""
    if type(value) is not int or not 0 <= value < len(TIERS):
        raise ValueError("not a tier")
    return value


def _start(cursor):
    """(tier, key) to resume after, or (0, None) for the first page."""
    if not cursor:
        return 0, None
    first_tier, *position = read_cursor(cursor, (tier, *NEWEST))
    return first_tier, position


def first_matches(backend, queryset, terms, scope, position, limit):
    """Up to ``limit`` images of one tier after ``position`` (the last
    image's date and id, or None), in tier order. A backend may read them its own way
    (PostgreSQL does); otherwise they are a slice of its ``matching``."""
    if hasattr(backend, "first_matches"):
        return backend.first_matches(queryset, terms, scope, position, limit)
    matches = queryset.search(terms, scope=scope)
    if position:
        matches = backend.after(matches, position, scope)
    return list(matches[:limit])


def count_matches(queryset, query, cap):
    """How many images of ``queryset`` match ``query``, counting no further
    than ``cap + 1``: "1,000+" reads as well as an exact figure."""
    from . import backend_for

    terms = parse_terms(query)
    if not terms:
        return 0
    backend = backend_for(queryset.db)
    if hasattr(backend, "count_matches"):
        return backend.count_matches(queryset, terms, cap)
    return queryset.search(terms)[: cap + 1].count()


def ranked_page(queryset, query, cursor, size=None):
    """The ``size`` best images of ``queryset`` for ``query`` after ``cursor``.
    Raises ``gallery.pagination.InvalidCursor``."""
    from . import backend_for

    size = size or settings.IMAGEREPO_GALLERY_PAGE_SIZE
    terms = parse_terms(query)
    backend = backend_for(queryset.db)
    first_tier, position = _start(cursor)
    found = []
    for number in range(first_tier, len(TIERS)) if terms else ():
        at = position if number == first_tier else None
        matches = first_matches(
            backend, queryset, terms, TIERS[number], at, size + 1 - len(found)
        )
        found += [(number, image) for image in matches]
        if len(found) > size:
            break
    items = [image for _, image in found[:size]]
    next_cursor = None
    if len(found) > size:
        number, last = found[size - 1]
        next_cursor = encode_cursor([number, *newest_key(last)])
    return KeysetPage(items, next_cursor)

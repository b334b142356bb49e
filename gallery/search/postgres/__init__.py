"""PostgreSQL backend: stored tsvector columns, each with a GIN index.

``schema``: the text search configuration, the columns and their indexes.
``query``: what people typed as a tsquery, and ``matching`` for querysets.
``pages``: the newest matches for a page or a count, read in a way that
stays fast for rare and common words alike (PostgreSQL's own plan for a
search with a LIMIT can read the whole table).
"""

from .pages import count_matches, first_matches
from .query import matching
from .schema import is_in_step, rebuild

__all__ = [
    "count_matches",
    "first_matches",
    "is_in_step",
    "matching",
    "rebuild",
]

"""Full-text search: one ``ImageQuerySet.search(q)``, a backend per database.

SQLite uses FTS5 indexes (gallery.search.sqlite), PostgreSQL stored
tsvector columns with GIN indexes (gallery.search.postgres); any other
database falls back to ``icontains`` (gallery.search.plain). Every backend
offers ``matching``, ``rebuild`` and ``is_in_step`` (an integrity check),
and either ``after`` (a scope's matches past a cursor's position: the last
image's date and id) or ``first_matches`` and ``count_matches``, which read
pages and counts its own way (PostgreSQL: its plan for a slice of
``matching`` can read the whole table); ranked pages and counts go through
gallery.search.ranking.
"""

from importlib import import_module

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from .ranking import count_matches, ranked_page
from .terms import Term, fold, parse_terms

BACKENDS = {"sqlite": "sqlite", "postgresql": "postgres"}

__all__ = [
    "Term",
    "backend_for",
    "count_matches",
    "fold",
    "parse_terms",
    "ranked_page",
    "rebuild_search_index",
    "search_index_in_step",
]


def backend_for(using):
    """The search module for database alias ``using``."""
    vendor = connections[using].vendor
    return import_module(f"{__name__}.{BACKENDS.get(vendor, 'plain')}")


def search_index_in_step(using=DEFAULT_DB_ALIAS):
    """Whether the search index matches the images (SQLite: FTS5's own
    integrity check). False after, say, a restore that renumbered rows:
    then :func:`rebuild_search_index` sets it right."""
    return backend_for(using).is_in_step(connections[using])


def rebuild_search_index(using=DEFAULT_DB_ALIAS):
    """Re-read every image's title and description into the search index."""
    with transaction.atomic(using=using):
        backend_for(using).rebuild(connections[using])

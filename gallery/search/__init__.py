"""Full-text search: one ``ImageQuerySet.search(q)``, a backend per database.

SQLite uses an FTS5 index (gallery.search.sqlite), PostgreSQL a weighted
tsvector with a GIN index (gallery.search.postgres); any other database falls
back to ``icontains`` (gallery.search.plain). Every backend offers the same
functions, ``matching``, ``key``, ``after`` and ``rebuild``, and ``KEY``: the
parsers of a ``key`` read back from a cursor (gallery.pagination.read_cursor).
"""

from importlib import import_module

from django.db import connections

from .ranking import ranked_page
from .terms import Term, fold, parse_terms

BACKENDS = {"sqlite": "sqlite", "postgresql": "postgres"}

__all__ = ["Term", "backend_for", "fold", "parse_terms", "ranked_page"]


def backend_for(using):
    """The search module for database alias ``using``."""
    vendor = connections[using].vendor
    return import_module(f"{__name__}.{BACKENDS.get(vendor, 'plain')}")

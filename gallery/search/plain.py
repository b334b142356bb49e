"""Fallback for databases without a search backend here: ``icontains``.

Correct (every word, title above description) but it reads every row, so it
is for small libraries only; SQLite and PostgreSQL have real indexes.
"""

from functools import reduce

from django.db.models import Q

from ..pagination import older_than


def _term(term, fields):
    text = " ".join(term.words)
    return reduce(Q.__or__, (Q(**{f"{field}__icontains": text}) for field in fields))


def matching(queryset, terms, scope):
    every = reduce(Q.__and__, (_term(t, ["title", "description"]) for t in terms))
    in_title = reduce(Q.__and__, (_term(t, ["title"]) for t in terms))
    condition = {"all": every, "title": in_title, "elsewhere": every & ~in_title}
    return queryset.filter(condition[scope]).order_by("-created_at", "-pk")


def after(queryset, position, scope):
    return older_than(queryset, position)


def rebuild(connection):
    """Nothing to rebuild: there is no index."""


def is_in_step(connection):
    """There is no index to fall out of step."""
    return True

"""The newest images matching a search, on PostgreSQL, without the LIMIT trap.

"The newest 49 matches" can be read two ways, each slow where the other is
fast:

- *walk*: read images newest first along an index and test each one against
  the query, stopping at the 49th match. A common word is found after a few
  hundred rows, but a rare or absent word reads every row.
- *gather*: fetch every match through the GIN index, then sort them. Cheap
  for a rare word, slow for a common one (a heap page per match).

PostgreSQL chooses from its estimate of how many images match, and for a
word outside its statistics (most words: they are rare) it assumes a small
fixed share of the table, so the walk looks cheap; a word with no match at
all then reads every row. So the choice is made here, from the same
estimates (EXPLAIN), and either way stops early:

- walk if the page is expected within ``SHORT_WALK`` images (a common word,
  a small audience such as one person's images, a cursor near the oldest);
- else gather if fewer than ``FEW`` matches are expected, or if a word is
  one the statistics do not hold (so rare: the estimate is only a guess).
  The planner expects few rows too, so it reads them through the GIN index;
- else walk at most ``WINDOW`` images and, if those hold too few matches,
  gather the rest among the images older than the last one walked.

A page costs at most a bounded walk plus a gather of the matches older than
it, never a walk through the whole table. Counts are exact up to the cap
where that is cheap; when PostgreSQL knows every word and expects over
``TRUSTED`` times the cap, its estimate stands for "more than the cap".
"""

import json

from django.db import connections
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from .query import UNKNOWN, condition

# Gathering a match costs several times walking past an image (a heap page
# each, plus the GIN index): a walk of SHORT_WALK images is always cheap, and
# FEW matches are as many as are worth gathering (the costs: BENCHMARKS.md,
# "Search view, 1,000,000 images").
SHORT_WALK = 5000
FEW = 5000
# A longer walk is taken only for FEW or more expected matches of known
# words, so in up to a million images a page is expected within 10,000; twice
# that leaves room before gathering the rest.
WINDOW = 20000
# An estimate this many times over the count's cap is taken as over the cap.
# For a word ANALYZE sampled, it is off by a few percent, not fourfold.
TRUSTED = 4
NEWEST_FIRST = ("-created_at", "-pk")


def first_matches(queryset, terms, scope, position, limit):
    """The ``limit`` newest images of ``queryset`` after ``position`` (a
    ``NEWEST`` position, or None) matching ``terms`` within ``scope``."""
    images = older_than(queryset, position) if position else queryset
    ids = _newest(images, terms, scope, limit, ordered=True)
    found = queryset.in_bulk(ids) if ids else {}
    return [found[pk] for pk in ids if pk in found]


def count_matches(queryset, terms, cap):
    """How many images of ``queryset`` match ``terms``, counting no further
    than ``cap + 1`` (shown as "1,000+")."""
    expected = _expected(queryset.filter(condition(terms, "all")))
    if expected > TRUSTED * (cap + 1) and _known(queryset, "all", expected):
        return cap + 1
    found = _newest(queryset, terms, "all", cap + 1, ordered=False, expected=expected)
    return len(found)


def _newest(images, terms, scope, limit, ordered, expected=None):
    """Ids of up to ``limit`` of ``images`` matching ``terms`` in ``scope``:
    the newest first if ``ordered``, else any (to count). ``expected``:
    PostgreSQL's estimate of the matches, if already known."""
    matched = condition(terms, scope)
    matches = images.filter(matched)
    if expected is None:
        expected = _expected(matches)
    audience = _expected(images)
    walk = min(audience, limit * audience / max(expected, 1))
    if walk > SHORT_WALK and (expected < FEW or not _known(images, scope, expected)):
        return _gathered(matches, limit, ordered)
    found, last = _walked(images, matched, limit)
    if len(found) == limit or last is None:
        return found
    rest = older_than(images, last).filter(matched)
    return found + _gathered(rest, limit - len(found), ordered)


def older_than(queryset, position):
    """Images after ``position`` (created_at, id) in newest-first order, as
    one row comparison: PostgreSQL seeks an index with it and estimates it
    well. (The equivalent OR of gallery.pagination.older_than is estimated
    at a tenth of the rows it keeps, which would mislead the choice above.)"""
    created_at, pk = position
    return queryset.filter(
        RawSQL(
            '("gallery_image"."created_at", "gallery_image"."id") < (%s, %s)',
            [created_at, pk],
            output_field=BooleanField(),
        )
    )


def _known(images, scope, expected):
    """Whether PostgreSQL's statistics hold every word searched for: then
    ``expected`` is at least twice its guess for a word they do not hold
    (half the share of the rarest word they do)."""
    return expected > 1.5 * _expected(images.filter(condition(UNKNOWN, scope)))


def _expected(queryset):
    """How many rows PostgreSQL expects ``queryset`` to return (EXPLAIN)."""
    [plan] = json.loads(queryset.order_by().values("pk").explain(format="json"))
    return int(plan["Plan"]["Plan Rows"])


def _walked(images, matched, limit):
    """The matches among the ``WINDOW`` newest ``images``, up to ``limit``,
    and the (created_at, id) of the last image walked if the window was
    full, else None. Rows stream: a common word stops the walk early."""
    recent = images.order_by(*NEWEST_FIRST).values("pk", "created_at", hit=matched)
    sql, params = _compiled(recent[:WINDOW])
    with _cursor(images) as cursor:
        cursor.execute(
            f"""SELECT id, created_at, hit, n = %s FROM (
                    SELECT id, created_at, hit,
                        row_number() OVER (ORDER BY created_at DESC, id DESC) AS n
                    FROM ({sql}) AS recent (id, created_at, hit)
                ) AS walked
                WHERE hit OR n = %s
                ORDER BY created_at DESC, id DESC
                LIMIT %s""",
            [WINDOW, *params, WINDOW, limit + 1],
        )
        rows = cursor.fetchall()
    found = [pk for pk, _, hit, _ in rows if hit][:limit]
    last = next(((at, pk) for pk, at, _, is_last in rows if is_last), None)
    return found, last


def _gathered(matches, limit, ordered):
    """Ids of up to ``limit`` of ``matches``. MATERIALIZED keeps PostgreSQL
    from turning this back into a walk: it plans for fetching every match
    (through the GIN index when it expects few), then sorts them."""
    sql, params = _compiled(matches.order_by().values("pk", "created_at"))
    order = "ORDER BY created_at DESC, id DESC" if ordered else ""
    with _cursor(matches) as cursor:
        cursor.execute(
            f"""WITH found (id, created_at) AS MATERIALIZED ({sql})
                SELECT id FROM found {order} LIMIT %s""",
            [*params, limit],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _compiled(queryset):
    # The SQL and parameters to nest in the raw queries above. Django has no
    # documented way to get them (str(query) inlines the parameters, and
    # Query.sql_with_params() compiles for the default database only).
    return queryset.query.get_compiler(using=queryset.db).as_sql()


def _cursor(queryset):
    return connections[queryset.db].cursor()

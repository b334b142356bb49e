"""SQLite FTS5 backend: external-content indexes kept in sync by triggers.

``gallery_image_fts`` indexes ``gallery_image.title`` and ``.description``
under the image row's ``rowid``, ``gallery_image_title_fts`` the titles
alone; the text itself stays in ``gallery_image``. Queries join an index to
the table (the index drives, the table is only looked up by rowid) so the
visibility rule never makes SQLite scan images.

Why a second index for titles: a ranked page lists the images with every
word in the title first, and a column filter on the first index reads the
word's whole list of matches to find those, however few (a word common in
descriptions, rare in titles); the titles' own index holds the title
matches alone (figures in BENCHMARKS.md).
"""

from django.db import DatabaseError, transaction
from django.db.models import Q

TABLE = "gallery_image_fts"
TITLES = "gallery_image_title_fts"
TABLES = (TABLE, TITLES)
TRIGGERS = (
    "gallery_image_fts_insert",
    "gallery_image_fts_delete",
    "gallery_image_fts_update",
)
# remove_diacritics 2: cafe finds Café. Prefix indexes make a last word of
# up to 6 letters one index lookup; without one, FTS5 merges every word that
# starts so, which grows with the library; the prefix indexes cost some disk
# (figures in BENCHMARKS.md).
_OPTIONS = (
    "content='gallery_image', content_rowid='rowid', "
    "tokenize='unicode61 remove_diacritics 2', prefix='1 2 3 4 5 6'"
)
SCHEMA = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
    f"title, description, {_OPTIONS})",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TITLES} USING fts5(title, {_OPTIONS})",
    f"""CREATE TRIGGER IF NOT EXISTS gallery_image_fts_insert
        AFTER INSERT ON gallery_image BEGIN
        INSERT INTO {TABLE}(rowid, title, description)
        VALUES (new.rowid, new.title, new.description);
        INSERT INTO {TITLES}(rowid, title) VALUES (new.rowid, new.title); END""",
    f"""CREATE TRIGGER IF NOT EXISTS gallery_image_fts_delete
        AFTER DELETE ON gallery_image BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, title, description)
        VALUES ('delete', old.rowid, old.title, old.description);
        INSERT INTO {TITLES}({TITLES}, rowid, title)
        VALUES ('delete', old.rowid, old.title); END""",
    f"""CREATE TRIGGER IF NOT EXISTS gallery_image_fts_update
        AFTER UPDATE OF title, description ON gallery_image BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, title, description)
        VALUES ('delete', old.rowid, old.title, old.description);
        INSERT INTO {TABLE}(rowid, title, description)
        VALUES (new.rowid, new.title, new.description);
        INSERT INTO {TITLES}({TITLES}, rowid, title)
        VALUES ('delete', old.rowid, old.title);
        INSERT INTO {TITLES}(rowid, title) VALUES (new.rowid, new.title); END""",
]


def install(connection):
    """Create the indexes and their triggers, then index every existing image."""
    with connection.cursor() as cursor:
        # A trigger made by older code would keep the first index alone.
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        for statement in SCHEMA:
            cursor.execute(statement)
    rebuild(connection)


def rebuild(connection):
    """Re-read every title and description from ``gallery_image``."""
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")


def is_in_step(connection):
    """Whether the indexes hold exactly the words of each image under that
    image's rowid. A plain ``.dump`` and reload renumbers gallery_image's
    rowids but keeps the indexes', so words would match the wrong images
    (a private image's words, a public one) until ``rebuild``."""
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            for table in TABLES:
                # rank 1: also compare the index with the table's text.
                cursor.execute(
                    f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)"
                )
    except DatabaseError:
        return False
    return True


def is_installed(connection):
    """Whether the first index exists (the migration has run)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [TABLE])
        return cursor.fetchone() is not None


def is_complete(connection):
    """Whether both indexes and all three triggers exist, the triggers
    keeping both. Django rebuilds a SQLite table to alter a column, which
    drops its triggers and renumbers its rows, and a database taken back
    before the titles' index has triggers for the first alone: then the
    indexes must be installed again (see gallery.apps)."""
    names = [*TABLES, *TRIGGERS]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE name IN (%s, %s, %s, %s, %s)",
            names,
        )
        found = dict(cursor.fetchall())
    return set(found) == set(names) and all(TITLES in found[t] for t in TRIGGERS)


# ---------------------------------------------------------------- queries


def _term(term):
    phrase = '"' + " ".join(term.words) + '"'
    return phrase + "*" if term.prefix else phrase


def index_for(scope):
    """The index a ``scope`` is read from: the titles' own for "title"."""
    return TITLES if scope == "title" else TABLE


def expression(terms, scope):
    """The FTS5 query for ``terms`` (plain words, quoted, so no operator a
    person typed can reach FTS5) in the index of ``scope``: "all", "title"
    (every term in the title) or "elsewhere" (matches, but not all in the
    title)."""
    every = " AND ".join(_term(t) for t in terms)
    return {
        "all": every,
        "title": every,
        "elsewhere": f"({every}) NOT {{title}} : ({every})",
    }[scope]


def matching(queryset, terms, scope):
    """``queryset`` narrowed to images matching ``terms``, newest-indexed
    first. ``extra()`` puts the index in the FROM clause: as a join the index
    drives the query and stops at the page; as a ``rowid IN (subquery)`` SQLite
    would first collect every match.

    The ``+`` keeps the index from being the inner loop: otherwise SQLite may
    walk the visibility index and run the full-text query once per image
    (worst for a count, which has no ORDER BY to steer the plan)."""
    index = index_for(scope)
    return queryset.extra(
        tables=[index],
        where=[f"+{index}.rowid = gallery_image.rowid", f"{index} MATCH %s"],
        params=[expression(terms, scope)],
        order_by=[f"-{index}.rowid"],
    )


def after(queryset, position, scope):
    """Only images after ``position`` (the last image's date and id) in the
    order of ``matching`` for ``scope``, which is rowid order. A cursor holds
    no rowid: rowids count every image ever added, hidden ones too. The
    bound is the rowid of that image or, if it was deleted meanwhile, of the
    next newer one still there (rowids grow with the creation time), so
    paging goes on from where the last page ended either way."""
    created_at, pk = position
    bound = (
        queryset.model._default_manager.using(queryset.db)
        .filter(created_at__gte=created_at)
        .filter(Q(created_at__gt=created_at) | Q(pk__gte=pk))
        .order_by("created_at", "pk")
        .extra(select={"row": "gallery_image.rowid"})
        .values_list("row", flat=True)
        .first()
    )
    if bound is None:
        return queryset
    # On the index's rowid, which FTS5 starts its walk from.
    return queryset.extra(where=[f"{index_for(scope)}.rowid < %s"], params=[bound])

"""SQLite FTS5 backend: an external-content index kept in sync by triggers.

``gallery_image_fts`` indexes ``gallery_image.title`` and ``.description``
under the image row's ``rowid``; the text itself stays in ``gallery_image``.
Queries join the index to the table (the index drives, the table is only
looked up by rowid) so the visibility rule never makes SQLite scan images.
"""

from django.db import DatabaseError, transaction
from django.db.models import Q

TABLE = "gallery_image_fts"
TRIGGERS = (
    "gallery_image_fts_insert",
    "gallery_image_fts_delete",
    "gallery_image_fts_update",
)
SCHEMA = [
    # remove_diacritics 2: cafe finds Café. Prefix indexes make a last word
    # of up to 6 letters one index lookup; without one, FTS5 merges every
    # word that starts so, which grows with the library; the prefix indexes
    # cost some disk (figures in BENCHMARKS.md).
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(
        title, description, content='gallery_image', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2', prefix='1 2 3 4 5 6')""",
    f"""CREATE TRIGGER IF NOT EXISTS gallery_image_fts_insert
        AFTER INSERT ON gallery_image BEGIN
        INSERT INTO {TABLE}(rowid, title, description)
        VALUES (new.rowid, new.title, new.description); END""",
    f"""CREATE TRIGGER IF NOT EXISTS gallery_image_fts_delete
        AFTER DELETE ON gallery_image BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, title, description)
        VALUES ('delete', old.rowid, old.title, old.description); END""",
    f"""CREATE TRIGGER IF NOT EXISTS gallery_image_fts_update
        AFTER UPDATE OF title, description ON gallery_image BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, title, description)
        VALUES ('delete', old.rowid, old.title, old.description);
        INSERT INTO {TABLE}(rowid, title, description)
        VALUES (new.rowid, new.title, new.description); END""",
]


def install(connection):
    """Create the index and its triggers, then index every existing image."""
    with connection.cursor() as cursor:
        for statement in SCHEMA:
            cursor.execute(statement)
    rebuild(connection)


def rebuild(connection):
    """Re-read every title and description from ``gallery_image``."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")


def is_in_step(connection):
    """Whether the index holds exactly the words of each image under that
    image's rowid. A plain ``.dump`` and reload renumbers gallery_image's
    rowids but keeps the index's, so words would match the wrong images
    (a private image's words, a public one) until ``rebuild``."""
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            # rank 1: also compare the index with the table's text.
            cursor.execute(
                f"INSERT INTO {TABLE}({TABLE}, rank) VALUES ('integrity-check', 1)"
            )
    except DatabaseError:
        return False
    return True


def is_installed(connection):
    """Whether the index table exists (the migration has run)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [TABLE])
        return cursor.fetchone() is not None


def is_complete(connection):
    """Whether the index and all three triggers exist. Django rebuilds a
    SQLite table to alter a column, which drops its triggers and renumbers
    its rows: then the index must be installed again (see gallery.apps)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name = %s OR name IN (%s, %s, %s)",
            [TABLE, *TRIGGERS],
        )
        return len(cursor.fetchall()) == 1 + len(TRIGGERS)


# ---------------------------------------------------------------- queries


def _term(term):
    phrase = '"' + " ".join(term.words) + '"'
    return phrase + "*" if term.prefix else phrase


def expression(terms, scope):
    """The FTS5 query for ``terms`` (plain words, quoted, so no operator a
    person typed can reach FTS5). ``scope``: "all", "title" (every term in
    the title) or "elsewhere" (matches, but not all in the title)."""
    every = " AND ".join(_term(t) for t in terms)
    in_title = f"{{title}} : ({every})"
    return {
        "all": every,
        "title": in_title,
        "elsewhere": f"({every}) NOT {in_title}",
    }[scope]


def matching(queryset, terms, scope):
    """``queryset`` narrowed to images matching ``terms``, newest-indexed
    first. ``extra()`` puts the index in the FROM clause: as a join the index
    drives the query and stops at the page; as a ``rowid IN (subquery)`` SQLite
    would first collect every match.

    The ``+`` keeps the index from being the inner loop: otherwise SQLite may
    walk the visibility index and run the full-text query once per image
    (worst for a count, which has no ORDER BY to steer the plan)."""
    return queryset.extra(
        tables=[TABLE],
        where=[f"+{TABLE}.rowid = gallery_image.rowid", f"{TABLE} MATCH %s"],
        params=[expression(terms, scope)],
        order_by=[f"-{TABLE}.rowid"],
    )


def after(queryset, position):
    """Only images after ``position`` (the last image's date and id) in
    ``matching`` order, which is rowid order. A cursor holds no rowid: rowids
    count every image ever added, hidden ones too. The bound is the rowid of
    that image or, if it was deleted meanwhile, of the next newer one still
    there (rowids grow with the creation time), so paging goes on from where
    the last page ended either way."""
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
    return queryset.extra(where=[f"{TABLE}.rowid < %s"], params=[bound])

"""The library version: one row (``LibraryVersion``) that database triggers
change on every write to ``gallery_image``, whoever makes it: the ORM, a
``bulk_create`` or ``queryset.update()``, the admin, the API, an import's
raw SQL, a shell. The change is part of the writing transaction, so the new
version becomes visible in the same instant as the write it stands for.

Reading it is one primary-key lookup (:func:`current`); gallery.result_cache
keys its pages on it. A page is kept under version V only if V was current
both before and after it was computed: no write committed in between, so it
holds exactly the library at V, and any later write makes a new version.

SQLite has row triggers only: one bump per row written. PostgreSQL bumps once
per statement (and on TRUNCATE), *before* the statement touches any image, so
two writing transactions queue on the version row instead of each holding
image rows the other wants (a deadlock). Its trigger function keeps the
schema path it was made with: a writer with another ``search_path`` (a
``pg_dump --data-only`` restore sets it empty; a second site's schema first)
still bumps this site's version.
"""

from django.db import DEFAULT_DB_ALIAS, connections

TABLE = "gallery_libraryversion"
VENDORS = ("sqlite", "postgresql")
SQLITE_TRIGGERS = {
    "gallery_image_version_insert": "INSERT",
    "gallery_image_version_update": "UPDATE",
    "gallery_image_version_delete": "DELETE",
}
POSTGRES_TRIGGER = "gallery_image_version"
POSTGRES_FUNCTION = "gallery_library_version_bump"


def _bump(random_token):
    # An upsert: a test-suite flush (or a hand-made DELETE) may have removed
    # the row; the next write brings it back. The token is new each time, so
    # a write that is rolled back (whose transaction may have cached a grid
    # showing it) never hands its version to a later one.
    return (
        f"INSERT INTO {TABLE} (id, writes, token) VALUES (1, 1, {random_token}) "
        f"ON CONFLICT (id) DO UPDATE SET writes = {TABLE}.writes + 1, "
        "token = excluded.token"
    )


SQLITE_BUMP = _bump("random()")
POSTGRES_BUMP = _bump("floor(random() * 9e18)::bigint")


def _schema(vendor):
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON gallery_image "
            f"BEGIN {SQLITE_BUMP}; END"
            for name, event in SQLITE_TRIGGERS.items()
        ]
    return [
        f"""CREATE OR REPLACE FUNCTION {POSTGRES_FUNCTION}() RETURNS trigger
            LANGUAGE plpgsql SET search_path FROM CURRENT
            AS $$ BEGIN {POSTGRES_BUMP}; RETURN NULL; END $$""",
        f"DROP TRIGGER IF EXISTS {POSTGRES_TRIGGER} ON gallery_image",
        f"""CREATE TRIGGER {POSTGRES_TRIGGER}
            BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON gallery_image
            FOR EACH STATEMENT EXECUTE FUNCTION {POSTGRES_FUNCTION}()""",
    ]


def bump(connection):
    """Make a new version, as a write to the images does."""
    if connection.vendor not in VENDORS:
        return
    with connection.cursor() as cursor:
        cursor.execute(SQLITE_BUMP if connection.vendor == "sqlite" else POSTGRES_BUMP)


def install(connection):
    """Create the triggers and bump the version once (writes made while
    they were missing must not keep an old version's pages)."""
    if connection.vendor not in VENDORS:
        return
    with connection.cursor() as cursor:
        for statement in _schema(connection.vendor):
            cursor.execute(statement)
    bump(connection)


def uninstall(connection):
    if connection.vendor not in VENDORS:
        return
    if connection.vendor == "sqlite":
        statements = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]
    else:
        statements = [
            f"DROP TRIGGER IF EXISTS {POSTGRES_TRIGGER} ON gallery_image",
            f"DROP FUNCTION IF EXISTS {POSTGRES_FUNCTION}()",
        ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def is_complete(connection):
    """Whether every trigger exists. Django rebuilds a SQLite table to alter
    a column, which drops its triggers (gallery.apps puts them back)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            names = list(SQLITE_TRIGGERS)
            marks = ", ".join(["%s"] * len(names))
            cursor.execute(
                f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                f"AND tbl_name = 'gallery_image' AND name IN ({marks})",
                names,
            )
            return cursor.fetchone()[0] == len(names)
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname = %s "
            "AND tgrelid = 'gallery_image'::regclass",
            [POSTGRES_TRIGGER],
        )
        return cursor.fetchone()[0] == 1


def current(using=DEFAULT_DB_ALIAS):
    """``(writes, token)`` now, or ``None`` when there is no version to go
    by (a database without these triggers, or the row not yet made again
    after a flush): then nothing may be cached."""
    connection = connections[using]
    if connection.vendor not in VENDORS:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT writes, token FROM {TABLE} WHERE id = 1")
        return cursor.fetchone()

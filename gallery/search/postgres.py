"""PostgreSQL backend: weighted ``SearchVector`` over a GIN expression index.

Titles are weight A, descriptions weight B, in a text search configuration
that keeps every word (``simple``: no stop words, so "in", "ox" or "3d" are
found) and strips accents (``unaccent``), so ``cafe`` finds Café.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchVector

from ..pagination import NEWEST, newest_key, older_than

CONFIG = "imagerepo_search"
INDEX_NAME = "gallery_image_search"
VECTOR = SearchVector("title", weight="A", config=CONFIG) + SearchVector(
    "description", weight="B", config=CONFIG
)
SCHEMA = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{CONFIG}') THEN
            CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.simple);
            ALTER TEXT SEARCH CONFIGURATION {CONFIG}
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
        END IF;
    END $$""",
]


def search_index():
    return GinIndex(VECTOR, name=INDEX_NAME)


def install(schema_editor, model):
    for statement in SCHEMA:
        schema_editor.execute(statement)
    schema_editor.add_index(model, search_index())


def uninstall(schema_editor, model):
    schema_editor.remove_index(model, search_index())
    schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")


def rebuild(connection):
    """GIN indexes follow their table in PostgreSQL; a REINDEX rebuilds it."""
    with connection.cursor() as cursor:
        cursor.execute(f"REINDEX INDEX {INDEX_NAME}")


def is_complete(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [INDEX_NAME])
        return cursor.fetchone() is not None


# ---------------------------------------------------------------- queries


def _lexeme(word, weight, prefix):
    marks = ("*" if prefix else "") + weight
    return f"'{word}'" + (f":{marks}" if marks else "")


def _term(term, weight):
    *whole, last = term.words
    lexemes = [_lexeme(w, weight, False) for w in whole]
    lexemes.append(_lexeme(last, weight, term.prefix))
    return "(" + " <-> ".join(lexemes) + ")"


def tsquery(terms, scope):
    """A ``to_tsquery`` string built from plain words (letters and digits
    only, see gallery.search.terms), so nothing typed is parsed as syntax."""
    every = " & ".join(_term(t, "") for t in terms)
    in_title = " & ".join(_term(t, "A") for t in terms)
    return {
        "all": every,
        "title": in_title,
        "elsewhere": f"({every}) & !({in_title})",
    }[scope]


def matching(queryset, terms, scope):
    """``queryset`` narrowed to images matching ``terms``, newest first."""
    query = SearchQuery(tsquery(terms, scope), search_type="raw", config=CONFIG)
    return (
        queryset.alias(search_vector=VECTOR)
        .filter(search_vector=query)
        .order_by("-created_at", "-pk")
    )


KEY = NEWEST
key = newest_key
after = older_than


def is_in_step(connection):
    """A GIN index is part of its table: PostgreSQL keeps it in step."""
    return True

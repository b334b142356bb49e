# PostgreSQL search reads stored tsvector columns (title and description;
# title alone) instead of an index on an expression: testing a row no longer
# parses its text again, ANALYZE knows how common each word is in titles and
# overall, and the title tier has its own index. Adding the columns rewrites
# the image table once. SQLite is unchanged. The SQL is written out here as
# it was when this migration was made.

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

CONFIG = "imagerepo_search"
TITLE_VECTOR = f"to_tsvector('{CONFIG}'::regconfig, coalesce(title, ''))"
TEXT_VECTOR = (
    f"{TITLE_VECTOR} || to_tsvector('{CONFIG}'::regconfig, coalesce(description, ''))"
)
VECTORS = {
    "search_vector": (TEXT_VECTOR, "gallery_image_search_vector"),
    "title_vector": (TITLE_VECTOR, "gallery_image_title_vector"),
}
TEXT_INDEX = "gallery_image_search"


def use_stored_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {TEXT_INDEX}")
    schema_editor.execute(
        "ALTER TABLE gallery_image "
        + ", ".join(
            f"ADD COLUMN IF NOT EXISTS {column} tsvector"
            f" GENERATED ALWAYS AS ({vector}) STORED"
            for column, (vector, _) in VECTORS.items()
        )
    )
    for column, (_, index) in VECTORS.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON gallery_image USING gin ({column})"
        )
    # Without statistics on the new columns every word looks rare to the
    # planner (and to gallery.search.postgres.pages): gather them now.
    schema_editor.execute("ANALYZE gallery_image")


def use_text_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, (_, index) in VECTORS.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
        schema_editor.execute(
            f"ALTER TABLE gallery_image DROP COLUMN IF EXISTS {column}"
        )
    vector = SearchVector("title", weight="A", config=CONFIG) + SearchVector(
        "description", weight="B", config=CONFIG
    )
    schema_editor.add_index(
        apps.get_model("gallery", "Image"), GinIndex(vector, name=TEXT_INDEX)
    )


class Migration(migrations.Migration):

    dependencies = [
        ("gallery", "0005_library_version"),
    ]

    operations = [
        migrations.RunPython(use_stored_vectors, use_text_index),
    ]

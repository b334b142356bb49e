# PostgreSQL search reads stored tsvector columns (title and description;
# title alone) instead of an index on an expression: testing a row no longer
# parses its text again, ANALYZE knows how common each word is in titles and
# overall, and the title tier has its own index (gallery.search.postgres).
# Adding the columns rewrites the image table once. SQLite is unchanged.

from django.db import migrations


def use_stored_vectors(apps, schema_editor):
    from gallery.search.postgres import schema

    if schema_editor.connection.vendor == "postgresql":
        schema.add_vectors(schema_editor)


def use_text_index(apps, schema_editor):
    from gallery.search.postgres import schema

    if schema_editor.connection.vendor == "postgresql":
        schema.drop_vectors(schema_editor, apps.get_model("gallery", "Image"))


class Migration(migrations.Migration):

    dependencies = [
        ("gallery", "0005_library_version"),
    ]

    operations = [
        migrations.RunPython(use_stored_vectors, use_text_index),
    ]

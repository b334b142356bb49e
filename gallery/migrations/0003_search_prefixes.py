# The SQLite search index gets prefix indexes for 1 to 6 letters: FTS5
# options are fixed at creation, so the index is made again and re-read.
# (0002 as written here already makes it so; databases made before need this.)

from django.db import migrations

FTS = "gallery_image_fts"
STATEMENTS = [
    f"DROP TABLE IF EXISTS {FTS}",
    f"""CREATE VIRTUAL TABLE {FTS} USING fts5(
        title, description, content='gallery_image', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2', prefix='1 2 3 4 5 6')""",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]


def remake_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in STATEMENTS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("gallery", "0002_search"),
    ]

    operations = [
        migrations.RunPython(remake_search_index, remake_search_index),
    ]

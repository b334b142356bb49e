# Search index. It is not part of the model state: it is SQL that differs per
# database. SQLite: an FTS5 index over title and description, kept in step by
# triggers. PostgreSQL: a text search configuration without stop words that
# ignores accents, and a GIN index on the words of the text (replaced by
# stored vectors in 0006). The SQL is written out here, as it was when this
# migration was made, so that later changes to the app cannot change it.

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models

FTS = "gallery_image_fts"
SQLITE_INSTALL = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(
        title, description, content='gallery_image', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2', prefix='1 2 3 4 5 6')""",
    f"""CREATE TRIGGER IF NOT EXISTS gallery_image_fts_insert
        AFTER INSERT ON gallery_image BEGIN
        INSERT INTO {FTS}(rowid, title, description)
        VALUES (new.rowid, new.title, new.description); END""",
    f"""CREATE TRIGGER IF NOT EXISTS gallery_image_fts_delete
        AFTER DELETE ON gallery_image BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title, description)
        VALUES ('delete', old.rowid, old.title, old.description); END""",
    f"""CREATE TRIGGER IF NOT EXISTS gallery_image_fts_update
        AFTER UPDATE OF title, description ON gallery_image BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title, description)
        VALUES ('delete', old.rowid, old.title, old.description);
        INSERT INTO {FTS}(rowid, title, description)
        VALUES (new.rowid, new.title, new.description); END""",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS gallery_image_fts_insert",
    "DROP TRIGGER IF EXISTS gallery_image_fts_delete",
    "DROP TRIGGER IF EXISTS gallery_image_fts_update",
    f"DROP TABLE IF EXISTS {FTS}",
]

CONFIG = "imagerepo_search"
POSTGRES_CONFIGURATION = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{CONFIG}') THEN
            CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.simple);
            ALTER TEXT SEARCH CONFIGURATION {CONFIG}
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
        END IF;
    END $$""",
]
TEXT_INDEX = "gallery_image_search"


def text_index():
    vector = SearchVector("title", weight="A", config=CONFIG) + SearchVector(
        "description", weight="B", config=CONFIG
    )
    return GinIndex(vector, name=TEXT_INDEX)


def install_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_INSTALL:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        for statement in POSTGRES_CONFIGURATION:
            schema_editor.execute(statement)
        schema_editor.add_index(apps.get_model("gallery", "Image"), text_index())


def uninstall_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_UNINSTALL:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TEXT_INDEX}")
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")


class Migration(migrations.Migration):

    dependencies = [
        ('gallery', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='image',
            index=models.Index(fields=['owner', 'visibility', '-created_at', '-id'], name='gallery_image_own_vis_newest'),
        ),
        migrations.RunPython(install_search_index, uninstall_search_index),
    ]

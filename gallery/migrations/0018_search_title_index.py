# SQLite: the titles get an FTS5 index of their own, and the three triggers
# keep it in step beside the first. A ranked search lists the images with
# every word in the title first; a column filter on the first index reads a
# word's every match to find those, which for a word common in descriptions
# and rare in titles is most of the search's time. PostgreSQL has had a
# title vector of its own since 0006 and is unchanged. The SQL is written
# out here as it was when this migration was made.

from django.db import migrations

FTS = "gallery_image_fts"
TITLES = "gallery_image_title_fts"
TRIGGERS = (
    "gallery_image_fts_insert",
    "gallery_image_fts_delete",
    "gallery_image_fts_update",
)
DROP_TRIGGERS = [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS]
BOTH = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {TITLES} USING fts5(
        title, content='gallery_image', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2', prefix='1 2 3 4 5 6')""",
    f"""CREATE TRIGGER gallery_image_fts_insert
        AFTER INSERT ON gallery_image BEGIN
        INSERT INTO {FTS}(rowid, title, description)
        VALUES (new.rowid, new.title, new.description);
        INSERT INTO {TITLES}(rowid, title) VALUES (new.rowid, new.title); END""",
    f"""CREATE TRIGGER gallery_image_fts_delete
        AFTER DELETE ON gallery_image BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title, description)
        VALUES ('delete', old.rowid, old.title, old.description);
        INSERT INTO {TITLES}({TITLES}, rowid, title)
        VALUES ('delete', old.rowid, old.title); END""",
    f"""CREATE TRIGGER gallery_image_fts_update
        AFTER UPDATE OF title, description ON gallery_image BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title, description)
        VALUES ('delete', old.rowid, old.title, old.description);
        INSERT INTO {FTS}(rowid, title, description)
        VALUES (new.rowid, new.title, new.description);
        INSERT INTO {TITLES}({TITLES}, rowid, title)
        VALUES ('delete', old.rowid, old.title);
        INSERT INTO {TITLES}(rowid, title) VALUES (new.rowid, new.title); END""",
    f"INSERT INTO {TITLES}({TITLES}) VALUES ('rebuild')",
]
FIRST_ONLY = [
    f"DROP TABLE IF EXISTS {TITLES}",
    f"""CREATE TRIGGER gallery_image_fts_insert
        AFTER INSERT ON gallery_image BEGIN
        INSERT INTO {FTS}(rowid, title, description)
        VALUES (new.rowid, new.title, new.description); END""",
    f"""CREATE TRIGGER gallery_image_fts_delete
        AFTER DELETE ON gallery_image BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title, description)
        VALUES ('delete', old.rowid, old.title, old.description); END""",
    f"""CREATE TRIGGER gallery_image_fts_update
        AFTER UPDATE OF title, description ON gallery_image BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title, description)
        VALUES ('delete', old.rowid, old.title, old.description);
        INSERT INTO {FTS}(rowid, title, description)
        VALUES (new.rowid, new.title, new.description); END""",
]


def run(statements):
    def migrate(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in DROP_TRIGGERS + statements:
                schema_editor.execute(statement)

    return migrate


class Migration(migrations.Migration):
    dependencies = [
        ("gallery", "0017_search_vectors_split_paths"),
    ]

    operations = [
        migrations.RunPython(run(BOTH), run(FIRST_ONLY)),
    ]

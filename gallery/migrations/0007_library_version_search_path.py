# PostgreSQL: the library version's trigger function kept the schema path it
# was made with, so a writer with another search_path still found its table.
# Removed with the library version in 0008; a no-op on a new database.

from django.db import migrations

FUNCTION = """CREATE OR REPLACE FUNCTION gallery_library_version_bump()
    RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT
    AS $$ BEGIN
        INSERT INTO gallery_libraryversion (id, writes, token)
        VALUES (1, 1, floor(random() * 9e18)::bigint)
        ON CONFLICT (id) DO UPDATE SET
            writes = gallery_libraryversion.writes + 1, token = excluded.token;
        RETURN NULL;
    END $$"""


def keep_search_path(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


class Migration(migrations.Migration):

    dependencies = [
        ("gallery", "0006_search_vector_columns"),
    ]

    operations = [
        migrations.RunPython(keep_search_path, migrations.RunPython.noop),
    ]

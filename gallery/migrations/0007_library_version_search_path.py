# PostgreSQL: the library version's trigger function keeps the schema path it
# was made with (gallery.library_version), so a writer whose search_path is
# empty (a data-only restore) or starts with another site's schema still bumps
# this site's version. Made again here for databases migrated before; SQLite
# has nothing to change.

from django.db import migrations


def reinstall(apps, schema_editor):
    from gallery import library_version

    if schema_editor.connection.vendor == "postgresql":
        library_version.install(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("gallery", "0006_search_vector_columns"),
    ]

    operations = [
        migrations.RunPython(reinstall, migrations.RunPython.noop),
    ]

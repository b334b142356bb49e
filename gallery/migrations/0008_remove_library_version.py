# The page cache is gone, and with it the library version it was keyed on:
# its triggers on gallery_image first, then its table.

from django.db import migrations

DROP_TRIGGERS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS gallery_image_version_insert",
        "DROP TRIGGER IF EXISTS gallery_image_version_update",
        "DROP TRIGGER IF EXISTS gallery_image_version_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS gallery_image_version ON gallery_image",
        "DROP FUNCTION IF EXISTS gallery_library_version_bump()",
    ],
}


def drop_triggers(apps, schema_editor):
    for statement in DROP_TRIGGERS.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("gallery", "0007_library_version_search_path"),
    ]

    operations = [
        # Backwards the table comes back without triggers: nothing reads it.
        migrations.RunPython(drop_triggers, migrations.RunPython.noop),
        migrations.DeleteModel(name="LibraryVersion"),
    ]

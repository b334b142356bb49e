"""The renditions' SHA-256s, recorded when they are made."""

from django.db import migrations, models


def hash_column(name):
    """Added in place with the empty default, on SQLite and PostgreSQL
    alike: Django would rebuild a SQLite table to add a NOT NULL column, and
    a rebuild drops the search triggers."""
    return migrations.SeparateDatabaseAndState(
        database_operations=[
            migrations.RunSQL(
                f"ALTER TABLE gallery_image ADD COLUMN {name}"
                " varchar(64) NOT NULL DEFAULT ''",
                f"ALTER TABLE gallery_image DROP COLUMN {name}",
            )
        ],
        state_operations=[
            migrations.AddField(
                model_name="image",
                name=name,
                field=models.CharField(blank=True, default="", max_length=64),
            )
        ],
    )


class Migration(migrations.Migration):
    dependencies = [("gallery", "0012_trash_accounts")]

    operations = [hash_column("thumbnail_sha256"), hash_column("display_sha256")]

"""Date taken, camera and place, read from each photo's metadata."""

from django.conf import settings
from django.db import migrations, models


def text_column(name, max_length, **options):
    """A text column added in place with the empty default on SQLite and
    PostgreSQL alike: Django would rebuild a SQLite table to add a NOT NULL
    column, and a rebuild drops the search triggers."""
    field = models.CharField(max_length=max_length, blank=True, default="", **options)
    return migrations.SeparateDatabaseAndState(
        database_operations=[
            migrations.RunSQL(
                f"ALTER TABLE gallery_image ADD COLUMN {name}"
                f" varchar({max_length}) NOT NULL DEFAULT ''",
                f"ALTER TABLE gallery_image DROP COLUMN {name}",
            )
        ],
        state_operations=[
            migrations.AddField(model_name="image", name=name, field=field)
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("gallery", "0008_remove_library_version"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        text_column("camera_make", 100),
        text_column("camera_model", 100),
        text_column("lens", 100),
        text_column(
            "taken_source",
            8,
            choices=[
                ("camera", "Camera"),
                ("file", "File date (a guess)"),
                ("upload", "Upload date (a guess)"),
            ],
        ),
        migrations.AddField(
            model_name="image",
            name="exposure_time",
            field=models.FloatField(blank=True, help_text="Seconds.", null=True),
        ),
        migrations.AddField(
            model_name="image",
            name="f_number",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="image",
            name="focal_length",
            field=models.FloatField(blank=True, help_text="Millimetres.", null=True),
        ),
        migrations.AddField(
            model_name="image",
            name="iso",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="image",
            name="latitude",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="image",
            name="longitude",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="image",
            name="taken_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="image",
            name="taken_offset",
            field=models.SmallIntegerField(
                blank=True,
                help_text="The camera's minutes east of UTC, when it said.",
                null=True,
            ),
        ),
        # Older images take their upload date until `manage.py
        # read_photo_metadata` reads their files; an empty taken_source marks
        # them as not read yet.
        migrations.RunSQL(
            "UPDATE gallery_image SET taken_at = created_at"
            " WHERE taken_at IS NULL",
            migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name="image",
            index=models.Index(fields=["-taken_at", "-id"], name="gallery_image_taken"),
        ),
        migrations.AddIndex(
            model_name="image",
            index=models.Index(
                fields=["visibility", "-taken_at", "-id"],
                name="gallery_image_vis_taken",
            ),
        ),
        migrations.AddIndex(
            model_name="image",
            index=models.Index(
                fields=["owner", "-taken_at", "-id"], name="gallery_image_own_taken"
            ),
        ),
        migrations.AddIndex(
            model_name="image",
            index=models.Index(
                fields=["owner", "visibility", "-taken_at", "-id"],
                name="gallery_image_own_vis_taken",
            ),
        ),
    ]

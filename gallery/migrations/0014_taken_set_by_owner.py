"""A date taken its owner set: a new choice, no change in the database."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("gallery", "0013_rendition_hashes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="image",
            name="taken_source",
            field=models.CharField(
                blank=True,
                choices=[
                    ("camera", "Camera"),
                    ("file", "File date (a guess)"),
                    ("upload", "Upload date (a guess)"),
                    ("owner", "Set by its owner"),
                ],
                default="",
                max_length=8,
            ),
        ),
    ]

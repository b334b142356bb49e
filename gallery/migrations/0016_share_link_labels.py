"""A share link's label: its owner's note of whom it is for. Existing links
get none."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("gallery", "0015_taken_at_wall_clock"),
    ]

    operations = [
        migrations.AddField(
            model_name="sharelink",
            name="label",
            field=models.CharField(
                blank=True,
                default="",
                help_text="Its owner's note of whom it is for; never shown to "
                "whoever opens it.",
                max_length=100,
            ),
        ),
    ]

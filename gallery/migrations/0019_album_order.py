"""The order an album lists its photos in. Existing albums keep newest first."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("gallery", "0018_search_title_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="album",
            name="order",
            field=models.CharField(
                choices=[("newest", "Newest first"), ("oldest", "Oldest first")],
                default="newest",
                max_length=6,
            ),
        ),
    ]

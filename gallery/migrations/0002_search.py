# Search index (issue 5). The index is not part of the model state: it is SQL
# that differs per database, so each backend installs its own here.

from django.conf import settings
from django.db import migrations, models


def install_search_index(apps, schema_editor):
    from gallery.search import sqlite
    from gallery.search.postgres import schema

    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        sqlite.install(connection)
    elif connection.vendor == "postgresql":
        schema.install_text_index(schema_editor, apps.get_model("gallery", "Image"))


def uninstall_search_index(apps, schema_editor):
    from gallery.search import sqlite
    from gallery.search.postgres import schema

    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        sqlite.uninstall(connection)
    elif connection.vendor == "postgresql":
        schema.uninstall_text_index(schema_editor, apps.get_model("gallery", "Image"))


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

# The SQLite search index gets prefix indexes for 1 to 6 letters (issue 5):
# FTS5 options are fixed at creation, so the index is made again and re-read.

from django.db import migrations


def reinstall_search_index(apps, schema_editor):
    from gallery.search import sqlite

    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        sqlite.uninstall(connection)
        sqlite.install(connection)


class Migration(migrations.Migration):

    dependencies = [
        ("gallery", "0002_search"),
    ]

    operations = [
        migrations.RunPython(reinstall_search_index, reinstall_search_index),
    ]

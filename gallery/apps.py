from django.apps import AppConfig
from django.db.models.signals import post_migrate


class GalleryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gallery"
    verbose_name = "Gallery"

    def ready(self):
        from . import signals  # noqa: F401
        from .formats import register_decoders

        register_decoders()

        post_migrate.connect(
            repair_search_index, sender=self, dispatch_uid="gallery_search_repair"
        )


def repair_search_index(using, verbosity=1, stdout=None, **kwargs):
    """Re-install SQLite's search triggers if a migration rebuilt the image
    table (Django does so to alter a column), which drops triggers and
    renumbers rows; the index is then re-read from the table."""
    import sys

    from django.db import connections

    from .search import sqlite

    connection = connections[using]
    if connection.vendor != "sqlite" or not sqlite.is_installed(connection):
        return
    if not sqlite.is_complete(connection):
        if verbosity:
            (stdout or sys.stdout).write("Rebuilding the search index (gallery).\n")
        sqlite.install(connection)

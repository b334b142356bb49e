from django.apps import AppConfig
from django.db.models.signals import post_migrate


class GalleryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gallery"
    verbose_name = "Gallery"

    def ready(self):
        from . import signals  # noqa: F401
        from .services.formats import register_decoders

        register_decoders()

        post_migrate.connect(
            repair_search_index, sender=self, dispatch_uid="gallery_search_repair"
        )
        post_migrate.connect(
            repair_library_version, sender=self, dispatch_uid="gallery_version_repair"
        )


def repair_search_index(using, verbosity=1, stdout=None, **kwargs):
    """Re-install SQLite's search triggers if a migration rebuilt the image
    table (Django does so to alter a column), which drops triggers and
    renumbers rows; the index is then re-read from the table."""
    import sys

    from django.db import connections

    from . import library_version
    from .search import sqlite

    connection = connections[using]
    if connection.vendor != "sqlite" or not sqlite.is_installed(connection):
        return
    if not sqlite.is_complete(connection):
        if verbosity:
            (stdout or sys.stdout).write("Rebuilding the search index (gallery).\n")
        sqlite.install(connection)
        # Grids cached from the old index go with it (gallery.result_cache).
        if library_version.TABLE in connection.introspection.table_names():
            library_version.bump(connection)


def repair_library_version(using, verbosity=1, stdout=None, plan=None, **kwargs):
    """Put the library version's triggers back after a migration rebuilt
    the image table (as above): without them, writes would stop changing the
    version and cached result pages would go stale. Any applied migration
    makes a new version."""
    import sys

    from django.db import connections

    from . import library_version

    connection = connections[using]
    if connection.vendor not in library_version.VENDORS:
        return
    if library_version.TABLE not in connection.introspection.table_names():
        return  # migrated back to before the version existed
    if not library_version.is_complete(connection):
        if verbosity:
            (stdout or sys.stdout).write("Restoring the library version triggers.\n")
        library_version.install(connection)
    elif plan:
        # A migration may change what a grid shows without writing an image
        # row (a rebuilt search index, a new text-search configuration).
        library_version.bump(connection)

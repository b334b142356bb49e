from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from gallery.models import Image
from gallery.search import backend_for


def rebuild_search_index(using=DEFAULT_DB_ALIAS):
    """Re-read every image's title and description into the search index;
    returns how many images it now covers."""
    backend = backend_for(using)
    with transaction.atomic(using=using):
        backend.rebuild(connections[using])
    return Image.objects.using(using).count()


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search index from the images' titles and "
        "descriptions (after restoring a backup or editing the database by hand)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="Database alias to rebuild."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say how many images would be indexed; change nothing.",
        )

    def handle(self, *args, **options):
        using = options["database"]
        if using not in connections:
            raise CommandError(f"No database named {using!r} in DATABASES.")
        if options["dry_run"]:
            count = Image.objects.using(using).count()
            self.stdout.write(f"Would rebuild the search index for {count} images.")
            return
        if options["verbosity"] >= 1:
            self.stdout.write("Rebuilding the search index…")
        count = rebuild_search_index(using)
        self.stdout.write(f"Search index rebuilt: {count} images.")

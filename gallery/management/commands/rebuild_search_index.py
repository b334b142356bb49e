from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from gallery.management.base import ExitStatusCommand
from gallery.models import Image
from gallery.search import rebuild_search_index, search_index_in_step


class Command(ExitStatusCommand):
    help = (
        "Rebuild the full-text search index from the images' titles and "
        "descriptions (after restoring a backup or editing the database by "
        "hand). --check only tells whether it is in step (exit status 1 if not)."
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
        parser.add_argument(
            "--check",
            action="store_true",
            help="Check that the index matches the images; change nothing.",
        )

    def handle(self, *args, **options):
        using = options["database"]
        if using not in connections:
            raise CommandError(
                f"No database named {using!r} in DATABASES.", returncode=2
            )
        if options["check"]:
            return self._check(using)
        if options["dry_run"]:
            count = Image.objects.using(using).count()
            self.stdout.write(f"Would rebuild the search index for {count} images.")
            return
        if options["verbosity"] >= 1:
            self.stdout.write("Rebuilding the search index…")
        rebuild_search_index(using)
        count = Image.objects.using(using).count()
        self.stdout.write(f"Search index rebuilt: {count} images.")

    def _check(self, using):
        if search_index_in_step(using):
            self.stdout.write("Search index is in step with the images.")
            return
        self.exit_status = 1
        self.stdout.write(
            "Search index is out of step with the images (restored from a "
            "plain dump?): run rebuild_search_index."
        )

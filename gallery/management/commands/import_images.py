from collections import Counter
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from gallery.importing import DUPLICATE, REJECTED, import_images
from gallery.models import Visibility


class Command(BaseCommand):
    help = (
        "Import every image under the given files and folders for one owner. "
        "Files the owner already has are skipped; files that are not acceptable "
        "images are reported and skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument("--owner", required=True, help="Username of the owner.")
        parser.add_argument(
            "--private", action="store_true", help="Make the images private."
        )
        parser.add_argument("--description", default="", help="Description for all.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check every file and report what would happen; write nothing.",
        )

    def handle(self, *args, **options):
        owner = self._owner(options["owner"])
        missing = [str(p) for p in options["paths"] if not p.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}")
        counts = Counter()
        results = import_images(
            options["paths"],
            owner=owner,
            visibility=Visibility.PRIVATE if options["private"] else Visibility.PUBLIC,
            description=options["description"],
            dry_run=options["dry_run"],
        )
        for result in results:
            counts[result.outcome] += 1
            self._report(result, options["verbosity"])
        self.stdout.write(self._summary(counts, options["dry_run"]))

    def _owner(self, username):
        User = get_user_model()
        try:
            return User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None

    def _report(self, result, verbosity):
        if result.outcome == REJECTED and verbosity >= 1:
            self.stderr.write(f"rejected  {result.path}: {result.reason}")
        elif verbosity >= 2:
            self.stdout.write(f"{result.outcome:<10}{result.path}")

    def _summary(self, counts, dry_run):
        imported = counts["would import"] if dry_run else counts["imported"]
        verb = "would import" if dry_run else "imported"
        return (
            f"{imported} {verb}, {counts[DUPLICATE]} duplicates, "
            f"{counts[REJECTED]} rejected."
        )

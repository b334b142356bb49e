import sys

from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from gallery.storage_migration import (
    COPIED,
    FAILED,
    PRESENT,
    WOULD_COPY,
    count_referenced_files,
    migrate_files,
)

STORES = ("local", "s3")


class Command(BaseCommand):
    help = (
        "Copy every stored image file from one media store to another (the "
        "local media folder or the S3 bucket), verifying each copy by SHA-256. "
        "Safe to interrupt and run again. Switch MEDIA_STORAGE afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", required=True, choices=STORES)
        parser.add_argument("--to", dest="destination", required=True, choices=STORES)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be copied; write nothing.",
        )
        parser.add_argument(
            "--jobs", type=int, default=4, help="Files copied at once (default 4)."
        )

    def handle(self, *args, **options):
        source, destination = self._stores(options["source"], options["destination"])
        if options["jobs"] < 1:
            raise CommandError("--jobs must be at least 1.", returncode=2)
        counts = dict.fromkeys((COPIED, WOULD_COPY, PRESENT, FAILED), 0)
        outcomes = migrate_files(
            source, destination, dry_run=options["dry_run"], jobs=options["jobs"]
        )
        with self._progress(options["verbosity"]) as bar:
            for outcome in outcomes:
                counts[outcome.status] += 1
                self._report(outcome, options["verbosity"], bar)
                bar.update()
        self.stdout.write(self._summary(counts, options))
        if counts[FAILED]:
            raise CommandError(
                f"{counts[FAILED]} file(s) could not be copied (listed above); "
                "fix the cause and run the same command again."
            )

    def _stores(self, source, destination):
        if source == destination:
            raise CommandError("--from and --to name the same store.", returncode=2)
        if "s3" in (source, destination) and "s3" not in settings.STORAGES:
            raise CommandError(
                "No S3 bucket is configured: set S3_BUCKET, S3_ENDPOINT_URL, "
                "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY first.",
                returncode=2,
            )
        return storages[source], storages[destination]

    def _progress(self, verbosity):
        # A bar on a terminal; plain lines (verbosity 2) or silence elsewhere.
        return tqdm(
            total=count_referenced_files(),
            unit="file",
            desc="Copying",
            disable=verbosity < 1 or not sys.stderr.isatty(),
        )

    def _report(self, outcome, verbosity, bar):
        # external_write_mode lifts the bar off the terminal while a line prints.
        if outcome.status == FAILED and verbosity >= 1:
            with bar.external_write_mode():
                self.stderr.write(f"failed     {outcome.name}: {outcome.reason}")
        elif verbosity >= 2:
            with bar.external_write_mode():
                self.stdout.write(f"{outcome.status:<11}{outcome.name}")

    def _summary(self, counts, options):
        route = f"{options['source']} -> {options['destination']}"
        if options["dry_run"]:
            done = f"{counts[WOULD_COPY]} would be copied"
        else:
            done = f"{counts[COPIED]} copied and verified"
        return (
            f"{route}: {done}, {counts[PRESENT]} already there, "
            f"{counts[FAILED]} failed."
        )

from datetime import timedelta

from django.conf import settings
from django.core.management.base import CommandError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from tqdm import tqdm

from gallery.management.base import ExitStatusCommand
from gallery.selectors import expired_trash_summary
from gallery.services.images import purge_trash


class Command(ExitStatusCommand):
    help = (
        "Delete for good, rows and files, the images that have been in their "
        "owners' trash longer than IMAGEREPO_TRASH_DAYS (the space is freed only "
        "then). Safe to interrupt and run again; run it daily (deploy/ has a "
        "systemd timer). Exit status 1 if some files could not be deleted yet."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.IMAGEREPO_TRASH_DAYS,
            help="Purge images trashed more than this many days ago "
            f"(default {settings.IMAGEREPO_TRASH_DAYS}; 0 empties every trash).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what would be purged and purge nothing.",
        )

    def handle(self, *args, days, dry_run, verbosity, **options):
        if days < 0:
            raise CommandError("--days must be 0 or more.", returncode=2)
        older_than = timezone.now() - timedelta(days=days)
        waiting = expired_trash_summary(older_than=older_than)
        age = f"trashed more than {days} days ago" if days else "in the trash"
        if dry_run:
            line = (
                f"Would purge {waiting['count']} images "
                f"({filesizeformat(waiting['size'])}) {age}."
            )
            if waiting["accounts"]:
                line += (
                    f" Would remove {waiting['accounts']} accounts their owners "
                    "deleted, with their images."
                )
            self.stdout.write(line)
            return
        with tqdm(
            total=waiting["count"],
            desc="Purging",
            unit=" images",
            disable=verbosity < 1 or not self.stdout.isatty(),
        ) as bar:
            report = purge_trash(older_than=older_than, progress=bar.update)
        line = f"Purged {report.images} images ({filesizeformat(report.bytes)}) {age}."
        if report.accounts:
            line += f" Removed {report.accounts} accounts their owners had deleted."
        if report.files_left:
            line += (
                f" {report.files_left} files could not be deleted yet (see the log);"
                " run purge_trash again to retry."
            )
        self.stdout.write(line)
        self.exit_status = 1 if report.files_left else 0

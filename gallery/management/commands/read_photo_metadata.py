from tqdm import tqdm

from gallery.management.base import ExitStatusCommand
from gallery.services.metadata import images_without_metadata, read_stored_metadata

SHOWN_AT_VERBOSITY_1 = 20


class Command(ExitStatusCommand):
    help = (
        "Read the date taken, camera and location of images stored before "
        "imagerepo read them at upload, from their stored originals (local "
        "disk or S3). Safe to interrupt and run again: it carries on with the "
        "images not read yet. Exit status 1 if some could not be read."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=200,
            help="Images read between database writes (default 200).",
        )

    def handle(self, *args, batch_size, verbosity, **options):
        total = images_without_metadata().count()
        with tqdm(
            total=total,
            desc="Images",
            unit=" images",
            disable=verbosity < 1 or not self.stdout.isatty(),
        ) as bar:
            report = read_stored_metadata(
                batch_size=max(batch_size, 1), progress=bar.update
            )
        if verbosity >= 1:
            shown = (
                report.failed if verbosity > 1 else report.failed[:SHOWN_AT_VERBOSITY_1]
            )
            for pk, why in shown:
                self.stderr.write(f"unread  {pk}: {why}")
            if len(shown) < len(report.failed):
                more = len(report.failed) - len(shown)
                self.stderr.write(f"… and {more} more (--verbosity 2)")
        summary = (
            f"{report.read} images read: {report.dated} with the date the camera "
            f"gave, {report.read - report.dated} keep their upload date (a guess)"
        )
        if report.failed:
            summary += f"; {len(report.failed)} could not be read (run again to retry)"
        self.stdout.write(summary + ".")
        self.exit_status = 1 if report.failed else 0

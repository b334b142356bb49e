import argparse
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, contextmanager, suppress
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from gallery.importing.albums import ALBUM_FROM
from gallery.importing.manifest import Manifest, ManifestError
from gallery.importing.pipeline import TITLE_FROM, import_images
from gallery.importing.progress import progress_for
from gallery.importing.results import REJECTED
from gallery.importing.tasks import default_workers
from gallery.management.base import USAGE_ERROR, ExitStatusCommand, active_account
from gallery.models import AlbumOrder, Visibility
from gallery.services.albums import clean_title
from gallery.services.quotas import OVER_QUOTA

INTERRUPTED = 130
# sysexits.h's EX_IOERR: the report could not be written (not a file's fault).
REPORT_FAILED = 74


def album_name(value):
    """An album title as the album services keep it, refused in their words."""
    try:
        return clean_title(value)
    except ValidationError as error:
        raise argparse.ArgumentTypeError(error.messages[0]) from None


def positive_int(value):
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of 1 or more, not {value!r}"
        )
    return number


def worker_count(value):
    number = positive_int(value)
    # Each worker may hold a large photo decoded; past a few a core they only
    # wait on each other, and thousands would exhaust memory or processes.
    most = 4 * default_workers()
    if number > most:
        raise argparse.ArgumentTypeError(
            f"at most {most} (four per core), not {number}"
        )
    return number


class Command(ExitStatusCommand):
    help = (
        "Import every image under the given files and folders for one owner, "
        "using a pool of worker processes. Files the owner already has (by "
        "SHA-256) are duplicates, not stored again, so an interrupted run can "
        "simply be run again. "
        "Files that are no photo (sidecars, notes, videos) are skipped. Exit "
        "status: 0 every file imported, already there or skipped, 1 some files "
        "rejected, 2 usage error, 74 the report could not be written, 130 "
        "interrupted (Ctrl-C)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument("--owner", required=True, help="Username of the owner.")
        visibility = parser.add_mutually_exclusive_group()
        visibility.add_argument(
            "--public",
            dest="visibility",
            action="store_const",
            const=Visibility.PUBLIC,
            default=Visibility.PRIVATE,
            help="Make the images public; they are private unless this or the "
            "manifest says so.",
        )
        visibility.add_argument(
            "--private",
            dest="visibility",
            action="store_const",
            const=Visibility.PRIVATE,
            help="Make the images private (the default).",
        )
        parser.add_argument("--description", default="", help="Description for all.")
        parser.add_argument(
            "--title-from",
            choices=TITLE_FROM,
            default="filename",
            help="Title each image after its file name (default) or its path "
            "below the imported folder, extension dropped.",
        )
        parser.add_argument(
            "--manifest",
            type=Path,
            metavar="FILE.csv",
            help="CSV with columns path,title,description,visibility giving "
            "per-file metadata; paths relative to the imported folder.",
        )
        albums = parser.add_mutually_exclusive_group()
        albums.add_argument(
            "--album",
            type=album_name,
            metavar="NAME",
            help="Put every image (imported, or already there) in the owner's "
            "album NAME, made if missing.",
        )
        albums.add_argument(
            "--album-from",
            choices=ALBUM_FROM,
            help="folder: put each image in the album named after its folder's "
            "path below the imported folder (2023/summer), made if missing; "
            "files directly in the imported folder go in no album.",
        )
        parser.add_argument(
            "--album-order",
            choices=AlbumOrder.values,
            help="How the albums this run makes list their photos by date "
            "taken: newest first (the default) or oldest first, as a trip "
            "reads; an album already there keeps its order.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check every file and report what would happen; write nothing.",
        )
        parser.add_argument(
            "--workers",
            type=worker_count,
            default=default_workers(),
            help="Worker processes that hash, decode and render "
            "(default: the number of cores, %(default)s here).",
        )
        parser.add_argument(
            "--batch-size",
            type=positive_int,
            default=100,
            help="Rows inserted per database transaction (default: %(default)s).",
        )
        parser.add_argument(
            "--report",
            type=Path,
            metavar="FILE",
            help="Write one JSON line per file: path, outcome, image_id, reason, "
            "code, album.",
        )

    def handle(self, *args, **options):
        if options["album_order"] and not (options["album"] or options["album_from"]):
            raise CommandError(
                "--album-order is for the albums --album or --album-from makes.",
                returncode=USAGE_ERROR,
            )
        roots = self._roots(options["paths"])
        owner = self._owner(options["owner"])
        manifest = self._manifest(options["manifest"])
        verbosity = options["verbosity"]
        progress = progress_for(self, verbosity, roots)
        with self._report(options["report"]) as report:
            interrupted = self._run(roots, owner, manifest, options, progress, report)
        self.stdout.write(progress.summary(options["dry_run"]))
        if manifest and manifest.unmatched and verbosity >= 1:
            self.stderr.write(f"{manifest.unmatched} manifest row(s) matched no file.")
        if progress.codes[OVER_QUOTA]:
            self.stderr.write(
                f"{progress.codes[OVER_QUOTA]} file(s) did not fit in "
                f"{owner.get_username()}'s quota. Raise it in the admin "
                "(Accounts), then run the same command again: files already "
                "imported are skipped."
            )
        if interrupted:
            self.stderr.write(
                "Interrupted. Run the same command again to finish: files already "
                "imported are skipped."
            )
            self.exit_status = INTERRUPTED
        elif progress.counts[REJECTED]:
            self.exit_status = 1

    def _run(self, roots, owner, manifest, options, progress, report):
        results = import_images(
            roots,
            owner=owner,
            visibility=options["visibility"],
            description=options["description"],
            title_from=options["title_from"],
            manifest=manifest,
            dry_run=options["dry_run"],
            workers=options["workers"],
            batch_size=options["batch_size"],
            album=options["album"] or "",
            album_from=options["album_from"] or "",
            album_order=options["album_order"],
        )
        try:
            with closing(results):
                for result in results:
                    progress.update(result)
                    report(result)
        except KeyboardInterrupt:
            return True
        except BrokenProcessPool:
            raise CommandError(
                "A worker process died (out of memory?). Run the same command "
                "again to finish: files already imported are skipped."
            ) from None
        finally:
            progress.close()
        return False

    def _roots(self, paths):
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise CommandError(
                f"No such file or folder: {', '.join(missing)}", returncode=USAGE_ERROR
            )
        return [p.absolute() for p in paths]

    def _owner(self, username):
        return active_account(username, refused="it takes no images")

    def _manifest(self, path):
        if path is None:
            return None
        try:
            return Manifest.load(path)
        except ManifestError as error:
            raise CommandError(str(error), returncode=USAGE_ERROR) from None

    @contextmanager
    def _report(self, path):
        if path is None:
            yield lambda result: None
            return
        try:
            handle = open(path, "w", buffering=1, encoding="utf-8")  # noqa: SIM115
        except OSError as error:
            raise CommandError(
                f"Cannot write the report {path}: {error.strerror}.",
                returncode=USAGE_ERROR,
            ) from None

        def write(result):
            try:
                handle.write(result.as_json() + "\n")
            except OSError as error:  # a full disk, a lost network share
                raise CommandError(
                    f"Stopped: the report {path} could not be written "
                    f"({error.strerror}). What was imported is kept: run the same "
                    "command again to finish.",
                    returncode=REPORT_FAILED,
                ) from None

        try:
            yield write
        finally:
            # A failed write was said above, when its line was written.
            with suppress(OSError):
                handle.close()

from datetime import timedelta

from django.core.management.base import CommandError
from django.template.defaultfilters import filesizeformat
from tqdm import tqdm

from gallery.management.base import ExitStatusCommand
from gallery.media_check import check_media, fix_media

SHOWN_AT_VERBOSITY_1 = 20


class Command(ExitStatusCommand):
    help = (
        "Find stored files that no image row points to (left by a crash), rows "
        "whose files are missing, and a search index out of step with the "
        "images. --verify also reads every file: originals must match the "
        "SHA-256 recorded at upload, renditions must decode. --fix moves the "
        "orphan files aside into orphans/<date>/ in the media storage, renders "
        "bad renditions (and thumbnails made at an older size) again from their "
        "originals and rebuilds the index; a bad "
        "original is only listed, to be restored from a backup. Exit status 1 "
        "while problems remain."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--verify",
            action="store_true",
            help="Read every byte: compare each original with the SHA-256 "
            "recorded at upload and decode each rendition in full. Takes about "
            "as long as reading the whole library.",
        )
        parser.add_argument(
            "--fix",
            action="store_true",
            help="Move files without a row into orphans/<date>/ (nothing is "
            "deleted), render missing, bad or outdated renditions again from "
            "their originals, and rebuild a search index out of step.",
        )
        parser.add_argument(
            "--min-age",
            type=int,
            default=60,
            metavar="MINUTES",
            help="Leave files without a row alone while younger than this: "
            "they may be uploads in flight (default 60; 0 includes every file, "
            "for use with the site stopped).",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=4,
            help="Images read at once by --verify (default 4).",
        )

    def handle(self, *args, fix, verify, min_age, jobs, verbosity, **options):
        if min_age < 0:
            raise CommandError("--min-age must be 0 or more minutes.", returncode=2)
        if jobs < 1:
            raise CommandError("--jobs must be at least 1.", returncode=2)
        report = check_media(
            min_age=timedelta(minutes=min_age),
            verify=verify,
            jobs=jobs,
            progress=self._progress,
        )
        if fix:
            fix_media(report, progress=self._progress)
        if verbosity >= 1:
            self._list_problems(report, verbosity)
        if report.too_new and verbosity >= 1:
            self.stderr.write(
                f"{_count(report.too_new, 'file')} younger than {min_age} minutes "
                f"{'was' if report.too_new == 1 else 'were'} left alone: they may "
                "be uploads in flight. Stop the site and run check_media "
                "--min-age 0 to include them."
            )
        self.stdout.write(self._summary(report, fix))
        unfixed = (
            (report.orphans and not fix)
            or report.queued
            or (report.usage and not fix)
            or len(report.bad) > len(report.repaired)
            or (not report.search_index_in_step and not fix)
        )
        self.exit_status = 1 if unfixed else 0

    def _progress(self, items, *, desc, unit, total=None):
        # tqdm writes to stderr: a bar on a terminal, nothing in a log.
        return tqdm(
            items, desc=desc, unit=unit, total=total, disable=not self.stderr.isatty()
        )

    def _list_problems(self, report, verbosity):
        def where(bad):
            label = report.images[bad.image_id]
            owner = f"{label.owner}, in the trash" if label.trashed else label.owner
            image = f'image {bad.image_id} "{label.title}" of {owner}'
            return f"{bad.name} ({image}, {bad.kind})"

        self._list("no row", report.orphans, verbosity)
        self._list("missing", [where(bad) for bad in report.missing], verbosity)
        self._list(
            "damaged",
            [f"{where(bad)}: {bad.problem}" for bad in report.damaged],
            verbosity,
        )
        self._list("outdated", [where(bad) for bad in report.outdated], verbosity)
        self._list(
            "fixed",
            [
                f"{where(bad)}: rendered again from the original"
                for bad in report.repaired
            ],
            verbosity,
        )
        self._list(
            "failed",
            [
                f"{where(bad)}: not rendered again: {why}"
                for bad, why in report.unrepaired
            ],
            verbosity,
        )
        self._list(
            "counted",
            [
                f"{name or pk}: {_usage(counted)} counted, {_usage(stored)} stored"
                for pk, name, counted, stored in report.usage
            ],
            verbosity,
        )
        if not report.search_index_in_step:
            self.stderr.write(
                "search    the index is out of step with the images (restored "
                "from a plain dump?)"
            )

    def _list(self, label, lines, verbosity):
        shown = lines if verbosity > 1 else lines[:SHOWN_AT_VERBOSITY_1]
        for line in shown:
            self.stderr.write(f"{label:8}  {line}")
        if len(shown) < len(lines):
            self.stderr.write(f"… and {len(lines) - len(shown)} more (--verbosity 2)")

    def _summary(self, report, fix):
        checked = (
            f"{_count(report.files_seen, 'file')} and "
            f"{_count(report.rows_seen, 'image')} checked"
        )
        parts = [
            f"{_count(len(report.orphans), 'file')} without an image",
            f"{_count(len(report.missing), 'missing file')}",
        ]
        if report.verified:
            checked += ", every byte read"
            parts.append(_count(len(report.damaged), "damaged file"))
        if report.outdated:
            parts.append(
                f"{_count(len(report.outdated), 'thumbnail')} made at an older "
                "size (a panorama before it kept its height, or another "
                "IMAGEREPO_THUMBNAIL_SIZE)"
            )
        if report.too_new:
            parts.append(f"{_count(report.too_new, 'recent file')} left alone")
        if report.queued and not fix:
            parts.append(
                f"{_count(report.queued, 'file')} of images deleted for good still "
                "to delete (--fix or purge_trash deletes them)"
            )
        line = f"{checked}: {', '.join(parts)}."
        return " ".join([line, *self._outcomes(report, fix)])

    def _outcomes(self, report, fix):
        if fix and report.orphans:
            moved = _count(len(report.orphans), "orphan file")
            yield f"Moved {moved} to {report.moved_to}/."
        if report.queue_finished:
            done = _count(report.queue_finished, "file")
            yield f"Deleted {done} of images deleted for good."
        if fix and report.queued:
            yield (
                f"{_count(report.queued, 'file')} of images deleted for good could "
                "not be deleted yet (see the log)."
            )
        if report.repaired:
            yield f"Rendered {_count(len(report.repaired), 'rendition')} again."
        if report.unrepaired:
            yield (
                f"{_count(len(report.unrepaired), 'rendition')} could not be "
                "rendered again (listed above)."
            )
        bad_renditions = len(report.bad_renditions)
        if bad_renditions and not fix:
            yield f"--fix renders the {_count(bad_renditions, 'bad rendition')} again."
        if report.bad_originals:
            yield (
                f"{_count(len(report.bad_originals), 'original')} must be restored "
                "from a backup (listed above)."
            )
        if report.usage:
            accounts = _count(len(report.usage), "account")
            yield (
                f"Storage counted for {accounts} was out of step: recounted."
                if report.recounted
                else f"Storage counted for {accounts} is out of step with what "
                "they store (--fix recounts it, with the site stopped)."
            )
        if not report.search_index_in_step:
            yield (
                "Search index was out of step: rebuilt."
                if fix
                else "Search index is out of step (--fix rebuilds it)."
            )


def _usage(pair):
    images, size = pair
    return f"{_count(images, 'image')} ({filesizeformat(size)})"


def _count(number, noun):
    return f"{number:,} {noun}{'' if number == 1 else 's'}"

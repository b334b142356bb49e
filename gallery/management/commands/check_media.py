from datetime import timedelta

from tqdm import tqdm

from gallery.management.base import ExitStatusCommand
from gallery.management.commands.rebuild_search_index import rebuild_search_index
from gallery.media_check import check_media, move_aside

SHOWN_AT_VERBOSITY_1 = 20


class Command(ExitStatusCommand):
    help = (
        "Find stored files that no image row points to (left by a crash) and "
        "rows whose files are missing, and a search index out of step with the "
        "images. --fix moves the orphan files aside into orphans/<date>/ in the "
        "media storage and rebuilds the index. Exit status 1 while problems remain."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix",
            action="store_true",
            help="Move files without a row into orphans/<date>/ (nothing is deleted) "
            "and rebuild a search index out of step.",
        )
        parser.add_argument(
            "--min-age",
            type=int,
            default=60,
            metavar="MINUTES",
            help="Ignore files younger than this: they may be uploads in flight "
            "(default 60).",
        )

    def handle(self, *args, fix, min_age, verbosity, **options):
        report = check_media(
            min_age=timedelta(minutes=max(min_age, 0)), progress=self._progress
        )
        self._list(report.orphans, "no row", verbosity)
        self._list(
            [f"{name} (image {pk}, {kind})" for pk, kind, name in report.missing],
            "missing",
            verbosity,
        )
        if fix and report.orphans:
            report.moved_to = move_aside(report.orphans)
        if not report.search_index_in_step and verbosity >= 1:
            self.stderr.write(
                "search    the index is out of step with the images (restored "
                "from a plain dump?)"
            )
        if fix and not report.search_index_in_step:
            rebuild_search_index()
        self.stdout.write(self._summary(report, fix))
        unfixed = (
            report.missing
            or (report.orphans and not fix)
            or (not report.search_index_in_step and not fix)
        )
        self.exit_status = 1 if unfixed else 0

    def _progress(self, names):
        return tqdm(
            names, desc="Files", unit=" files", disable=not self.stdout.isatty()
        )

    def _list(self, lines, label, verbosity):
        shown = lines if verbosity > 1 else lines[:SHOWN_AT_VERBOSITY_1]
        if verbosity < 1:
            return
        for line in shown:
            self.stderr.write(f"{label:8}  {line}")
        if len(shown) < len(lines):
            self.stderr.write(f"… and {len(lines) - len(shown)} more (--verbosity 2)")

    def _summary(self, report, fix):
        parts = [
            f"{report.files_seen} files and {report.rows_seen} images checked",
            f"{len(report.orphans)} files without an image",
            f"{len(report.missing)} missing files",
        ]
        if report.too_new:
            parts.append(f"{report.too_new} recent files left alone")
        line = ", ".join(parts) + "."
        if fix and report.orphans:
            line += f" Moved {len(report.orphans)} orphan files to {report.moved_to}/."
        if not report.search_index_in_step:
            line += (
                " Search index was out of step: rebuilt."
                if fix
                else " Search index is out of step (--fix rebuilds it)."
            )
        return line

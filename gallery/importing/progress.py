"""How an import shows its progress: a live bar on a terminal, one plain line
per file in a log (or with ``--verbosity 2``), nothing at ``--verbosity 0``.
Every kind counts the outcomes the summary line is made from."""

import io
import os
import threading
from collections import Counter

from tqdm import tqdm

from .pipeline import store_folders
from .results import DUPLICATE, IMPORTED, REJECTED, SKIPPED, WOULD_IMPORT, shown
from .walk import count_files


class Progress:
    """Counts outcomes and shows nothing (``--verbosity 0``)."""

    def __init__(self):
        self.counts = Counter()
        self.codes = Counter()  # why files were rejected, or duplicates noted

    def update(self, result):
        self.counts[result.outcome] += 1
        if result.code:
            self.codes[result.code] += 1
        self.show(result)

    def show(self, result):
        pass

    def close(self):
        pass

    def summary(self, dry_run=False):
        """The line that ends every run: ``5 imported, 1 duplicates, 2 rejected.``"""
        done = self.counts[WOULD_IMPORT] if dry_run else self.counts[IMPORTED]
        verb = WOULD_IMPORT if dry_run else IMPORTED
        skipped = self.counts[SKIPPED]
        why = " or ".join(
            words
            for code, words in (("not_a_photo", "not photos"), ("symlink", "links"))
            if self.codes[code]
        )
        return (
            f"{done} {verb}, {self.counts[DUPLICATE]} duplicates, "
            f"{self.counts[REJECTED]} rejected"
            + (f", {skipped} skipped ({why})." if skipped else ".")
        )


class PlainProgress(Progress):
    """One line per file: outcomes on ``stdout``, rejections on ``stderr``."""

    def __init__(self, stdout, stderr):
        super().__init__()
        self.stdout, self.stderr = stdout, stderr

    def show(self, result):
        if result.outcome == REJECTED:
            self.stderr.write(f"rejected     {shown(result.path)}: {result.reason}")
            return
        line = f"{result.outcome:<12} {shown(result.path)}"
        if result.image_id:
            line += f" ({result.image_id})"
        if result.reason:  # a duplicate whose visibility was kept or changed
            line += f": {result.reason}"
        self.stdout.write(line)


class TerminalProgress(Progress):
    """A tqdm bar: files done, files/s, the running counts and, once a second
    walk has counted the files (in a thread, counting only), the ETA.
    Rejections are printed above the bar as they happen."""

    def __init__(self, stream, roots):
        super().__init__()
        self.stream, self.roots = stream, roots
        self.total = None
        self.counter = None
        # No monitor thread: the worker processes are forked after this.
        tqdm.monitor_interval = 0
        width = _fixed_width(stream)
        self.bar = tqdm(
            desc="Importing",
            unit=" files",
            file=stream,
            ncols=width,
            dynamic_ncols=width is None,
            mininterval=0.2,
        )

    def show(self, result):
        if self.counter is None:
            # Started once the workers exist, so no thread is forked with them.
            self.counter = threading.Thread(target=self._count, daemon=True)
            self.counter.start()
        # Rejected, or a duplicate made private; skipped files only count (a
        # photo export can hold a sidecar for every photo).
        if result.reason and result.outcome != SKIPPED:
            self.bar.write(
                f"{result.outcome:<10}{shown(result.path)}: {result.reason}",
                file=self.stream,
            )
        if self.total is not None and self.bar.total is None:
            self.bar.total = self.total
        counts = self.counts
        self.bar.set_postfix_str(
            f"imported={counts[IMPORTED] + counts[WOULD_IMPORT]} "
            f"duplicates={counts[DUPLICATE]} rejected={counts[REJECTED]}"
            + (f" skipped={counts[SKIPPED]}" if counts[SKIPPED] else ""),
            refresh=False,
        )
        self.bar.update(1)

    def _count(self):
        self.total = count_files(self.roots, skip=store_folders())

    def close(self):
        if self.counter is not None:
            # Counting only reads folder entries: it is done long before an
            # import of the same tree, but the last redraw must have it.
            self.counter.join()
            self.bar.total = self.total
            self.bar.refresh()
        self.bar.close()


def progress_for(command, verbosity, roots):
    """The kind of progress a run of ``command`` should show."""
    if verbosity <= 0:
        return Progress()
    stream = getattr(command.stderr, "_out", command.stderr)
    if verbosity == 1 and stream.isatty():
        return TerminalProgress(stream, roots)
    return PlainProgress(command.stdout, command.stderr)


def _fixed_width(stream):
    """80 columns for a terminal that says it has none (a pseudo-terminal
    nobody sized, as ``script`` or some CI runners make): tqdm would fit the
    bar into 0 columns and draw nothing at all. Otherwise None: the bar
    follows the terminal's width as it changes."""
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    return None if columns else 80

"""What the person at the terminal sees while an upload runs."""

import sys

from tqdm import tqdm

from .upload import DUPLICATE, FAILED, REJECTED, UPLOADED


class UploadProgress:
    """A tqdm bar on a terminal (none when output is piped); rejected and
    failed files, and duplicates whose visibility changed or was kept, are
    always named on stderr (with the reason), every file with ``verbose``."""

    def __init__(self, total, *, verbose=False, quiet=False):
        self.verbose, self.quiet = verbose, quiet
        self.bar = tqdm(
            total=total,
            unit="file",
            desc="Uploading",
            disable=True if quiet else None,
            file=sys.stderr,
            dynamic_ncols=True,
        )
        self.counts = dict.fromkeys((UPLOADED, DUPLICATE, REJECTED, FAILED), 0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.bar.close()

    def report(self, outcome):
        self.counts[outcome.status] += 1
        self.bar.set_postfix(
            new=self.counts[UPLOADED],
            dup=self.counts[DUPLICATE],
            bad=self.counts[REJECTED] + self.counts[FAILED],
            refresh=False,
        )
        self.bar.update(1)
        # Rejections and failures, and duplicates whose visibility was kept
        # or changed: a reason a person should read.
        if outcome.reason and not self.quiet:
            self.bar.write(
                f"{outcome.status:<10}{outcome.path}: {outcome.reason}", sys.stderr
            )
        elif self.verbose:
            self.bar.write(f"{outcome.status:<10}{outcome.path}", sys.stderr)

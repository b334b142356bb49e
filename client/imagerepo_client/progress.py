"""What the person at the terminal sees while an upload runs."""

import sys

from tqdm import tqdm

from .upload import DUPLICATE, FAILED, REJECTED, SKIPPED, UPLOADED


class UploadProgress:
    """A tqdm bar on a terminal (none when output is piped); rejected and
    failed files, and duplicates whose visibility changed or was kept, are
    always named on stderr (with the reason), every file with ``verbose``
    (files skipped as no photos only then)."""

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
        self.counts = dict.fromkeys((UPLOADED, DUPLICATE, REJECTED, FAILED, SKIPPED), 0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.bar.close()

    def report(self, outcome):
        self.counts[outcome.status] += 1
        counts = self.counts
        skipped = {"skip": counts[SKIPPED]} if counts[SKIPPED] else {}
        self.bar.set_postfix(
            new=counts[UPLOADED],
            dup=counts[DUPLICATE],
            bad=counts[REJECTED] + counts[FAILED],
            **skipped,
            refresh=False,
        )
        self.bar.update(1)
        # Rejections and failures, and duplicates whose visibility was kept
        # or changed: a reason a person should read. Skipped files only
        # count: a photo export can hold a sidecar for every photo.
        named = outcome.reason and outcome.status != SKIPPED and not self.quiet
        if named or self.verbose:
            line = f"{outcome.status:<10}{outcome.path}"
            if outcome.reason:
                line += f": {outcome.reason}"
            self.bar.write(line, sys.stderr)

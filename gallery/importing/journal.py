"""The import journal: how a killed import leaves no file without a row.

An import's worker processes write an image's files *before* the main process
inserts its row (rows go in by batches). A process killed in between (even by
``kill -9``) would leave files that no row points to. So, before writing a
file, each worker appends ``<image id> <file name>`` to its own journal file in
``IMAGEREPO_IMPORT_JOURNAL_DIR`` and holds an exclusive ``flock`` on that
journal for as long as it lives. The kernel drops the lock when the process
dies, however it dies.

:func:`sweep` runs when an import starts and when it ends. It takes every
journal whose lock it can get (so: whose writer is gone, never a live run's),
removes each listed file whose image id has no row (found by primary key, an
index lookup), then deletes the journal. Files of committed rows stay.

Why this and not deterministic file names: a re-run only rewrites the files of
the paths it meets again, so files from a folder that was moved or deleted
between runs would stay orphaned; the journal cleans them up whatever happens
to the source. Why a file and not a table: the worker processes never touch
the database, and a lock that dies with its process needs no guessing about
which runs are still alive. The journal folder must be on a local disk of the
machine that runs the import (the media storage itself may be anywhere).
"""

import fcntl
import itertools
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

from ..models import Image
from ..services.storing import delete_stored_files

SUFFIX = ".journal"
SWEEP_CHUNK = 500


def journal_dir():
    return Path(settings.IMAGEREPO_IMPORT_JOURNAL_DIR)


class Journal:
    """One process's journal; ``record`` is what ``write_image_files`` calls."""

    def __init__(self, folder=None):
        folder = Path(folder or journal_dir())
        folder.mkdir(parents=True, exist_ok=True)
        name = uuid.uuid4().hex
        temporary = folder / f"{name}.new"
        # Lock first, then give it the name sweeps look for: a sweep can never
        # take a journal in the moment between its creation and its lock.
        self._file = open(temporary, "a", buffering=1, encoding="utf-8")  # noqa: SIM115
        fcntl.flock(self._file, fcntl.LOCK_EX)
        self.path = folder / f"{name}{SUFFIX}"
        os.rename(temporary, self.path)

    def record(self, image, name):
        # Line-buffered: each line is in the kernel before the file is written,
        # which is all kill -9 needs (a power cut is another matter).
        self._file.write(f"{image.pk.hex}\t{name}\n")

    def close(self):
        self._file.close()


def sweep(folder=None):
    """Clean up after dead imports; returns how many files were removed."""
    folder = Path(folder or journal_dir())
    if not folder.is_dir():
        return 0
    removed = 0
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        removed += _sweep_one(path)
    return removed


def _sweep_one(path):
    try:
        handle = open(path, encoding="utf-8")  # noqa: SIM115
    except FileNotFoundError:
        return 0  # another sweep took it
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # its writer is alive
        removed = 0
        entries = filter(None, map(_parse, handle))
        while chunk := list(itertools.islice(entries, SWEEP_CHUNK)):
            removed += _remove_orphans(chunk)
        path.unlink(missing_ok=True)
    return removed


def _parse(line):
    # A line cut short by a kill names a file that was never started: skip it.
    image_id, _, name = line.rstrip("\n").partition("\t")
    try:
        return uuid.UUID(image_id), name
    except ValueError:
        return None


def _remove_orphans(entries):
    ids = {image_id for image_id, _ in entries}
    kept = set(Image.objects.filter(pk__in=ids).values_list("pk", flat=True))
    orphans = [
        name
        for image_id, name in entries
        if image_id not in kept and name and default_storage.exists(name)
    ]
    delete_stored_files(orphans)
    return len(orphans)

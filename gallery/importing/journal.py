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

The run's main process keeps a journal of its own, ``<id>.quota``, the same
way: the room it holds in the owner's quota for files in flight (see
``QuotaLedger``). A sweep gives back what a dead run held for images that
have no row, so a killed import leaves the owner's counters exact too.

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
import re
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from ..models import Image
from ..services.quotas import release
from ..services.storing import delete_stored_files

SUFFIX = ".journal"
# An id or a size as this code writes them: ASCII digits that fit a
# database integer.
_NUMBER = re.compile(r"[0-9]{1,18}")
QUOTA_SUFFIX = ".quota"
SWEEP_CHUNK = 500


def journal_dir():
    return Path(settings.IMAGEREPO_IMPORT_JOURNAL_DIR)


def _locked_file(folder, suffix):
    """A new file in ``folder`` named ``<random><suffix>``, locked for as
    long as this process lives; line-buffered: each line is in the kernel
    once written, which is all kill -9 needs (a power cut is another
    matter)."""
    folder = Path(folder or journal_dir())
    folder.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex
    temporary = folder / f"{name}.new"
    # Lock first, then give it the name sweeps look for: a sweep can never
    # take a journal in the moment between its creation and its lock.
    handle = open(temporary, "a", buffering=1, encoding="utf-8")  # noqa: SIM115
    fcntl.flock(handle, fcntl.LOCK_EX)
    path = folder / f"{name}{suffix}"
    os.rename(temporary, path)
    return handle, path


class Journal:
    """One process's journal; ``record`` is what ``write_image_files`` calls."""

    def __init__(self, folder=None):
        self._file, self.path = _locked_file(folder, SUFFIX)

    def record(self, image, name):
        # Before the file is written.
        self._file.write(f"{image.pk.hex}\t{name}\n")

    def close(self):
        self._file.close()


class QuotaJournal:
    """The room a run's ``QuotaLedger`` holds for ``owner``, as it changes:
    ``+ key size`` once taken, ``- key`` before it is kept or given back.
    Removed when the run ends: it then holds nothing."""

    def __init__(self, owner, folder=None):
        self._file, self.path = _locked_file(folder, QUOTA_SUFFIX)
        self._file.write(f"owner\t{owner.pk}\n")

    def held(self, key, size):
        self._file.write(f"+\t{key}\t{size}\n")

    def settled(self, key):
        self._file.write(f"-\t{key}\n")

    def close(self):
        self.path.unlink(missing_ok=True)
        self._file.close()


def sweep(folder=None):
    """Clean up after dead imports; returns how many files were removed."""
    folder = Path(folder or journal_dir())
    if not folder.is_dir():
        return 0
    removed = 0
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        removed += _sweep_one(path, _sweep_files)
    for path in sorted(folder.glob(f"*{QUOTA_SUFFIX}")):
        _sweep_one(path, _give_back_room)
    return removed


def _sweep_one(path, clean_up):
    """``clean_up(lines, path)`` for the journal at ``path`` if its writer
    is dead, then remove it (``clean_up`` may have done so already)."""
    try:
        # A damaged byte spoils its line only (see _parse, _give_back_room).
        handle = open(path, encoding="utf-8", errors="replace")  # noqa: SIM115
    except FileNotFoundError:
        return 0  # another sweep took it
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # its writer is alive
        try:
            still_there = os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
        except FileNotFoundError:
            still_there = False
        if not still_there:
            return 0  # another sweep took it between our open and our lock
        done = clean_up(handle, path)
        path.unlink(missing_ok=True)
    return done


def _sweep_files(lines, path):
    removed = 0
    entries = filter(None, map(_parse, lines))
    while chunk := list(itertools.islice(entries, SWEEP_CHUNK)):
        removed += _remove_orphans(chunk)
    return removed


def _give_back_room(lines, path):
    """Give back what a dead run still held, but for images it stored (their
    rows went in before the kill could write that it kept them), and remove
    the journal in the same transaction: given back once, or not at all and
    the journal kept for the next sweep. One killed in the moment after a
    batch's rows went in, whose image was then deleted for good before this
    sweep, was given back by that deletion already and is given back again
    here: a rare slip, in the user's favour."""
    owner_id, held = None, {}
    for line in lines:
        if not line.endswith("\n"):
            break  # cut short by the kill
        kind, _, rest = line.rstrip("\n").partition("\t")
        key, _, size = rest.partition("\t")
        # A line this code never wrote (an edited or damaged journal) holds
        # nothing: every import starts with a sweep, and one that raised
        # would stop them all.
        if kind == "owner" and _NUMBER.fullmatch(rest):
            owner_id = int(rest)
        elif kind == "+" and _NUMBER.fullmatch(size):
            held[key] = int(size)
        elif kind == "-":
            held.pop(key, None)
    if owner_id is None or not held:
        return 0
    stored = Image.objects.filter(owner_id=owner_id, sha256__in=list(held))
    for key in stored.values_list("sha256", flat=True):
        held.pop(key, None)
    with transaction.atomic():
        release(owner_id, images=len(held), size=sum(held.values()))
        path.unlink()
    return len(held)


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

"""The worker processes of an import and what they do: read, hash, decode,
render and write files. They never touch the database; the main process does.

Each file takes two small trips through the pool. :func:`hash_task` hashes it,
so that the main process can skip bytes the owner already has (an index
lookup) before anything is decoded; that is what makes a re-run of a huge
folder fast. :func:`prepare_task` then runs the ingest service's own steps
(``prepare_image``, ``build_image``, ``write_image_files``) and hands back the
unsaved row for the batch writer.
"""

import ctypes
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import ValidationError

from ..metadata import EARLIEST_YEAR, FUTURE_SLACK
from ..objectstore import forget_connections
from ..services.ingest import Digest, hash_file, prepare_image
from ..services.storing import build_image, write_image_files
from .journal import Journal

_journal = None


@dataclass(frozen=True, slots=True)
class Rejected:
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class Hashed:
    digest: Digest
    # (size, mtime, inode) when hashed: the second read trusts the digest only
    # if the file is unchanged.
    stamp: tuple


def default_workers():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@contextmanager
def worker_pool(workers, journal_folder):
    # fork: workers inherit the configured Django (and the test settings) as is.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=start_worker,
        initargs=(journal_folder,),
    )
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def start_worker(journal_folder):
    """Pool initializer: die with the main process, leave Ctrl-C to it, and
    open this process's journal."""
    global _journal
    _die_with_parent()
    forget_connections()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _journal = Journal(journal_folder) if journal_folder else None


def _die_with_parent():
    # Linux only: without it, workers of a main process killed with -9 would
    # wait forever on their task queue.
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGKILL)


def open_source(path):
    """Open a file to import (a seam for tests: root can read anything)."""
    return open(path, "rb")  # noqa: SIM115


def hash_task(path):
    """SHA-256 of the file at ``path``: a :class:`Hashed` or a :class:`Rejected`."""
    try:
        with open_source(path) as handle:
            stamp = _stamp(handle)
            return Hashed(hash_file(handle), stamp)
    except ValidationError as error:
        return _rejected(error)
    except OSError as error:
        return read_error(error)


def prepare_task(path, hashed, fields, dry_run):
    """Check, decode and render the file; unless ``dry_run``, write its files
    and return the unsaved :class:`~gallery.models.Image` (``None`` in a dry
    run), or a :class:`Rejected`. ``fields`` are ``build_image``'s keywords."""
    try:
        handle = open_source(path)
    except OSError as error:
        return read_error(error)
    with handle:
        try:
            stamp = _stamp(handle)
            digest = hashed.digest if stamp == hashed.stamp else None
            prepared = prepare_image(
                handle,
                filename=path.name,
                digest=digest,
                file_time=file_time(stamp[1]),
            )
        except ValidationError as error:
            return _rejected(error)
        except OSError as error:
            return read_error(error)
        if dry_run:
            return None
        image = build_image(prepared, **fields)
        try:
            write_image_files(image, prepared, handle, journal=_journal)
        except ValidationError as error:  # storage_failed: disk full, outage
            return _rejected(error)
    return image


def file_time(mtime_ns):
    """A file's modification time as a date taken, or None when it cannot be
    one (before photography, in the future, or past the year 9999)."""
    try:
        moment = datetime.fromtimestamp(mtime_ns / 1e9, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    if moment.year < EARLIEST_YEAR or moment > datetime.now(UTC) + FUTURE_SLACK:
        return None
    return moment


def _stamp(handle):
    stat = os.fstat(handle.fileno())
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def _rejected(error):
    return Rejected(error.code or "invalid", error.messages[0])


def read_error(error):
    """A :class:`Rejected` that says why a file could not be read."""
    if isinstance(error, FileNotFoundError):
        return Rejected("vanished", "The file disappeared before it could be read.")
    if isinstance(error, PermissionError):
        return Rejected("unreadable", "Permission denied: the file cannot be read.")
    if isinstance(error, IsADirectoryError):
        return Rejected("unreadable", "This is a folder, not a file.")
    return Rejected(
        "unreadable", f"The file cannot be read: {error.strerror or error}."
    )

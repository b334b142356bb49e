"""Copying every stored file from one media store to another, verified.

``manage.py migrate_storage`` runs this. Every file an ``Image`` row names is
copied under the same name, then read back from the destination and its
SHA-256 compared with the source's (and, for originals, with the hash recorded
at upload). It is safe to interrupt and run again: a file the destination
already holds with the same bytes is skipped, a different one is replaced.
"""

import hashlib
import tempfile
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass

from django.core.files import File

from .models import Image
from .objectstore import open_stream

COPIED, PRESENT, WOULD_COPY, FAILED = "copied", "present", "would copy", "failed"
CHUNK_SIZE = 1024 * 1024
# Files up to this size are staged in memory on their way; larger ones on disk.
SPOOL_BYTES = 16 * 2**20


@dataclass(frozen=True)
class Outcome:
    name: str
    status: str
    reason: str = ""


def referenced_files():
    """``(name, sha256 or None)`` for every file an image row names: originals
    carry the hash recorded at upload, renditions none. Streams the rows."""
    rows = Image.objects.order_by("pk").values_list(
        "original", "sha256", "display", "thumbnail"
    )
    for original, sha256, display, thumbnail in rows.iterator(chunk_size=2000):
        yield original, sha256
        for name in (display, thumbnail):
            if name:
                yield name, None


def count_referenced_files():
    return Image.objects.count() * 3


def migrate_files(source, destination, *, dry_run=False, jobs=4):
    """Copy every referenced file from ``source`` to ``destination`` storage,
    ``jobs`` at a time; yields an :class:`Outcome` per file as each finishes."""
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        yield from in_parallel(
            pool,
            lambda item: copy_file(source, destination, *item, dry_run),
            referenced_files(),
            jobs,
        )


def in_parallel(pool, work, items, jobs):
    """``work(item)`` for each of ``items`` on ``pool``, results as they
    come; a bounded window keeps memory flat at millions of items."""
    pending = set()
    for item in items:
        pending.add(pool.submit(work, item))
        if len(pending) >= jobs * 4:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from (future.result() for future in done)
    yield from (future.result() for future in pending)


def copy_file(source, destination, name, expected_sha256=None, dry_run=False):
    """Copy one file and verify it; never raises, the outcome says what went on."""
    try:
        return _copy_file(source, destination, name, expected_sha256, dry_run)
    except Exception as exc:  # one bad file must not stop a long migration
        return Outcome(name, FAILED, f"{type(exc).__name__}: {exc}")


def _copy_file(source, destination, name, expected_sha256, dry_run):
    if destination.exists(name):
        if digest(destination, name) == digest(source, name):
            return Outcome(name, PRESENT)
        if not dry_run:
            destination.delete(name)  # a partial or stale copy: replace it
    if dry_run:
        return Outcome(name, WOULD_COPY)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as staged:
        sha256, size = digest(source, name, copy_to=staged)
        staged.seek(0)
        if expected_sha256 and sha256 != expected_sha256:
            return Outcome(name, FAILED, "the source no longer matches its upload hash")
        saved = destination.save(name, File(staged, name=name))
    if saved != name:
        return Outcome(name, FAILED, f"the destination stored it as {saved}")
    if digest(destination, name) != (sha256, size):
        return Outcome(name, FAILED, "the copy read back differs from the source")
    return Outcome(name, COPIED)


def digest(storage, name, copy_to=None):
    """``(sha256 hex, size)`` of ``name`` as ``storage`` holds it, read in
    chunks; the bytes are also written to ``copy_to`` when given."""
    sha, size = hashlib.sha256(), 0
    with open_stream(storage, name) as stream:
        while chunk := stream.read(CHUNK_SIZE):
            sha.update(chunk)
            size += len(chunk)
            if copy_to is not None:
                copy_to.write(chunk)
    return sha.hexdigest(), size

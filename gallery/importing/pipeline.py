"""The bulk import: a streamed walk, a pool of worker processes, batched rows.

The main process walks the folders lazily and keeps a bounded window of
files in flight (``workers * 8``), so memory is the same for a thousand files
or a million. Each file goes to a worker to be hashed; the main process looks
the SHA-256 up in the (owner, sha256) unique index and, if the owner does not
have the bytes yet, sends it back to a worker to be decoded, rendered and
written to storage (``gallery.importing.tasks``). The unsaved rows come back
and are inserted by ``insert_images`` in one transaction per batch. A result is
yielded for a file only once it is final: its row committed, or it rejected.

Files with the same bytes in one run are claimed by the first one met; the
others wait for it and become its duplicates (or get their own try, if the
first could not be read). A killed run leaves files without rows only in the
journal's keeping (``gallery.importing.journal``), and the next run removes
them before it starts.

Each new file must fit in the owner's quota: its room is reserved once it is
hashed and found new (before any decoding), kept when its row commits and
given back as soon as it is not stored; a file with no room left is rejected
and the run goes on with the others (smaller ones may still fit).
"""

import logging
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from ..formats import NOT_PHOTO_SUFFIXES
from ..models import Image, Visibility
from ..services import first_error
from ..services.quotas import quota_ledger
from ..services.storing import delete_stored_files, existing_image, insert_images
from ..services.uploads import duplicate_outcome
from . import journal
from .albums import AlbumFiller, album_title
from .manifest import Manifest
from .results import DUPLICATE, IMPORTED, REJECTED, SKIPPED, WOULD_IMPORT, ImportResult
from .tasks import (
    Hashed,
    Rejected,
    default_workers,
    hash_task,
    prepare_task,
    worker_pool,
)
from .walk import iter_files

logger = logging.getLogger(__name__)

# A batch is committed when full, or when its oldest row has waited this long,
# so that progress is saved steadily even when images are slow to render.
COMMIT_INTERVAL = 1.0
IN_FLIGHT_PER_WORKER = 8
TITLE_FROM = ("filename", "path")


@dataclass(frozen=True)
class ImportOptions:
    owner: object
    visibility: str = Visibility.PRIVATE
    description: str = ""
    title_from: str = "filename"
    manifest: Manifest | None = None
    dry_run: bool = False
    workers: int = field(default_factory=default_workers)
    batch_size: int = 100
    album: str = ""
    album_from: str = ""
    album_order: str | None = None


def import_images(roots, **options):
    """Import every file under ``roots``; yields one
    :class:`~gallery.importing.results.ImportResult` per file as it becomes
    final. ``options`` are :class:`ImportOptions` fields (``owner`` required).
    Closing the generator early stops the run; nothing half-done remains.
    With ``album`` or ``album_from``, imported and duplicate images go in
    their albums (see :mod:`gallery.importing.albums`), except in a dry run."""
    options = ImportOptions(**options)
    folder = None if options.dry_run else journal.journal_dir()
    if folder:
        journal.sweep(folder)
    held = journal.QuotaJournal(options.owner, folder) if folder else None
    try:
        with (
            bounded_database_cache(),
            quota_ledger(options.owner, dry_run=options.dry_run, journal=held) as quota,
            worker_pool(options.workers, folder) as pool,
        ):
            results = _Run(roots, options, pool, quota).results()
            if options.dry_run or not (options.album or options.album_from):
                yield from results
            else:
                filler = AlbumFiller(
                    options.owner,
                    batch_size=options.batch_size,
                    order=options.album_order,
                )
                yield from filler.filled(results)
    finally:
        if held:
            held.close()
        # The workers are gone: whatever they wrote without a row goes now.
        if folder:
            journal.sweep(folder)


# SQLite's page cache and memory map are sized in settings for the web site;
# in an import that writes hundreds of thousands of rows they would fill up
# with the growing database and make the run's memory grow with it. The import
# only looks up and inserts single index entries, which a small cache serves
# about as well (bench/ingest.py's database ratio).
IMPORT_SQLITE_PRAGMAS = {"cache_size": -16384, "mmap_size": 0}


@contextmanager
def bounded_database_cache():
    """Keep this connection's SQLite cache small while the import runs."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        before = {}
        for pragma, value in IMPORT_SQLITE_PRAGMAS.items():
            row = cursor.execute(f"PRAGMA {pragma}").fetchone()
            if row:  # an in-memory database has no memory map
                before[pragma] = row[0]
                cursor.execute(f"PRAGMA {pragma} = {value}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for pragma, value in before.items():
                cursor.execute(f"PRAGMA {pragma} = {value}")


def store_folders():
    """Where imagerepo keeps its own files: never walked by an import."""
    return [settings.MEDIA_ROOT, journal.journal_dir()]


@dataclass(slots=True)
class _Item:
    found: object
    hashed: Hashed | None = None
    album: str | None = None

    @property
    def sha256(self):
        return self.hashed.digest.sha256


class _Run:
    def __init__(self, roots, options, pool, quota):
        self.options, self.pool, self.quota = options, pool, quota
        self.files = iter_files(roots, skip=store_folders())
        self.exhausted = False
        self.window = max(options.workers, 1) * IN_FLIGHT_PER_WORKER
        self.in_flight = {}  # future -> (task, _Item)
        self.claims = {}  # sha256 -> deque of _Items with the same bytes
        self.waiting = 0
        self.batch = []  # (_Item, unsaved Image)
        self.batch_started = 0.0
        # A dry run stores nothing, so the database cannot tell it that bytes
        # seen earlier in this run would already be in: it keeps their digests
        # here, 8 bytes each as a number (about 50 bytes a file in a set; an
        # accidental match is one in 10^19, and only miscounts a dry run).
        self.would_import = set()

    def results(self):
        while True:
            yield from self._fill()
            if not (self.in_flight or self.batch):
                return
            yield from self._collect()
            if self._batch_due():
                yield from self._commit()

    # ------------------------------------------------------------ feeding

    def _fill(self):
        while not self.exhausted and len(self.in_flight) + self.waiting < self.window:
            found = next(self.files, None)
            if found is None:
                self.exhausted = True
            elif found.error is not None:
                reason = f"The folder cannot be read: {found.error.strerror}."
                yield _result(_Item(found), REJECTED, Rejected("unreadable", reason))
            elif found.link:
                # Said, not skipped in silence: a linked folder of photos
                # would otherwise be left out without a word.
                reason = (
                    "A symbolic link, not followed (an import stays in the "
                    "folders it is given): import what it points to by its path."
                )
                yield _result(_Item(found), SKIPPED, Rejected("symlink", reason))
            elif found.path.suffix.lower() in NOT_PHOTO_SUFFIXES:
                reason = f"Not a photo ({found.path.suffix.lower()}): left out."
                yield _result(_Item(found), SKIPPED, Rejected("not_a_photo", reason))
            else:
                try:
                    album = album_title(
                        found,
                        album=self.options.album,
                        album_from=self.options.album_from,
                    )
                except ValidationError as error:
                    _, first = first_error(error)
                    reason = f"Its folder cannot name an album: {first.messages[0]}"
                    yield _result(_Item(found), REJECTED, Rejected(first.code, reason))
                    continue
                self._submit(hash_task, _Item(found, album=album), found.path)

    def _submit(self, task, item, *args):
        self.in_flight[self.pool.submit(task, *args)] = (task, item)

    def _submit_prepare(self, item):
        fields = self._fields(item.found)
        self._submit(
            prepare_task,
            item,
            item.found.path,
            item.hashed,
            fields,
            self.options.dry_run,
        )

    def _fields(self, found):
        options = self.options
        entry = options.manifest.lookup(found) if options.manifest else None
        title = entry.title if entry else ""
        if not title and options.title_from == "path":
            title = found.relative.with_suffix("").as_posix()
        return {
            "owner": options.owner.pk,
            "title": title,
            "description": (entry and entry.description) or options.description,
            "visibility": (entry and entry.visibility) or options.visibility,
        }

    # ------------------------------------------------------------ results

    def _collect(self):
        if not self.in_flight:
            return
        done, _ = wait(self.in_flight, COMMIT_INTERVAL, FIRST_COMPLETED)
        for future in done:
            task, item = self.in_flight.pop(future)
            outcome = _outcome(future)
            if task is hash_task:
                yield from self._hashed(item, outcome)
            else:
                yield from self._prepared(item, outcome)

    def _hashed(self, item, outcome):
        if isinstance(outcome, Rejected):
            yield _result(item, REJECTED, outcome)
            return
        item.hashed = outcome
        if item.sha256 in self.claims:
            self.claims[item.sha256].append(item)
            self.waiting += 1
            return
        existing = existing_image(self.options.owner, item.sha256)
        if existing:
            yield self._duplicate(item, existing, self._fields(item.found))
            return
        if _short_digest(item.sha256) in self.would_import:
            yield _result(item, DUPLICATE)
            return
        refused = self._reserve(item)
        if refused:
            yield refused
            return
        self.claims[item.sha256] = deque()
        self._submit_prepare(item)

    def _reserve(self, item, size=None):
        """Room in the owner's quota for ``item``, held under its digest
        until its row commits; a rejection (its result) if there is none."""
        try:
            self.quota.take(item.sha256, size or item.hashed.digest.size)
        except ValidationError as error:
            return _result(item, REJECTED, Rejected(error.code, error.messages[0]))
        return None

    def _duplicate(self, item, image, fields):
        """The owner already has ``item``'s bytes as ``image``: asked private,
        it becomes private, as with any upload (not in a dry run)."""
        if self.options.dry_run:
            return _result(item, DUPLICATE, image_id=image.pk)
        name = item.found.path.name
        outcome = duplicate_outcome(image, name=name, visibility=fields["visibility"])
        return _result(item, DUPLICATE, image_id=image.pk, note=outcome)

    def _prepared(self, item, outcome):
        if isinstance(outcome, Rejected):
            self.quota.give_back(item.sha256)
            yield _result(item, REJECTED, outcome)
            yield from self._next_claimant(item.sha256)
        elif outcome is None:
            self.quota.keep(item.sha256)  # counts against the next files
            self.would_import.add(_short_digest(item.sha256))
            yield _result(item, WOULD_IMPORT)
            yield from self._duplicates_of(item.sha256, image_id=None)
        elif outcome.file_size != item.hashed.digest.size:
            yield from self._resized(item, outcome)
        else:
            self._add_to_batch(item, outcome)

    def _resized(self, item, image):
        # The file changed between its two reads: its room is reserved anew
        # for the bytes actually written.
        self.quota.give_back(item.sha256)
        refused = self._reserve(item, image.file_size)
        if refused:
            delete_stored_files(image.stored_files())
            yield refused
            yield from self._next_claimant(item.sha256)
        else:
            self._add_to_batch(item, image)

    def _add_to_batch(self, item, image):
        if not self.batch:
            self.batch_started = time.monotonic()
        self.batch.append((item, image))

    def _next_claimant(self, sha256):
        # The same bytes under another name get their own try: the first
        # copy may have been unreadable, or may have vanished.
        waiters = self.claims[sha256]
        while waiters:
            self.waiting -= 1
            item = waiters.popleft()
            refused = self._reserve(item)
            if not refused:
                self._submit_prepare(item)
                return
            yield refused
        del self.claims[sha256]

    def _duplicates_of(self, sha256, image_id):
        for item in self.claims.pop(sha256, ()):
            self.waiting -= 1
            yield _result(item, DUPLICATE, image_id=image_id)

    # ------------------------------------------------------------ the batch

    def _batch_due(self):
        if not self.batch:
            return False
        return (
            len(self.batch) >= self.options.batch_size
            or not self.in_flight
            or time.monotonic() - self.batch_started >= COMMIT_INTERVAL
        )

    def _commit(self):
        # Taken off first: whatever happens below, no row is tried twice.
        batch, self.batch = self.batch, []
        try:
            stored = insert_images([image for _, image in batch])
        except BaseException:
            self._keep_landed(batch)
            raise
        results = []
        for (item, built), image in zip(batch, stored, strict=True):
            if image.is_duplicate:  # another run stored these bytes meanwhile
                self.quota.give_back(item.sha256)
                fields = {"visibility": built.visibility}
                results.append(self._duplicate(item, image, fields))
            else:
                self.quota.keep(item.sha256)
                results.append(_result(item, IMPORTED, image_id=image.pk))
            results.extend(self._duplicates_of(item.sha256, image.pk))
        yield from results

    def _keep_landed(self, batch):
        # A batch retried row by row may fail half-way: the rows already in
        # keep their room, whatever the run's end gives back.
        landed = set(
            Image.objects.filter(pk__in=[image.pk for _, image in batch]).values_list(
                "pk", flat=True
            )
        )
        for item, image in batch:
            if image.pk in landed:
                self.quota.keep(item.sha256)


def _short_digest(sha256):
    return int(sha256[:16], 16)


def _outcome(future):
    try:
        return future.result()
    except BrokenProcessPool:
        raise  # a worker was killed (out of memory?): the run cannot go on
    except Exception as error:
        # A bug, not a bad file; logged in full, and the run goes on.
        logger.exception("Import task failed")
        return Rejected("error", f"Unexpected error: {error!r}")


def _result(item, outcome, rejected=None, image_id=None, note=None):
    """``note``: a duplicate's outcome from the upload service, whose code and
    message say whether its visibility changed."""
    code = reason = None
    if rejected:
        code, reason = rejected.code, rejected.reason
    elif note and note.code != "duplicate":
        code, reason = note.code, note.message
    return ImportResult(
        path=item.found.path,
        outcome=outcome,
        image_id=str(image_id) if image_id else None,
        reason=reason,
        code=code,
        album=None if outcome in (REJECTED, SKIPPED) else item.album,
    )

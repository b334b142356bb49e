"""``imagerepo-client upload``: leave out what is no photo, hash, skip what the
server has, send the rest with a bounded number of requests in flight."""

import asyncio
import hashlib
import os
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import httpx

from .api import UPLOAD_LIMIT_CODE, ApiError, AuthError

UPLOADED, DUPLICATE, REJECTED, FAILED = "uploaded", "duplicate", "rejected", "failed"
SKIPPED = "skipped"  # not a photo by its name: never hashed nor sent
# Hashes asked about per check-hashes request (the server allows up to 1,000).
HASH_BATCH = 200
CHUNK = 1024 * 1024

# Files that lie beside photos and are never one: sidecars (a photo export's
# .json for every photo, .xmp, .aae, .thm), systems' own files, notes, videos.
# The server's import_images leaves out the same ones
# (gallery.formats.NOT_PHOTO_SUFFIXES); the list is copied rather than
# imported because the client is installed without the server, and a test
# fails if the two ever differ.
NOT_PHOTO_SUFFIXES = frozenset(
    [
        ".aae",
        ".db",
        ".ini",
        ".json",
        ".lnk",
        ".txt",
        ".thm",
        ".xmp",
        ".3gp",
        ".avi",
        ".m2ts",
        ".m4v",
        ".mkv",
        ".mov",
        ".mp4",
        ".mpeg",
        ".mpg",
        ".mts",
        ".webm",
        ".wmv",
    ]
)


class UploadStopped(Exception):
    """The server will take no more files for now (hourly upload limit)."""


@dataclass(frozen=True)
class Outcome:
    path: Path
    status: str
    reason: str = ""
    code: str = ""  # the server's, for a rejection


# Rejections that say something of a file's bytes, and so of every copy of
# them: another copy is not sent. (A storage failure or an interrupted
# request says nothing of them: the next copy is tried.) The server's codes
# (gallery.limits.UPLOAD_REJECTIONS), copied for the reason given above; a
# test fails if one is not the server's any more.
REJECTED_FOR_ITS_BYTES = frozenset(
    [
        "empty",
        "file_too_large",
        "not_an_image",
        "unsupported_format",
        "corrupt_image",
        "too_many_pixels",
        "too_many_frames",
    ]
)


def iter_files(roots):
    """Every regular file under ``roots``, one at a time, in a stable order;
    hidden files and symlinks are left alone (as ``import_images`` does)."""
    for root in map(Path, roots):
        if root.is_file():
            yield root
            continue
        for folder, dirs, files in os.walk(root, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                path = Path(folder, name)
                if not name.startswith(".") and not path.is_symlink():
                    yield path


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def batches(items, size):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class Uploader:
    """Runs one upload: a producer hashes files in batches and asks the server
    which it already has; ``concurrency`` workers send the others. The queue
    between them is bounded, so memory stays flat for any number of files."""

    def __init__(
        self, api, *, visibility, description, concurrency, report, album=None
    ):
        self.api = api
        self.fields = {"visibility": visibility, "description": description}
        if album:
            self.fields["album"] = album  # an album id
        self.concurrency = concurrency
        self.report = report  # called with each Outcome as it happens
        self.counts = Counter()
        # Each digest sent in this run: the outcome of its file, None while
        # it is on its way; and the later files with the same bytes waiting
        # for it, which then fare as it did (not "duplicate" of a refusal).
        self._seen = {}
        self._copies = defaultdict(list)

    async def run(self, paths):
        """Upload ``paths``; returns the Counter of outcomes. A refused token
        stops everything (TaskGroup cancels the rest and re-raises it)."""
        queue = asyncio.Queue(maxsize=self.concurrency * 2)
        async with asyncio.TaskGroup() as group:
            for _ in range(self.concurrency):
                group.create_task(self._worker(queue))
            group.create_task(self._produce(paths, queue))
        return self.counts

    def _record(self, outcome):
        self.counts[outcome.status] += 1
        self.report(outcome)

    async def _produce(self, paths, queue):
        hashing = asyncio.Semaphore(self.concurrency)
        for batch in batches(self._photos(paths), HASH_BATCH):
            digests = await asyncio.gather(*(self._hash(p, hashing) for p in batch))
            fresh = {d for d in digests if d and d not in self._seen}
            known = await self._known(fresh)
            for path, digest in zip(batch, digests, strict=True):
                if digest is None:
                    continue
                if digest in known:
                    self._record(_duplicate(path, known[digest]))
                elif digest not in self._seen:
                    self._seen[digest] = None
                    await queue.put((path, digest))
                elif self._seen[digest] is None:
                    self._copies[digest].append(path)
                else:
                    self._record(_copy(path, self._seen[digest]))
        for _ in range(self.concurrency):
            await queue.put(None)  # one "no more work" for each worker

    def _photos(self, paths):
        """``paths`` less the files that are no photos by their names, each of
        those recorded as skipped (a named file too, as import_images does)."""
        for path in paths:
            suffix = Path(path).suffix.lower()
            if suffix in NOT_PHOTO_SUFFIXES:
                self._record(
                    Outcome(path, SKIPPED, f"not a photo ({suffix}): left out")
                )
            else:
                yield path

    async def _known(self, digests):
        if not digests:
            return {}
        return await self.api.check_hashes(
            sorted(digests),
            visibility=self.fields["visibility"],
            album=self.fields.get("album"),
        )

    async def _hash(self, path, hashing):
        async with hashing:
            try:
                return await asyncio.to_thread(sha256_of, path)
            except OSError as error:
                reason = f"cannot read the file: {error.strerror or error}"
                self._record(Outcome(path, REJECTED, reason))
                return None

    async def _worker(self, queue):
        while (item := await queue.get()) is not None:
            path, digest = item
            while True:
                outcome = await self._send(path)
                self._record(outcome)
                waiting = self._copies.get(digest)
                if _settles(outcome) or not waiting:
                    break
                path = waiting.pop(0)  # failed for no fault of its bytes
            if _settles(outcome):
                self._seen[digest] = outcome
                for copy in self._copies.pop(digest, ()):
                    self._record(_copy(copy, outcome))
            else:
                del self._seen[digest]  # a copy found later is tried afresh

    async def _send(self, path):
        try:
            result = await self.api.upload(path, **self.fields)
        except AuthError:
            raise
        except ApiError as error:
            return Outcome(path, REJECTED, error.message, error.code)
        except (httpx.TransportError, OSError) as error:
            return Outcome(path, FAILED, _describe(error))
        if result["outcome"] == "rejected":
            if result["code"] == UPLOAD_LIMIT_CODE:
                raise UploadStopped(result["message"])
            return Outcome(path, REJECTED, result["message"], result["code"])
        if result["outcome"] == "duplicate":
            return _duplicate(path, result)
        return Outcome(path, UPLOADED)


def _duplicate(path, result):
    """A file the server already had; the reason says so when its
    visibility was kept (asked public, it stays private) or changed (asked
    private, it is now private)."""
    changed = result["code"] != "duplicate"
    return Outcome(path, DUPLICATE, result["message"] if changed else "")


def _settles(outcome):
    """Whether ``outcome`` holds for every file with the same bytes."""
    if outcome.status == REJECTED:
        return outcome.code in REJECTED_FOR_ITS_BYTES
    return outcome.status in (UPLOADED, DUPLICATE)


def _copy(path, first):
    """A file with the same bytes as ``first``, a file sent in this run
    whose outcome :func:`_settles` it: a duplicate of what went in, or
    refused as that was."""
    if first.status == REJECTED:
        return Outcome(path, REJECTED, first.reason, first.code)
    return Outcome(path, DUPLICATE)


def _describe(error):
    if isinstance(error, OSError):
        return f"cannot read the file: {error.strerror or error}"
    return f"gave up after retries: {error.__class__.__name__} {error}".strip()


def summary(counts):
    line = (
        f"{counts[UPLOADED]} uploaded, {counts[DUPLICATE]} duplicates, "
        f"{counts[REJECTED]} rejected"
    )
    if counts[FAILED]:
        line += f", {counts[FAILED]} failed"
    if counts[SKIPPED]:
        line += f", {counts[SKIPPED]} skipped (not photos)"
    return line + "."

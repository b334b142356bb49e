"""Stored files checked against their rows (``check_media``), and set right
where that is safe; and a search index out of step with the rows.

A crash at the wrong moment can leave a file no row points to (written, then
the process died before its row committed) or, after manual meddling or a
lost disk, a row whose file is gone. Uploads in flight look exactly like the
first kind for a moment, so only files older than ``min_age`` count (every
file, at zero). A disk, a copy or a restore can also damage a file in place,
which only reading it shows: ``verify`` compares every original with the
SHA-256 recorded at upload and decodes every rendition in full.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db.models import Count, Sum
from django.utils import timezone

from .media_verify import (
    MISSING,
    OUTDATED,
    BadFile,
    no_progress,
    repair_renditions,
    verify_files,
)
from .models import Account, Image, OrphanedFile
from .search import rebuild_search_index, search_index_in_step
from .services.quotas import recount_usage
from .services.renditions import thumbnail_outdated
from .services.storing import delete_orphaned_files

# Where the upload_to functions put files; nothing else in storage is ours.
MEDIA_FOLDERS = ("originals", "renditions")
QUARANTINE = "orphans"
KINDS = ("original", "thumbnail", "display")
SIZES = ("display_width", "display_height", "thumbnail_width", "thumbnail_height")


@dataclass(frozen=True)
class ImageLabel:
    """What a person needs to recognise an image in a list."""

    title: str
    owner: str
    trashed: bool


@dataclass
class MediaReport:
    orphans: list = field(default_factory=list)  # file names without a row
    bad: list = field(default_factory=list)  # BadFile, by image
    images: dict = field(default_factory=dict)  # ImageLabel of each image in bad
    too_new: int = 0  # files without a row, but maybe an upload in flight
    # Files of images deleted for good whose deletion did not finish (a
    # crash or a storage outage): known, queued, not orphans.
    queued: int = 0
    queue_finished: int = 0  # of those, deleted by --fix
    # Accounts whose quota counters differ from what they store (a process
    # killed while it held a reservation): (user id, username, counted,
    # stored), each of the last two an (images, bytes) pair.
    usage: list = field(default_factory=list)
    recounted: bool = False
    files_seen: int = 0
    rows_seen: int = 0
    verified: bool = False  # every byte read, not only the names listed
    moved_to: str = ""
    repaired: list = field(default_factory=list)  # BadFile re-rendered by --fix
    unrepaired: list = field(default_factory=list)  # (BadFile, why not)
    search_index_in_step: bool = True

    @property
    def missing(self):
        return [bad for bad in self.bad if bad.problem == MISSING]

    @property
    def damaged(self):
        return [bad for bad in self.bad if bad.problem not in (MISSING, OUTDATED)]

    @property
    def outdated(self):
        return [bad for bad in self.bad if bad.problem == OUTDATED]

    @property
    def bad_originals(self):
        return [bad for bad in self.bad if bad.kind == "original"]

    @property
    def bad_renditions(self):
        return [bad for bad in self.bad if bad.kind != "original"]

    @property
    def clean(self):
        return (
            not self.orphans
            and not self.bad
            and not self.queued
            and not self.usage
            and self.search_index_in_step
        )


def walk_files(storage=default_storage, folders=MEDIA_FOLDERS):
    """Every file name under ``folders`` in ``storage``, recursively."""
    for folder in folders:
        yield from _walk(storage, folder)


def _walk(storage, folder):
    # No exists() check first: a bucket has no folders, only key prefixes.
    try:
        subfolders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}"
    for sub in sorted(subfolders):
        yield from _walk(storage, f"{folder}/{sub}")


def check_media(
    *,
    min_age=timedelta(hours=1),
    verify=False,
    jobs=4,
    storage=default_storage,
    progress=no_progress,
):
    """Compare every stored file with every row and, with ``verify``, read
    every file an image names, ``jobs`` at a time. Returns a
    :class:`MediaReport`. ``progress(items, desc=..., total=...)`` wraps
    each long loop (e.g. in a tqdm bar)."""
    report = MediaReport(verified=verify)
    expected = {}
    outdated = []
    size = settings.IMAGEREPO_THUMBNAIL_SIZE
    rows = Image.objects.values_list("pk", *KINDS, *SIZES).order_by()
    for pk, *row in rows.iterator(chunk_size=2000):
        names, sizes = row[: len(KINDS)], row[len(KINDS) :]
        report.rows_seen += 1
        expected.update(
            (name, (pk, kind)) for kind, name in zip(KINDS, names, strict=True)
        )
        if all(sizes) and thumbnail_outdated(sizes[:2], sizes[2:], size):
            outdated.append(BadFile(pk, "thumbnail", names[1], OUTDATED))
    found = _compare_files(report, expected, min_age, storage, progress)
    report.bad = [
        BadFile(pk, kind, name, MISSING)
        for name, (pk, kind) in expected.items()
        if name not in found
    ]
    report.bad += [bad for bad in outdated if bad.name in found]
    if verify:
        # An outdated thumbnail is not read: --fix makes it again anyway.
        known = {bad.name for bad in report.bad}
        report.bad += verify_files(storage, jobs=jobs, skip=known, progress=progress)
    _label(report)
    # Only with every file counted (the site stopped, as for a crash): an
    # upload in flight holds room its row does not show yet.
    report.usage = [] if min_age else usage_out_of_step()
    # After a restore, the search index may point words at the wrong images.
    report.search_index_in_step = search_index_in_step()
    return report


def usage_out_of_step():
    """Accounts whose counters differ from what their images hold, as
    ``(user id, username, (images, bytes) counted, (images, bytes) stored)``."""
    totals = (
        Image.objects.order_by()
        .values("owner")
        .annotate(images=Count("pk"), size=Sum("file_size"))
    )
    stored = {row["owner"]: (row["images"], row["size"]) for row in totals}
    counted = Account.objects.values_list("user_id", "images_stored", "bytes_stored")
    found = []
    for user_id, images, size in counted.iterator(chunk_size=2000):
        actual = stored.pop(user_id, (0, 0))
        if (images, size) != actual:
            found.append((user_id, (images, size), actual))
    found += [(user_id, (0, 0), actual) for user_id, actual in stored.items()]
    users = get_user_model().objects.filter(pk__in=[row[0] for row in found])
    names = dict(users.values_list("pk", users.model.USERNAME_FIELD))
    return [(pk, names.get(pk, ""), counted, actual) for pk, counted, actual in found]


def _compare_files(report, expected, min_age, storage, progress):
    found = set()
    cutoff = timezone.now() - min_age
    queued = set(OrphanedFile.objects.values_list("name", flat=True))
    for name in progress(walk_files(storage), desc="Listing files", unit=" files"):
        found.add(name)
        if name in expected:
            continue
        if name in queued:
            report.queued += 1
            continue
        # At zero age every file counts, whatever the store's clock says.
        if min_age and storage.get_modified_time(name) > cutoff:
            report.too_new += 1
        else:
            report.orphans.append(name)
    report.files_seen = len(found)
    return found


def _label(report):
    """Name and order the images in ``report.bad``; drop those deleted while
    they were checked (their files went with them: nothing is wrong)."""
    ids = list({bad.image_id for bad in report.bad})
    owner = f"owner__{get_user_model().USERNAME_FIELD}"
    for start in range(0, len(ids), 500):
        rows = Image.objects.filter(pk__in=ids[start : start + 500]).values_list(
            "pk", "title", owner, "trashed_at"
        )
        for pk, title, username, trashed_at in rows:
            report.images[pk] = ImageLabel(title, username, trashed_at is not None)
    report.bad = sorted(
        (bad for bad in report.bad if bad.image_id in report.images),
        key=lambda bad: (str(bad.image_id), KINDS.index(bad.kind)),
    )


def fix_media(report, *, progress=no_progress):
    """Set right what ``report`` found, where that is safe, and note it in
    the report: files without a row moved aside, deletions left queued
    finished, renditions rendered again, counters recounted, the search
    index rebuilt. A bad original is left for a backup to restore."""
    if report.orphans:
        report.moved_to = move_aside(report.orphans)
    if report.queued:
        left = delete_orphaned_files()
        report.queue_finished = max(report.queued - left, 0)
        report.queued = left
    if report.bad_renditions:
        report.repaired, report.unrepaired = repair_renditions(
            report.bad, progress=progress
        )
    if report.usage:
        recount_usage([user_id for user_id, *_ in report.usage])
        report.recounted = True
    if not report.search_index_in_step:
        rebuild_search_index()


def move_aside(names, storage=default_storage):
    """Move ``names`` into a dated folder under ``orphans/`` (kept, not served:
    no URL leads there), so nothing is lost if a file turns out to matter.
    Returns that folder's name."""
    folder = f"{QUARANTINE}/{timezone.now():%Y%m%d-%H%M%S}"
    for name in names:
        with storage.open(name, "rb") as source:
            storage.save(str(PurePosixPath(folder, name)), source)
        storage.delete(name)
    return folder

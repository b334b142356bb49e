"""Files and rows that lost each other, found and set right (``check_media``),
and a search index out of step with the rows.

A crash at the wrong moment can leave a file no row points to (written, then
the process died before its row committed) or, after manual meddling or a
lost disk, a row whose file is gone. Uploads in flight look exactly like the
first kind for a moment, so only files older than ``min_age`` count.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePosixPath

from django.core.files.storage import default_storage
from django.utils import timezone

from .models import Image
from .search import search_index_in_step

# Where the upload_to functions put files; nothing else in storage is ours.
MEDIA_FOLDERS = ("originals", "renditions")
QUARANTINE = "orphans"
KINDS = ("original", "thumbnail", "display")


@dataclass
class MediaReport:
    orphans: list = field(default_factory=list)  # file names without a row
    missing: list = field(default_factory=list)  # (image id, kind, file name)
    too_new: int = 0  # files without a row, but maybe an upload in flight
    files_seen: int = 0
    rows_seen: int = 0
    moved_to: str = ""
    search_index_in_step: bool = True

    @property
    def clean(self):
        return not self.orphans and not self.missing and self.search_index_in_step


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


def check_media(*, min_age=timedelta(hours=1), storage=default_storage, progress=iter):
    """Compare every stored file with every row; returns a :class:`MediaReport`.
    ``progress`` wraps the file walk (e.g. a tqdm bar)."""
    report = MediaReport()
    expected = {}
    rows = Image.objects.values_list("pk", *KINDS).order_by()
    for pk, *names in rows.iterator(chunk_size=2000):
        report.rows_seen += 1
        expected.update(
            (name, (pk, kind)) for kind, name in zip(KINDS, names, strict=True)
        )
    found = set()
    cutoff = timezone.now() - min_age
    for name in progress(walk_files(storage)):
        found.add(name)
        if name in expected:
            continue
        if storage.get_modified_time(name) > cutoff:
            report.too_new += 1
        else:
            report.orphans.append(name)
    report.files_seen = len(found)
    report.missing = [
        (pk, kind, name) for name, (pk, kind) in expected.items() if name not in found
    ]
    # After a restore, the search index may point words at the wrong images.
    report.search_index_in_step = search_index_in_step()
    return report


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

"""Reading every stored byte (``check_media --verify``), and renditions made
again where they went bad (``--fix``).

Files can be damaged in place, by a disk, a copy or a restore, and only
reading them shows it: every original must still have the SHA-256 recorded at
upload, every rendition must decode in full at the size its row records,
and match its own recorded SHA-256 where it has one. Renditions can always
be made again from their original.
"""

import hashlib
import io
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image as PILImage

from .models import Image
from .objectstore import open_stream
from .services.repair import RerenderFailed, renditions_rerender
from .storage_migration import digest, in_parallel

MISSING = "missing"
# A thumbnail that decodes but was made by an older rule or size setting.
OUTDATED = "made at an older thumbnail size"
RENDITIONS = ("thumbnail", "display")
RENDITION_FORMATS = ("JPEG", "WEBP")
ROW_FIELDS = (
    "pk",
    "original",
    "sha256",
    "file_size",
    "thumbnail",
    "thumbnail_width",
    "thumbnail_height",
    "thumbnail_sha256",
    "display",
    "display_width",
    "display_height",
    "display_sha256",
)


@dataclass(frozen=True)
class BadFile:
    """A file an image row names that is missing or not what was stored."""

    image_id: object
    kind: str  # "original", "thumbnail" or "display"
    name: str
    # MISSING, OUTDATED, "SHA-256 differs ...", "cannot be decoded: ..."
    problem: str


def no_progress(items, **description):
    return items


def verify_files(storage, *, jobs=4, skip=(), progress=no_progress):
    """A :class:`BadFile` for every file that images name (but those in
    ``skip``) whose bytes are not what was stored, reading ``jobs`` images
    at a time."""
    rows = Image.objects.order_by().values_list(*ROW_FIELDS, named=True)
    total = Image.objects.count()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        checked = in_parallel(
            pool,
            lambda row: verify_image(storage, row, skip),
            rows.iterator(chunk_size=2000),
            jobs,
        )
        for bad_files in progress(
            checked, desc="Verifying", unit=" images", total=total
        ):
            yield from bad_files


def verify_image(storage, row, skip=()):
    """The :class:`BadFile` list of one image row (see :data:`ROW_FIELDS`)."""
    checks = [("original", original_problem, (row.sha256, row.file_size))]
    for kind in RENDITIONS:
        size = (getattr(row, f"{kind}_width"), getattr(row, f"{kind}_height"))
        checks.append((kind, rendition_problem, (size, getattr(row, f"{kind}_sha256"))))
    bad = []
    for kind, check, expected in checks:
        name = getattr(row, kind)
        if name in skip:
            continue
        problem = check(storage, name, *expected)
        if problem:
            bad.append(BadFile(row.pk, kind, name, problem))
    return bad


def original_problem(storage, name, sha256, file_size):
    """What is wrong with an original, read in chunks, or None."""
    try:
        actual, size = digest(storage, name)
    except FileNotFoundError:
        return MISSING
    except Exception as error:  # one unreadable file must not stop the run
        return f"could not be read: {error}"
    if actual == sha256:
        return None
    if size < file_size:
        return f"SHA-256 differs: truncated, {size:,} of {file_size:,} bytes"
    if size > file_size:
        return f"SHA-256 differs: {size:,} bytes, {file_size:,} at upload"
    return "SHA-256 differs: same size, bytes changed"


def rendition_problem(storage, name, size, sha256=None):
    """What is wrong with a rendition, or None: its SHA-256 against the one
    recorded when it was made (``sha256``; None for renditions made before
    they were recorded), and decoded in full. Pillow refuses truncated data
    unless told otherwise (LOAD_TRUNCATED_IMAGES, never set here), so a
    cut-off file fails to load."""
    try:
        with open_stream(storage, name) as stream:
            data = stream.read()  # a rendition is small
    except FileNotFoundError:
        return MISSING
    except Exception as error:
        return f"could not be read: {error}"
    if not data:
        return "cannot be decoded: the file is empty"
    try:
        with PILImage.open(io.BytesIO(data), formats=RENDITION_FORMATS) as img:
            if img.size != tuple(size):
                return (
                    f"is {img.width}×{img.height} pixels, where the image "
                    f"row says {size[0]}×{size[1]}"
                )
            img.load()
    except PILImage.UnidentifiedImageError:
        return "cannot be decoded: not a JPEG or WebP image"
    except Exception as error:
        return f"cannot be decoded: {error}"
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        return "SHA-256 differs from the one recorded when it was made (it decodes)"
    return None


def repair_renditions(bad_files, progress=no_progress):
    """Render every bad rendition among ``bad_files`` again from its
    original, unless that original is bad too: only a backup can stand in
    for an original. Returns ``(repaired, unrepaired)``: the files rendered
    again, and ``(file, why not)`` for the rest."""
    bad_originals = {bad.image_id for bad in bad_files if bad.kind == "original"}
    by_image = defaultdict(list)
    for bad in bad_files:
        if bad.kind != "original":
            by_image[bad.image_id].append(bad)
    repaired, unrepaired = [], []
    work = progress(by_image.items(), desc="Rendering again", unit=" images")
    for pk, files in work:
        if pk in bad_originals:
            why = "its original is missing or damaged: restore that first"
        else:
            why = _rerender(pk, [bad.kind for bad in files])
        if why:
            unrepaired += [(bad, why) for bad in files]
        else:
            repaired += files
    return repaired, unrepaired


def _rerender(pk, kinds):
    """None once done, else why not."""
    try:
        renditions_rerender(Image.objects.get(pk=pk), kinds=kinds)
    except Image.DoesNotExist:
        return "the image was deleted meanwhile"
    except RerenderFailed as error:
        return str(error)
    except Exception as error:  # one image's trouble must not stop the rest
        return f"{type(error).__name__}: {error}"
    return None

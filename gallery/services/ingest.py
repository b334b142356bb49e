"""Reading an image's bytes: every way in checks them here.

:func:`hash_file` and :func:`prepare_image` are pure (they read, hash, decode
and render; no database, no storage), so ``import_images`` runs them in worker
processes and ``gallery.services.uploads`` in the request. Storing is
:mod:`gallery.services.storing`'s part.
"""

import hashlib
import logging
import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import ExifTags
from PIL import Image as PILImage

from .. import formats
from ..limits import file_too_large
from ..metadata import PhotoMetadata, TakenSource, read_metadata
from .renditions import Rendition, make_renditions, request_draft

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1024 * 1024
FILENAME_MAX_LENGTH = 255


@dataclass(frozen=True)
class Digest:
    sha256: str
    size: int


@dataclass(frozen=True)
class PreparedImage:
    """Everything learned from an upload's bytes; picklable, no DB or storage."""

    original_filename: str
    sha256: str
    file_size: int
    format: str
    width: int
    height: int
    display: Rendition
    thumbnail: Rendition
    metadata: PhotoMetadata


# ---------------------------------------------------------------- reading


def hash_file(file):
    """SHA-256 and size of ``file`` read in chunks, refusing empty or oversized
    files before the whole body has been read."""
    limit = settings.IMAGEREPO_MAX_UPLOAD_BYTES
    sha, size = hashlib.sha256(), 0
    file.seek(0)
    while chunk := file.read(CHUNK_SIZE):
        size += len(chunk)
        if size > limit:
            raise file_too_large()
        sha.update(chunk)
    if size == 0:
        raise ValidationError("The file is empty.", code="empty")
    return Digest(sha.hexdigest(), size)


_BROWSER_ESCAPES = re.compile(r"%(22|0A|0D)", re.IGNORECASE)


def clean_filename(name):
    """The client's file name made safe to store and show: no folders, no
    control or bidi characters, at most 255 characters, extension kept."""
    name = PurePosixPath(str(name or "").replace("\\", "/")).name
    # Browsers send a name's double quotes and line breaks percent-encoded
    # (HTML's multipart/form-data rules) and Django keeps them as sent.
    name = _BROWSER_ESCAPES.sub(lambda found: chr(int(found[1], 16)), name)
    name = "".join(
        c for c in name if unicodedata.category(c)[0] not in "CZ" or c == " "
    )
    name = name.strip(" .") or "image"
    if len(name) > FILENAME_MAX_LENGTH:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:16] if dot and stem else ""
        name = name[: FILENAME_MAX_LENGTH - len(ext) - 1].rstrip() + (
            "." + ext if ext else ""
        )
    return name


# ---------------------------------------------------------------- decoding


def open_image(file):
    """Open ``file`` with only the allowed decoders and check the header
    against the pixel and frame limits. No pixels are decoded yet."""
    max_pixels = settings.IMAGEREPO_MAX_IMAGE_PIXELS
    allowed = formats.allowed_formats()
    file.seek(0)
    head = file.read(512)
    file.seek(0)
    # Pillow's own bomb guard becomes a backstop at our configured limit.
    PILImage.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            # A JPEG's header reads its EXIF for the resolution; Pillow warns
            # of a corrupt block and goes on, as we do (read_metadata).
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            img = PILImage.open(file, formats=allowed)
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise _too_many_pixels(max_pixels) from None
    except Exception:
        raise _not_an_image(head) from None
    # Cameras and phones save JPEGs with more pictures after the first (a
    # depth map, a preview, the other eye): MPO files, as Pillow's JPEG
    # decoder names them. Browsers show the JPEG they start with, so that is
    # what we keep (.jpg, image/jpeg) and render; the rest are not frames.
    multi_picture_jpeg = img.format == "MPO" and "JPEG" in allowed
    if multi_picture_jpeg:
        img.format = "JPEG"
    if img.format not in allowed:
        raise _not_an_image(head)
    if img.width * img.height > max_pixels:
        raise _too_many_pixels(max_pixels)
    if not multi_picture_jpeg:
        _check_frames(img)
    return img


def _check_frames(img):
    max_frames = settings.IMAGEREPO_MAX_FRAMES
    try:
        frames = getattr(img, "n_frames", 1)
    except Exception:
        raise ValidationError(
            "The image is damaged or incomplete.", code="corrupt_image"
        ) from None
    if frames > max_frames:
        raise ValidationError(
            "The animation has %(frames)s frames; at most %(limit)s are allowed.",
            code="too_many_frames",
            params={"frames": frames, "limit": max_frames},
        )


def _not_an_image(head):
    allowed = formats.allowed_formats()
    kind = formats.guess_format_name(head)
    if kind in allowed:
        # It looks like a format we take, but its header would not parse.
        return ValidationError(
            "The %(kind)s image is damaged and cannot be read.",
            code="corrupt_image",
            params={"kind": kind},
        )
    if kind:
        return ValidationError(
            "%(kind)s files are not accepted. Upload one of: %(allowed)s.",
            code="unsupported_format",
            params={"kind": kind, "allowed": ", ".join(allowed)},
        )
    return ValidationError(
        "This file is not an image we can read. Upload one of: %(allowed)s.",
        code="not_an_image",
        params={"allowed": ", ".join(allowed)},
    )


def _too_many_pixels(limit):
    return ValidationError(
        "The image has too many pixels (the limit is %(megapixels)s megapixels).",
        code="too_many_pixels",
        params={"megapixels": f"{limit / 1e6:g}"},
    )


def prepare_image(file, *, filename, digest=None, file_time=None):
    """Check and render an upload without touching the database or storage.

    Raises ``ValidationError`` (with a code) for anything that is not an
    acceptable image; returns a :class:`PreparedImage` otherwise. A photo
    whose metadata has no date taken gets ``file_time`` (an aware datetime:
    the imported file's modification time), marked as a guess.
    """
    digest = digest or hash_file(file)
    img = open_image(file)
    # Before the pixels: EXIF comes with the header, no second decode.
    metadata = read_metadata(img)
    width, height = _upright_size(img)
    if file_time is not None:
        # Read on the site's clock: the file carries no zone of its own.
        metadata = metadata.dated(timezone.localtime(file_time), TakenSource.FILE)
    display_size = settings.IMAGEREPO_DISPLAY_SIZE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            request_draft(img, display_size)
            img.load()
            display, thumbnail = make_renditions(
                img,
                display_size=display_size,
                thumbnail_size=settings.IMAGEREPO_THUMBNAIL_SIZE,
            )
    except ValidationError:
        raise
    except Exception as exc:
        logger.info("Rejected a damaged image %r: %r", filename, exc)
        raise ValidationError(
            "The image is damaged or incomplete and cannot be read.",
            code="corrupt_image",
        ) from None
    # No img.close(): some Pillow plugins would close the caller's file with it,
    # and the original is still to be copied from that file.
    return PreparedImage(
        original_filename=clean_filename(filename),
        sha256=digest.sha256,
        file_size=digest.size,
        format=img.format,
        width=width,
        height=height,
        display=display,
        thumbnail=thumbnail,
        metadata=metadata,
    )


def _upright_size(img):
    """Full-size width and height as people see the image: EXIF orientations
    5 to 8 turn it a quarter. Read before any scaled (draft) decoding."""
    try:
        orientation = img.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:
        orientation = 1
    if orientation in (5, 6, 7, 8):
        return img.height, img.width
    return img.width, img.height

"""Browser-friendly renditions re-encoded from pixels, with no metadata."""

import io
import math
from dataclasses import dataclass

from PIL import Image as PILImage
from PIL import ImageOps

JPEG_QUALITY = 82
WEBP_QUALITY = 80

# A display rendition may come out a little under the display size when that
# lets libjpeg decode at 1/2, 1/4 or 1/8 scale: much faster, same look.
_DRAFT_SLACK = 0.75
# Thumbnails are shrunk by whole-pixel averaging (Image.reduce) to within
# 1.5 times their size, then Lanczos-resampled the rest of the way: as
# faithful to a full Lanczos resize as Pillow's default gap of 2, for much
# less work (BENCHMARKS.md, "Ingest").
THUMBNAIL_REDUCING_GAP = 1.5
# The grid draws every photo at a row's height (200 px on a desktop), so a
# thumbnail in a square box would leave a 6:1 panorama a strip 67 px tall
# stretched across the row. A wide photo's thumbnail keeps at least half the
# size in height, up to this many times the size in width.
THUMBNAIL_WIDEST = 4


@dataclass(frozen=True)
class Rendition:
    data: bytes
    width: int
    height: int
    format: str  # "JPEG" or "WEBP"

    @property
    def extension(self):
        return "jpg" if self.format == "JPEG" else "webp"


def request_draft(img, display_size):
    """Ask the JPEG decoder for the smallest scale that still yields a good
    display rendition. Must run before the pixels are loaded; other formats
    ignore it."""
    if img.format != "JPEG":
        return
    long_side = max(img.size)
    wanted = display_size * _DRAFT_SLACK
    if long_side <= wanted:
        return
    k = wanted / long_side
    img.draft(
        "RGB" if img.mode == "CMYK" else img.mode,
        (
            math.ceil(img.width * k),
            math.ceil(img.height * k),
        ),
    )


def make_renditions(img, *, display_size, thumbnail_size):
    """Return ``(display, thumbnail)`` for a loaded Pillow image, which is
    resized in place (no copy of a many-megapixel image is made).

    EXIF orientation is applied to the pixels; the output carries no EXIF, XMP,
    ICC or text chunks because only pixels are handed to the encoder. The
    thumbnail is made from the display image, so the original is decoded once.
    """
    img = _upright(img)
    # Huffman-optimising a display image costs a large share of an import's
    # CPU for files only somewhat smaller (BENCHMARKS.md, "Ingest"); a
    # display image is fetched one at a time. Thumbnails, shown by the dozen,
    # keep it.
    box = (display_size, display_size)
    display = _shrink_and_encode(img, box, optimize=False)
    return display, _thumbnail(img, thumbnail_size)


def make_thumbnail(img, size):
    """Only the thumbnail rendition of a loaded image, by the same steps
    (for callers that need no display image; ``img`` is resized in place)."""
    return _thumbnail(_upright(img), size)


def _thumbnail(img, size):
    box = thumbnail_box(img.width, img.height, size)
    return _shrink_and_encode(img, box, THUMBNAIL_REDUCING_GAP)


def thumbnail_box(width, height, size):
    """The (width, height) box a thumbnail of a ``width`` x ``height``
    picture is shrunk to fit (never enlarged)."""
    wide = min(max(1, width / height / 2), THUMBNAIL_WIDEST)
    return round(size * wide), size


def thumbnail_outdated(display, thumbnail, size):
    """Whether a thumbnail of ``thumbnail`` (width, height) pixels, made from
    a display rendition of ``display`` pixels, is not what today's rule and
    thumbnail ``size`` make: made before a panorama kept its height, or
    before the size setting changed. Pillow rounds one side either way, so
    a pixel either way is the same size."""
    (width, height), (made_width, made_height) = display, thumbnail
    box_width, box_height = thumbnail_box(width, height, size)
    scale = min(box_width / width, box_height / height, 1)
    return abs(made_width - width * scale) > 1 or abs(made_height - height * scale) > 1


def _shrink_and_encode(img, box, reducing_gap=2.0, optimize=True):
    """``img`` shrunk to fit ``box``, a (width, height) pair."""
    img.thumbnail(box, PILImage.Resampling.LANCZOS, reducing_gap=reducing_gap)
    return _encode(img, optimize)


def _upright(img):
    ImageOps.exif_transpose(img, in_place=True)
    return _normalise_mode(img)


def _normalise_mode(img):
    has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
    if has_alpha:
        return img.convert("RGBA")
    if img.mode in ("RGB", "L"):
        return img
    if img.mode.startswith("I"):
        # 16/32-bit greyscale: scale into 8 bits instead of clipping to white.
        return img.point(lambda v: v / 256).convert("L")
    return img.convert("RGB")


def _encode(img, optimize=True):
    # Encoders fall back to img.info for EXIF, ICC and text chunks; it is
    # emptied so only pixels are written.
    img.info = {}
    buf = io.BytesIO()
    if img.mode == "RGBA":
        img.save(buf, "WEBP", quality=WEBP_QUALITY, method=4)
        fmt = "WEBP"
    else:
        img.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=optimize)
        fmt = "JPEG"
    return Rendition(buf.getvalue(), img.width, img.height, fmt)

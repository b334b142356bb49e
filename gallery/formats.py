"""Image formats we accept, and how each is named and served."""

import pillow_heif
from django.conf import settings
from PIL import Image as PILImage

# Pillow format name -> (file extension, Content-Type)
KNOWN_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
    "BMP": ("bmp", "image/bmp"),
    "TIFF": ("tif", "image/tiff"),
    "HEIF": ("heic", "image/heif"),
    "AVIF": ("avif", "image/avif"),
}

# Files that lie beside photos in the folders people import and are never one:
# sidecars of phones, cameras and photo exports (Google Takeout's .json for
# every photo), systems' own files, notes, and videos, which this site does
# not keep. An import leaves them out ("skipped") instead of refusing each.
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

# Leading bytes of formats people upload, so an error message can say what was
# sent. Only used to word a message; nothing is decoded here.
_SIGNATURES = [
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF8", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"%PDF", "PDF"),
    (b"%!PS", "PostScript/EPS"),
    (b"\xc5\xd0\xd3\xc6", "EPS"),
    (b"SIMPLE  =", "FITS"),
    (b"PK\x03\x04", "ZIP"),
    (b"8BPS", "Photoshop (PSD)"),
    (b"\x00\x00\x01\x00", "Windows icon (ICO)"),
]


# ISO-BMFF brands (bytes 8-12 of an ``ftyp`` box) of phone photos.
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}


def register_decoders():
    """Teach Pillow the phone formats: HEIC/HEIF through pillow-heif; AVIF is
    built into Pillow 13 (its plugin only has to be loaded). Which of them is
    accepted is still decided by IMAGEREPO_ALLOWED_FORMATS."""
    pillow_heif.register_heif_opener()
    PILImage.init()


def allowed_formats():
    return [f.upper() for f in settings.IMAGEREPO_ALLOWED_FORMATS]


def extension_for(fmt):
    return KNOWN_FORMATS.get(fmt, ("bin", ""))[0]


def content_type_for(fmt):
    return KNOWN_FORMATS.get(fmt, ("", "application/octet-stream"))[1]


_TYPE_BY_EXTENSION = dict(KNOWN_FORMATS.values())


def content_type_for_extension(extension):
    """The Content-Type of a file we named with ``extension`` (a rendition)."""
    return _TYPE_BY_EXTENSION.get(extension, "application/octet-stream")


def guess_format_name(head):
    """Best guess at what a file is from its first bytes (for error messages
    only: nothing is decoded), or None."""
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return name
    text = head[:512].lstrip().lower()
    if b"<svg" in text or (text.startswith(b"<?xml") and b"svg" in text):
        return "SVG"
    if text.startswith((b"<!doctype html", b"<html", b"<?php", b"<script")):
        return "HTML or script"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return (
            "AVIF"
            if brand in _AVIF_BRANDS
            else "HEIF"
            if brand in _HEIF_BRANDS
            else None
        )
    return None

"""Building the HTTP response for one of an image's stored files.

Callers have already decided that the user may see the file; this module only
decides how it is sent: content type, caching, sandboxing, and whether Django
streams the bytes, hands the file to nginx (X-Accel-Redirect), or, for a file
in an S3 bucket with ``S3_DELIVERY=redirect``, sends the browser to a
presigned URL that soon expires.

Caching policy (SECURITY.md): a switch from public to private must hold at
once for every URL, so no shared cache may answer for us. Private files and
every original are ``private``; public files may be kept by a browser for
IMAGEREPO_PUBLIC_BROWSER_CACHE_SECONDS but a shared cache must revalidate each
time (``s-maxage=0, proxy-revalidate``), and that revalidation reaches the
permission-checked view. The ETag carries the visibility, so a copy cached
under one visibility never validates under the other. An image in the
trash (seen by its owner alone) is sent as a private one.

Versioned rendition URLs: pages link
thumbnails and display images as ``…/thumbnail/?v=<version>``, where the
version (``Image.rendition_version``) holds a keyed hash of the file
(``Image.content_tag``, which tells nothing about the bytes) and the
visibility. Asked for by its current version, a public rendition may stay in
the browser for IMAGEREPO_PUBLIC_VERSIONED_CACHE_SECONDS (``immutable``: no
revalidation while scrolling back through a gallery); shared caches still
revalidate every time. A switch to private changes the version, so no page
links the old URL again and every request that reaches us is checked; only a
browser that already holds the bytes keeps its own copy under the old URL.
"""

import contextlib
import io
import logging
import unicodedata
import zipfile
from datetime import datetime
from pathlib import PurePath
from urllib.parse import quote

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils.http import content_disposition_header, quote_etag

from . import objectstore
from .formats import content_type_for, content_type_for_extension
from .selectors import image_for_file

logger = logging.getLogger(__name__)

# Every image file, opened as a page of its own: a sandbox with no script, so
# an original (the uploader's exact bytes) is never a document even if it
# hides HTML or script after the image data. The browser's own image viewer
# shows the file by an <img> of it and centres it with inline styles.
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def send_image_file(request, pk, kind):
    """Image ``pk``'s ``kind`` file for ``request.user``, as the site and the
    API send it: the original to its owner (and to album people allowed to
    download it), renditions to anyone who may see the image. Raises Http404
    for everyone else, or a missing file."""
    image = image_for_file(viewer=request.user, pk=pk, kind=kind)
    response = image and image_file_response(request, image, kind)
    if response is None:
        raise Http404("No such image, or its file is missing.")
    return response


def image_file_response(request, image, kind):
    """A response for ``image``'s ``kind`` file, a 304 when the client's copy
    is current, a redirect to a presigned URL, or ``None`` if the file is
    missing."""
    storage = getattr(image, kind).storage
    if settings.S3_DELIVERY == "redirect" and objectstore.is_s3(storage):
        return _presigned_redirect(request, image, kind)
    etag = quote_etag(f"{image.rendition_version}-{kind}")
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = _file_body(image, kind)
        if response is None:
            return None
        response["Content-Type"] = _content_type(image, kind)
        if kind == "original":
            response["Content-Disposition"] = _disposition(request, image)
        response["Content-Security-Policy"] = FILE_CSP
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    versioned = request.GET.get("v") == image.rendition_version
    response["Cache-Control"] = cache_control(image, kind, versioned=versioned)
    response["Vary"] = "Cookie"
    return response


def cache_control(image, kind, *, versioned=False, max_age=None):
    """The Cache-Control header for ``image``'s ``kind`` file (see above);
    ``max_age`` caps the browser's time (a presigned URL's redirect)."""
    if image.is_private or image.in_trash or kind == "original":
        return "private, no-cache"
    if versioned and max_age is None:
        max_age = settings.IMAGEREPO_PUBLIC_VERSIONED_CACHE_SECONDS
        return f"public, max-age={max_age}, immutable, s-maxage=0, proxy-revalidate"
    browser = settings.IMAGEREPO_PUBLIC_BROWSER_CACHE_SECONDS
    max_age = browser if max_age is None else min(max_age, browser)
    return f"public, max-age={max_age}, s-maxage=0, proxy-revalidate"


def _file_body(image, kind):
    field = getattr(image, kind)
    prefix = settings.IMAGEREPO_X_ACCEL_REDIRECT_PREFIX
    if prefix and isinstance(field.storage, FileSystemStorage):
        if not field.name or not field.storage.exists(field.name):
            return None
        # nginx sends the file from its `internal` location; our headers stay.
        response = HttpResponse()
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(field.name)
        return response
    if not field:
        return None
    try:
        stream = objectstore.open_stream(field.storage, field.name)
    except FileNotFoundError:
        return None
    response = FileResponse(stream)
    response["Content-Length"] = stream.size
    return response


def _presigned_redirect(request, image, kind):
    headers = {
        "ResponseContentType": _content_type(image, kind),
        "ResponseCacheControl": cache_control(image, kind),
    }
    if kind == "original":
        headers["ResponseContentDisposition"] = _disposition(request, image)
    response = HttpResponseRedirect(
        objectstore.presigned_url(getattr(image, kind), **headers)
    )
    # The URL expires, so no one may keep the redirect for longer than that.
    response["Cache-Control"] = cache_control(
        image, kind, max_age=settings.S3_URL_EXPIRY_SECONDS // 2
    )
    response["Vary"] = "Cookie"
    return response


def _content_type(image, kind):
    if kind == "original":
        return content_type_for(image.format)
    extension = getattr(image, kind).name.rsplit(".", 1)[-1]
    return content_type_for_extension(extension)


def _disposition(request, image):
    as_attachment = request.GET.get("download") == "1"
    return content_disposition_header(as_attachment, download_name(image, request.user))


def download_name(image, viewer):
    """The file's own name for its owner; for anyone else a download allows
    (album people, link holders) its title, which they see already: the
    file's name may say more (a place, a date, a person)."""
    if image.owner_id == getattr(viewer, "pk", None):
        return image.original_filename
    return f"{file_name(image.title, str(image.pk))}.{image.extension}"


def file_name(text, fallback):
    """``text`` as a file name any common system takes: the characters one
    of them refuses, and control, bidi and separator characters but the
    space, become "_" (a bidi override would show "gpj.exe" as "exe.jpg");
    at most 100 characters; ``fallback`` if nothing is left."""
    name = "".join(
        "_"
        if c in _NOT_IN_NAMES or (unicodedata.category(c)[0] in "CZ" and c != " ")
        else c
        for c in text
    )
    return name.strip(" .")[:100].strip(" .") or fallback


_NOT_IN_NAMES = set('\\/:*?"<>|')


# Read from storage and handed to the client this much at a time.
ZIP_CHUNK = 1024 * 1024


# How long a zip's place among those running is kept if its process dies
# before it gives the place back: longer than any download.
ZIP_SLOT_SECONDS = 6 * 3600


def zip_response(images, *, name, viewer, asker):
    """A zip of ``images``' originals (chosen by the caller, e.g.
    ``selectors.album_downloads``), named ``name``.zip, written as it is
    sent: memory holds one chunk, whatever the album's size. Stored, not
    compressed: photos are compressed already. Each file keeps its download
    name and is dated when it was taken. None when ``asker`` (an account or
    a link, as a string) already downloads IMAGEREPO_ZIPS_AT_ONCE zips: each
    holds a web worker while it is sent."""
    slot = f"zips-running:{asker}"
    cache.add(slot, 0, timeout=ZIP_SLOT_SECONDS)
    if cache.incr(slot) > settings.IMAGEREPO_ZIPS_AT_ONCE:
        _give_back(slot)
        return None
    response = _ZipResponse(
        _zip_chunks(images, viewer), content_type="application/zip", slot=slot
    )
    name = file_name(name, "photos")
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.zip")
    response["Cache-Control"] = "private, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def too_many_zips(request):
    """The answer to a zip asked for past IMAGEREPO_ZIPS_AT_ONCE."""
    context = {"limit": settings.IMAGEREPO_ZIPS_AT_ONCE}
    return render(request, "errors/too_many_zips.html", context, status=429)


class _ZipResponse(StreamingHttpResponse):
    """Gives its place among running zips back when the server closes it,
    sent in full or left by the client (a generator never started would
    not run a ``finally``)."""

    def __init__(self, *args, slot, **kwargs):
        super().__init__(*args, **kwargs)
        self.slot = slot

    def close(self):
        try:
            super().close()
        finally:
            if self.slot:  # once, however often the server closes it
                _give_back(self.slot)
                self.slot = None


def _give_back(slot):
    with contextlib.suppress(ValueError):  # expired meanwhile: none to give
        cache.decr(slot)


class _Chunks(io.RawIOBase):
    """Where the zip is written: bytes kept until taken to be sent. zipfile
    writes to a stream it cannot seek as a stream (sizes after each file)."""

    def __init__(self):
        self.parts = []

    def writable(self):
        return True

    def write(self, data):
        self.parts.append(bytes(data))
        return len(data)

    def take(self):
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def _zip_chunks(images, viewer):
    sink, names, unread = _Chunks(), set(), []
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_STORED) as archive:
        for image in images:
            try:
                stream = objectstore.open_stream(
                    image.original.storage, image.original.name
                )
            except (OSError, ClientError):
                # The headers are sent: the zip goes on without it, and says so.
                logger.exception("Original of %s could not be read for a zip", image.pk)
                unread.append(image.title)
                continue
            entry = zipfile.ZipInfo(
                _unique(download_name(image, viewer), names), _zip_time(image)
            )
            # Sizes over 2 GiB need zip64 fields, which zipfile must know of
            # before the file when it cannot seek back.
            big = stream.size > zipfile.ZIP64_LIMIT
            with stream, archive.open(entry, "w", force_zip64=big) as member:
                while chunk := stream.read(ZIP_CHUNK):
                    member.write(chunk)
                    yield sink.take()
        if unread:
            note = "These photos could not be read, so they are not in this zip:\n"
            note += "".join(f"- {title}\n" for title in unread)
            archive.writestr(_unique("MISSING.txt", names), note)
    yield sink.take()  # the note and the directory at the end


def _unique(name, taken):
    """``name``, or ``name (2)``, ``name (3)``… if the zip has it already."""
    path, number = PurePath(name), 1
    while name.lower() in taken:
        number += 1
        name = f"{path.stem} ({number}){path.suffix}"
    taken.add(name.lower())
    return name


def _zip_time(image):
    """When the photo was taken, as a zip can say it (1980 at the earliest)."""
    taken = image.taken_local or datetime(1980, 1, 1)
    return max(taken, datetime(1980, 1, 1)).timetuple()[:6]

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

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
)
from django.utils.http import content_disposition_header, quote_etag

from . import objectstore
from .formats import content_type_for
from .selectors import image_for_file

RENDITION_TYPES = {"jpg": "image/jpeg", "webp": "image/webp"}
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
    return RENDITION_TYPES.get(extension, "application/octet-stream")


def _disposition(request, image):
    """The file's own name for its owner; for anyone else a download allows
    (album people, link holders) its id: a name may say more than a title."""
    as_attachment = request.GET.get("download") == "1"
    if image.owner_id == getattr(request.user, "pk", None):
        return content_disposition_header(as_attachment, image.original_filename)
    return content_disposition_header(as_attachment, f"{image.pk}.{image.extension}")

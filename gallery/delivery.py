"""Building the HTTP response for one of an image's stored files.

Callers have already decided that the user may see the file; this module only
decides how it is sent: content type, caching, and sandboxing.
"""

from django.http import FileResponse, HttpResponseNotModified
from django.utils.http import content_disposition_header, quote_etag

from .services.formats import content_type_for

RENDITION_TYPES = {"jpg": "image/jpeg", "webp": "image/webp"}
# Browsers keep public renditions briefly and revalidate with the ETag, so a
# switch to private is honoured within this many seconds even by the browser.
PUBLIC_MAX_AGE = 300


def image_file_response(request, image, kind):
    """A streaming response for ``image``'s ``kind`` file, a 304 when the
    client's copy is current, or ``None`` if the file is missing."""
    etag = quote_etag(f"{image.sha256[:20]}-{kind}-{image.visibility}")
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        field = getattr(image, kind)
        try:
            handle = field.open("rb")
        except (FileNotFoundError, ValueError):
            return None
        response = FileResponse(handle, content_type=_content_type(image, kind))
        if kind == "original":
            response["Content-Disposition"] = _disposition(request, image)
            # An original is the uploader's exact bytes: never let a browser
            # treat them as a document, even if they hide HTML after the image.
            response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    if image.is_private:
        response["Cache-Control"] = "private, no-cache"
    else:
        response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    response["Vary"] = "Cookie"
    return response


def _content_type(image, kind):
    if kind == "original":
        return content_type_for(image.format)
    extension = getattr(image, kind).name.rsplit(".", 1)[-1]
    return RENDITION_TYPES.get(extension, "application/octet-stream")


def _disposition(request, image):
    as_attachment = request.GET.get("download") == "1"
    return content_disposition_header(as_attachment, image.original_filename)

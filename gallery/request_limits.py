"""Limits applied to requests before any image is looked at: body size, file
size while it streams in, and who the client is."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat


def client_ip(request):
    """The client's address (django-axes keys sign-in failures on it). Behind
    nginx, REMOTE_ADDR is nginx itself: IMAGEREPO_CLIENT_IP_HEADER names the
    header it sets instead."""
    meta = request.META
    return meta.get(settings.IMAGEREPO_CLIENT_IP_HEADER) or meta.get("REMOTE_ADDR")


class RequestBodyLimitMiddleware:
    """Answer 413 to a body larger than IMAGEREPO_MAX_REQUEST_BYTES from its
    Content-Length alone: not one byte of it is read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.IMAGEREPO_MAX_REQUEST_BYTES
        if length > limit:
            context = {"limit": filesizeformat(limit), "size": filesizeformat(length)}
            return render(request, "errors/request_too_large.html", context, status=413)
        return self.get_response(request)


class SizeLimitedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: skips a file as soon as it grows past
    IMAGEREPO_MAX_UPLOAD_BYTES, so the rest is discarded as it arrives instead
    of being kept. Skipped names are listed by :func:`refused_uploads`."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.IMAGEREPO_MAX_UPLOAD_BYTES:
            _refused_names(self.request).append(self.file_name)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler keeps the file


def _refused_names(request):
    if not hasattr(request, "_refused_upload_names"):
        request._refused_upload_names = []
    return request._refused_upload_names


def refused_uploads(request):
    """The names of the files this request sent that were too large to keep."""
    return list(_refused_names(request))

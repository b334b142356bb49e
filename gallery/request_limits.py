"""Limits applied to requests before any image is looked at: body size, file
size while it streams in, uploads per user per hour, and who the client is."""

import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

from .limits import file_too_large
from .models import UploadCount

RATE_WINDOW_SECONDS = 3600


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
    """``(file name, ValidationError)`` for each file this request sent that
    was too large to keep."""
    error = file_too_large()
    return [(name, error) for name in _refused_names(request)]


def take_upload_allowance(user, wanted):
    """Count ``wanted`` uploads against ``user``'s hourly limit and return how
    many of them are allowed (all of them when the limit is 0). Refused files
    are not counted. Atomic across threads and processes: the counter is a
    database row, changed only by a compare-and-swap UPDATE."""
    limit = settings.IMAGEREPO_UPLOADS_PER_HOUR
    if not limit or wanted <= 0:
        return max(wanted, 0)
    counter = _this_hours_counter(user)
    while (granted := min(wanted, limit - counter.used)) > 0:
        # Lands only if nobody counted since we read; else read again. Every
        # miss means another request's update landed, so this ends.
        swapped = UploadCount.objects.filter(pk=counter.pk, used=counter.used)
        if swapped.update(used=counter.used + granted):
            return granted
        counter.refresh_from_db(fields=["used"])
    return 0


def _this_hours_counter(user):
    window = int(time.time() // RATE_WINDOW_SECONDS)
    counter, created = UploadCount.objects.get_or_create(user=user, window=window)
    if created:  # a new hour: the user's older counters are of no more use
        UploadCount.objects.filter(user=user, window__lt=window).delete()
    return counter


def seconds_until_more_uploads():
    """When the hourly upload window in use now ends (for Retry-After)."""
    return int(RATE_WINDOW_SECONDS - time.time() % RATE_WINDOW_SECONDS) + 1


def rate_limited_error():
    return ValidationError(
        "You have reached the limit of %(limit)s uploads an hour. "
        "Please try again later.",
        code="upload_rate_limited",
        params={"limit": settings.IMAGEREPO_UPLOADS_PER_HOUR},
    )

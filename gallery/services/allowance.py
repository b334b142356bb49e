"""The hourly upload allowance: IMAGEREPO_UPLOADS_PER_HOUR files per user.

Counted in the database (``UploadCount`` rows), so every server process
shares one count and an update is atomic, with no cache server to run."""

import time

from django.conf import settings
from django.core.exceptions import ValidationError

from ..models import UploadCount

RATE_WINDOW_SECONDS = 3600
RATE_LIMITED = "upload_rate_limited"


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
        code=RATE_LIMITED,
        params={"limit": settings.IMAGEREPO_UPLOADS_PER_HOUR},
    )

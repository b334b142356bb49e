"""How much each account may store: its quota, checked before any work.

An account's counters (``Account.bytes_stored`` and ``images_stored``) move
only here. :func:`reserve` takes room for a file with one conditional UPDATE,
so the check and the count are a single atomic statement and parallel
uploads, from any number of server processes, cannot overshoot the limit;
:func:`release` gives room back. Every way in holds a reservation in a
:class:`QuotaLedger` while it decodes, renders and stores a file, and keeps
it only if a new image was stored. Deleting images for good releases their
room.
"""

from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Greatest
from django.template.defaultfilters import filesizeformat, pluralize

from ..models import Account, Image

OVER_QUOTA = "over_quota"


def reserve(owner, *, size: int, images: int = 1) -> None:
    """Count ``images`` images of ``size`` bytes against ``owner``'s limits,
    or raise ``ValidationError`` ``over_quota`` and count nothing."""
    Account.of(owner)
    site_bytes = settings.IMAGEREPO_QUOTA_BYTES
    site_images = settings.IMAGEREPO_QUOTA_IMAGES
    bytes_fit = _fits("bytes_stored", "quota_bytes", site_bytes, size)
    images_fit = _fits("images_stored", "quota_images", site_images, images)
    taken = Account.objects.filter(bytes_fit, images_fit, pk=owner.pk).update(
        bytes_stored=F("bytes_stored") + size,
        images_stored=F("images_stored") + images,
    )
    if not taken:
        raise over_quota(Account.objects.get(pk=owner.pk), size=size)


def _fits(counter, own_limit, site_limit, amount):
    """``counter + amount`` within the account's own limit, or within the
    site's when it has none (no limit at all when neither is set). Read in
    the UPDATE itself, so a limit the admin changes holds from then on."""
    within_own = Q(**{f"{counter}__lte": F(own_limit) - amount})
    site_default = Q(**{f"{own_limit}__isnull": True})
    if site_limit is not None:
        site_default &= Q(**{f"{counter}__lte": site_limit - amount})
    return within_own | site_default


def release(owner_id, *, images: int, size: int) -> None:
    """Give back ``images`` images of ``size`` bytes to the account of
    ``owner_id``: what a reservation took for a file that was not stored, or
    what images deleted for good held. Never below zero."""
    Account.objects.filter(pk=owner_id).update(
        bytes_stored=Greatest(F("bytes_stored") - size, 0),
        images_stored=Greatest(F("images_stored") - images, 0),
    )


def has_room(account, *, size: int, images: int = 1) -> bool:
    """Whether ``account`` (as read) has room for ``images`` more images of
    ``size`` bytes: the rule :func:`reserve` applies in SQL."""
    byte_limit, image_limit = account.byte_limit, account.image_limit
    bytes_fit = byte_limit is None or account.bytes_stored + size <= byte_limit
    images_fit = image_limit is None or account.images_stored + images <= image_limit
    return bytes_fit and images_fit


def over_quota(account, *, size: int) -> ValidationError:
    """Why a file of ``size`` bytes does not fit in ``account`` (as read)."""
    byte_limit, image_limit = account.byte_limit, account.image_limit
    if image_limit is not None and (
        byte_limit is None or account.images_stored >= image_limit
    ):
        return ValidationError(
            "Not stored: your account is at its limit of %(limit)s.",
            code=OVER_QUOTA,
            params={"limit": f"{image_limit:,} photo{pluralize(image_limit)}"},
        )
    if byte_limit is None:  # both limits were lifted as it was refused
        return ValidationError(
            "Not stored: your account was at its limit. Please try again.",
            code=OVER_QUOTA,
        )
    return ValidationError(
        "Not stored: your account is at its limit of %(limit)s (%(used)s used; "
        "this file is %(size)s).",
        code=OVER_QUOTA,
        params={
            "limit": filesizeformat(byte_limit),
            "used": filesizeformat(account.bytes_stored),
            "size": filesizeformat(size),
        },
    )


class QuotaLedger:
    """The reservations of a run that stores files (an upload, an import):
    each file's room is taken by key before its work starts, then
    kept once its image is stored or given back as soon as it is not.
    :meth:`close` gives back whatever is still held, so a run that stops
    half-way leaves the counters exact.

    In a dry run nothing is written: files are counted against the account
    as it was read at the start, so the run still says which would not fit.

    A ``journal`` (``held(key, size)``, ``settled(key)``) is told of every
    reservation, so that one a killed run held can be given back by the next
    (gallery.importing.journal)."""

    def __init__(self, owner, *, dry_run=False, journal=None):
        self.owner = owner
        self.held = {}
        self.journal = journal
        self.snapshot = None
        if dry_run:
            found = Account.objects.filter(pk=owner.pk).first()
            self.snapshot = found or Account(user=owner)

    def take(self, key, size):
        """Hold room for one image of ``size`` bytes under ``key``, or raise
        ``ValidationError`` ``over_quota``."""
        if self.snapshot is None:
            reserve(self.owner, size=size)
        elif has_room(self.snapshot, size=size):
            self.snapshot.bytes_stored += size
            self.snapshot.images_stored += 1
        else:
            raise over_quota(self.snapshot, size=size)
        self.held[key] = size
        if self.journal:
            self.journal.held(key, size)

    def keep(self, key):
        self.held.pop(key)
        if self.journal:
            self.journal.settled(key)

    def give_back(self, key):
        size = self.held.pop(key, None)
        if size is not None:
            if self.journal:
                self.journal.settled(key)
            self._release(images=1, size=size)

    def close(self):
        if self.held:
            if self.journal:
                for key in self.held:
                    self.journal.settled(key)
            self._release(images=len(self.held), size=sum(self.held.values()))
            self.held.clear()

    def _release(self, *, images, size):
        if self.snapshot is None:
            release(self.owner.pk, images=images, size=size)
        else:
            self.snapshot.bytes_stored -= size
            self.snapshot.images_stored -= images


@contextmanager
def quota_ledger(owner, *, dry_run=False, journal=None):
    """A :class:`QuotaLedger` closed when the block ends, however it ends."""
    ledger = QuotaLedger(owner, dry_run=dry_run, journal=journal)
    try:
        yield ledger
    finally:
        ledger.close()


def account_set_limits(user, *, quota_bytes: int | None, quota_images: int | None):
    """Give ``user``'s account its own limits (None: the site's default).
    Only the limits are written: the counters stay as the uploads left them,
    whatever a form read before."""
    Account.of(user)
    Account.objects.filter(pk=user.pk).update(
        quota_bytes=quota_bytes, quota_images=quota_images
    )


def recount_usage(user_ids) -> None:
    """Set the counters of the accounts of ``user_ids`` to what they really
    store. For after a crash, with the site stopped: a process killed while
    it held a reservation leaves it counted; a reservation held while this
    runs would be lost."""
    for user_id in user_ids:
        stored = Image.objects.filter(owner_id=user_id).aggregate(
            images=Count("pk"), size=Sum("file_size")
        )
        Account.objects.update_or_create(
            user_id=user_id,
            defaults={
                "images_stored": stored["images"],
                "bytes_stored": stored["size"] or 0,
            },
        )

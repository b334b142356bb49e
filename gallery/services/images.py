"""Changing, trashing, restoring and purging images that already exist.

Deleting moves images to their owner's trash: gone at once for everyone
else (``ImageQuerySet`` leaves trashed rows out of every view), kept with
their files until restored, or purged by hand or by ``purge_trash`` after
IMAGEREPO_TRASH_DAYS.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from ..metadata import EARLIEST_YEAR, FUTURE_SLACK, TakenSource, typed_date
from ..models import Account, Image, Visibility
from . import refused
from .quotas import release
from .storing import delete_orphaned_files

# Images deleted or dated per statement: well under SQLite's limit on
# parameters.
ROWS_PER_STATEMENT = 500


def image_update(
    image, *, title=None, description=None, visibility=None, taken_at=None
):
    """Change the editable fields of ``image``; ``None`` leaves a field as is.
    ``taken_at`` (a datetime) is when the photo was taken, as its owner knows
    it: with a UTC offset, in that zone; without, a wall clock shown as
    given (see ``gallery.metadata.typed_date``). No other date of the photo
    replaces it afterwards."""
    typed = None if taken_at is None else _typed(taken_at)
    changes = {"title": title, "description": description, "visibility": visibility}
    fields = [name for name, value in changes.items() if value is not None]
    for name in fields:
        setattr(image, name, changes[name])
    if typed is not None:
        image.taken_at, image.taken_offset = typed
        image.taken_source = TakenSource.OWNER
        fields += ["taken_at", "taken_offset", "taken_source"]
    image.full_clean(exclude=["original", "thumbnail", "display"])
    image.save(update_fields=[*fields, "updated_at"])
    return image


def images_set_taken(queryset, *, taken_at, keep_gaps=False):
    """Date every image in ``queryset`` ``taken_at``, as :func:`image_update`
    dates one (a batch of scans from one day). They keep
    the order they had among themselves, a microsecond apart from the
    oldest: on one date alike, the timeline would order them by their random
    ids; a second apart, a big batch typed at 23:59 would run into the next
    day, or year.

    With ``keep_gaps`` (a camera whose clock was wrong), the earliest taken
    is dated ``taken_at`` and every other one moves as far, so the time
    between them stays; each keeps its own time zone. Returns them, oldest
    first."""
    taken, offset = _typed(taken_at)
    images = list(queryset.order_by("taken_at", "created_at", "pk"))
    now = timezone.now()
    # Every image is dated when stored (undated ones, made by none of today's
    # ways in, are dated as a batch).
    keep_gaps = keep_gaps and all(image.taken_at for image in images)
    if keep_gaps:
        # The first taken by the moment, each wall clock at its own offset;
        # all wall clocks move as far, so every moment moves as far too.
        first = min(images, key=_moment)
        shift = taken - first.taken_at
        if max(_moment(image) for image in images) + shift > now + FUTURE_SLACK:
            raise refused(
                "taken_at",
                "Moved that far, the last of them would be dated in the future: "
                "give an earlier date.",
                code="taken_out_of_range",
            )
    for step, image in enumerate(images):
        if keep_gaps:
            image.taken_at += shift
        else:
            image.taken_at = taken + timedelta(microseconds=step)
            image.taken_offset = offset
        image.taken_source = TakenSource.OWNER
        image.updated_at = now  # bulk_update skips auto_now, as update() does
    fields = ["taken_at", "taken_offset", "taken_source", "updated_at"]
    Image.objects.bulk_update(images, fields, batch_size=ROWS_PER_STATEMENT)
    return images


def _moment(image):
    """When ``image`` was taken: its wall clock at its offset (unknown: as if
    UTC)."""
    return image.taken_at - timedelta(minutes=image.taken_offset or 0)


def _typed(taken_at):
    try:
        typed = typed_date(taken_at, now=timezone.now())
    except ValueError:
        message = "No time zone is that far from UTC: give one from −14:00 to +14:00."
        code = "taken_zone_invalid"
    else:
        if typed is not None:
            return typed
        message = f"No photo was taken then: give a date from {EARLIEST_YEAR} to today."
        code = "taken_out_of_range"
    raise refused("taken_at", message, code=code)


def images_set_visibility(queryset, visibility):
    """Make every image in ``queryset`` public or private; returns the count."""
    if visibility not in Visibility.values:
        raise ValueError(f"unknown visibility {visibility!r}")
    # update() skips auto_now: the change time is set here, as save() would.
    return queryset.update(visibility=visibility, updated_at=timezone.now())


def images_trash(queryset, *, at=None):
    """Move every image in ``queryset`` not yet there to its owner's trash
    (dated ``at``, or now); returns how many moved. Rows, files and album
    places stay, so a restore gives everything back."""
    at = at or timezone.now()
    return queryset.filter(trashed_at__isnull=True).update(trashed_at=at, updated_at=at)


def image_trash(image):
    """Move ``image`` to its owner's trash."""
    images_trash(Image.objects.filter(pk=image.pk))
    image.refresh_from_db(fields=["trashed_at", "updated_at"])
    return image


def images_restore(queryset):
    """Bring every trashed image in ``queryset`` back, as it was (albums,
    links and visibility included); returns how many came back."""
    return queryset.filter(trashed_at__isnull=False).update(
        trashed_at=None, updated_at=timezone.now()
    )


def image_restore(image) -> bool:
    """Bring ``image`` back from the trash; False when there was nothing to
    bring back (it was purged meanwhile, or is not in the trash)."""
    if not images_restore(Image.objects.filter(pk=image.pk)):
        return False
    image.trashed_at = None
    return True


def images_purge(queryset):
    """Delete every image in ``queryset`` for good. The rows go in one
    transaction, which also queues their files' names (gallery.signals); the
    files go once it commits, and a crash in between leaves the names for
    :func:`delete_orphaned_files` to finish. Their owners' quotas get the
    room back. Returns how many were deleted."""
    with transaction.atomic():
        # Locked as ``queryset`` picks them, so that what is deleted and
        # given back is exactly what it holds once the locks are ours: a
        # restore that commits while this waits keeps its image (PostgreSQL
        # checks the locked rows against the whole condition again).
        rows = list(
            queryset.order_by()
            .select_for_update()
            .values_list("pk", "owner_id", "file_size")
        )
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start : start + ROWS_PER_STATEMENT]
            Image.objects.filter(pk__in=[pk for pk, _, _ in chunk]).delete()
        images, sizes = Counter(), Counter()
        for _, owner_id, size in rows:
            images[owner_id] += 1
            sizes[owner_id] += size
        for owner_id, count in images.items():
            release(owner_id, images=count, size=sizes[owner_id])
    return len(rows)


def image_purge(image):
    """Delete ``image`` for good (see :func:`images_purge`)."""
    images_purge(Image.objects.filter(pk=image.pk))


@dataclass
class PurgeReport:
    images: int = 0
    bytes: int = 0
    accounts: int = 0
    files_left: int = 0  # names whose deletion failed, kept for the next run


def purge_trash(*, older_than: datetime, batch_size: int = 500, progress=None):
    """Purge every image trashed before ``older_than``, a batch at a time
    (one transaction each, so a crash loses at most a batch's progress and
    never splits an image from its files). Files left by an earlier crash go
    first; accounts their owners deleted before ``older_than`` go last, with
    whatever they still hold. ``progress(count)`` is told after each batch.
    Returns a :class:`PurgeReport`."""
    report = PurgeReport()
    delete_orphaned_files()
    expired = Image.objects.trashed_before(older_than)
    while True:
        batch = list(
            expired.order_by("trashed_at").values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            break
        # Checked again here: a restore since the read keeps its image.
        images = expired.filter(pk__in=batch)
        size = images.aggregate(size=Sum("file_size"))["size"] or 0
        count = images_purge(images)
        report.images += count
        report.bytes += size
        if progress is not None:
            progress(count)
    closed = Account.objects.filter(deleted_at__lt=older_than, user__is_active=False)
    for user_id in list(closed.values_list("user_id", flat=True)):
        with transaction.atomic():
            # Checked again under a lock: an administrator's undo since the
            # list was read keeps the account.
            account = (
                closed.select_for_update().select_related("user").filter(pk=user_id)
            ).first()
            if account is None:
                continue
            leftovers = Image.objects.filter(owner_id=user_id)
            report.bytes += leftovers.aggregate(size=Sum("file_size"))["size"] or 0
            report.images += images_purge(leftovers)
            account.user.delete()
        report.accounts += 1
    report.files_left = delete_orphaned_files()
    return report

"""Changing and removing images that already exist."""

from collections import Counter

from django.db import transaction
from django.utils import timezone

from ..models import Image, Visibility
from .quotas import release

# Images deleted per statement: well under SQLite's limit on parameters.
DELETE_CHUNK = 500


def image_update(image, *, title=None, description=None, visibility=None):
    """Change the editable fields of ``image``; ``None`` leaves a field as is."""
    changes = {"title": title, "description": description, "visibility": visibility}
    fields = [name for name, value in changes.items() if value is not None]
    for name in fields:
        setattr(image, name, changes[name])
    image.full_clean(exclude=["original", "thumbnail", "display"])
    image.save(update_fields=[*fields, "updated_at"])
    return image


def image_delete(image):
    """Delete the row now and its files once the transaction commits
    (see gallery.signals), so a rollback never leaves a row without files.
    Its owner's quota gets its room back, only if this call deleted it."""
    with transaction.atomic():
        _, per_model = image.delete()
        if per_model.get(Image._meta.label):
            release(image.owner_id, images=1, size=image.file_size)


def images_set_visibility(queryset, visibility):
    """Make every image in ``queryset`` public or private; returns the count."""
    if visibility not in Visibility.values:
        raise ValueError(f"unknown visibility {visibility!r}")
    # update() skips auto_now: the change time is set here, as save() would.
    return queryset.update(visibility=visibility, updated_at=timezone.now())


def images_delete(queryset):
    """Delete every image in ``queryset`` in one transaction; their files go
    once it commits, and their owners' quotas get the room back. Returns how
    many images were deleted."""
    with transaction.atomic():
        # Locked, so that what is given back is exactly what this deletes,
        # even with another delete of the same images running beside it.
        doomed = Image.objects.filter(pk__in=queryset.values("pk"))
        rows = list(
            doomed.select_for_update().values_list("pk", "owner_id", "file_size")
        )
        for start in range(0, len(rows), DELETE_CHUNK):
            chunk = rows[start : start + DELETE_CHUNK]
            Image.objects.filter(pk__in=[pk for pk, _, _ in chunk]).delete()
        images, sizes = Counter(), Counter()
        for _, owner_id, size in rows:
            images[owner_id] += 1
            sizes[owner_id] += size
        for owner_id, count in images.items():
            release(owner_id, images=count, size=sizes[owner_id])
    return len(rows)

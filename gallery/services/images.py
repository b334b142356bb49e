"""Changing and removing images that already exist."""

from django.db import transaction
from django.utils import timezone

from ..models import Visibility


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
    (see gallery.signals), so a rollback never leaves a row without files."""
    with transaction.atomic():
        image.delete()


def images_set_visibility(queryset, visibility):
    """Make every image in ``queryset`` public or private; returns the count."""
    if visibility not in Visibility.values:
        raise ValueError(f"unknown visibility {visibility!r}")
    # update() skips auto_now: the change time is set here, as save() would.
    return queryset.update(visibility=visibility, updated_at=timezone.now())


def images_delete(queryset):
    """Delete every image in ``queryset`` in one transaction; their files go
    once it commits. Returns how many images were deleted."""
    with transaction.atomic():
        _, per_model = queryset.delete()
    return per_model.get(queryset.model._meta.label, 0)

"""Stored files follow their rows: removed only after the delete commits."""

from functools import partial

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Image


def _delete_stored(names):
    for name in names:
        default_storage.delete(name)


@receiver(post_delete, sender=Image, dispatch_uid="gallery_image_files_on_delete")
def delete_files_after_commit(sender, instance, using, **kwargs):
    # Covers every way a row goes: the service, the admin, bulk deletes and a
    # deleted owner's cascade. A rollback keeps the files with the rows.
    transaction.on_commit(partial(_delete_stored, instance.stored_files()), using=using)

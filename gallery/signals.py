"""Stored files follow their rows: removed only after the delete commits.
A loaded library version is replaced by a new one."""

from functools import partial

from django.core.files.storage import default_storage
from django.db import connections, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import library_version
from .models import Image, LibraryVersion


def _delete_stored(names):
    for name in names:
        default_storage.delete(name)


@receiver(post_delete, sender=Image, dispatch_uid="gallery_image_files_on_delete")
def delete_files_after_commit(sender, instance, using, **kwargs):
    # Covers every way a row goes: the service, the admin, bulk deletes and a
    # deleted owner's cascade. A rollback keeps the files with the rows.
    transaction.on_commit(partial(_delete_stored, instance.stored_files()), using=using)


@receiver(post_save, sender=LibraryVersion, dispatch_uid="gallery_version_loaded")
def new_version_after_load(sender, raw, using, **kwargs):
    # loaddata restores another database's version row: a fresh token keeps
    # this library from sharing a version (and cached grids) with that one.
    if raw:
        library_version.bump(connections[using])

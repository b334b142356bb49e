"""Stored files follow their rows: removed only after the delete commits."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Image, OrphanedFile
from .services.storing import delete_orphaned_files


@receiver(post_delete, sender=Image, dispatch_uid="gallery_image_files_on_delete")
def delete_files_after_commit(sender, instance, using, **kwargs):
    # Covers every way a row goes: the services, the admin, bulk deletes and
    # a deleted owner's cascade. The names are queued in the delete's own
    # transaction: a rollback keeps files and rows, a crash after the commit
    # leaves the names for purge_trash to finish.
    queued = OrphanedFile.objects.using(using).bulk_create(
        [OrphanedFile(name=name) for name in instance.stored_files()]
    )
    ids = [record.pk for record in queued]
    transaction.on_commit(partial(delete_orphaned_files, ids), using=using)

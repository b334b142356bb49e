"""Putting a prepared image into storage and the database.

The steps every entrance shares, so the rules live once:

- :func:`build_image` turns a :class:`~gallery.services.ingest.PreparedImage`
  into an unsaved row with a server-made id;
- :func:`write_image_files` writes the original and the renditions under names
  made from that id (it may run in a worker process: no database access);
- :func:`insert_images` inserts one row or a whole batch of them, turning a
  clash on (owner, sha256) into "duplicate" and removing the loser's files.

``gallery.services.uploads.upload_image`` chains the three for one upload;
``import_images`` runs the first two in worker processes and batches the third.
"""

import hashlib
import logging
from dataclasses import asdict
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..metadata import TakenSource
from ..models import (
    Image,
    OrphanedFile,
    Visibility,
    original_upload_to,
    rendition_upload_to,
)

logger = logging.getLogger(__name__)

TITLE_MAX_LENGTH = Image._meta.get_field("title").max_length
RENDITION_KINDS = ("display", "thumbnail")


def existing_image(owner, sha256):
    """The owner's image with these bytes (``is_duplicate = True``), or None.
    ``owner`` may be a user or a user id; the lookup uses the unique index."""
    image = Image.objects.filter(owner=owner, sha256=sha256).first()
    if image is not None:
        image.is_duplicate = True
    return image


def default_title(original_filename):
    stem = PurePosixPath(original_filename).stem or original_filename
    return stem[:TITLE_MAX_LENGTH].strip() or "Untitled"


def build_image(
    prepared, *, owner, title="", description="", visibility=Visibility.PRIVATE
):
    """An unsaved :class:`Image` for ``prepared``: its id (and so its file
    names) is fixed here; the title defaults to the file name's stem, the
    date taken to now (a guess) when the photo and its file had none.
    ``owner`` may be a user or a user id. Touches neither storage nor database."""
    owner_field = "owner" if hasattr(owner, "pk") else "owner_id"
    metadata = prepared.metadata.dated(timezone.localtime(), TakenSource.UPLOAD)
    return Image(
        **{owner_field: owner},
        title=(title or "").strip()[:TITLE_MAX_LENGTH]
        or default_title(prepared.original_filename),
        description=(description or "").strip(),
        visibility=visibility,
        original_filename=prepared.original_filename,
        format=prepared.format,
        width=prepared.width,
        height=prepared.height,
        file_size=prepared.file_size,
        sha256=prepared.sha256,
        thumbnail_width=prepared.thumbnail.width,
        thumbnail_height=prepared.thumbnail.height,
        display_width=prepared.display.width,
        display_height=prepared.display.height,
        thumbnail_sha256=hashlib.sha256(prepared.thumbnail.data).hexdigest(),
        display_sha256=hashlib.sha256(prepared.display.data).hexdigest(),
        **asdict(metadata),
    )


def write_image_files(image, prepared, source, *, journal=None):
    """Write ``source`` byte for byte as the original, and both renditions,
    under ``image``'s server-made names (set on its file fields).

    On any failure the files already written are removed and the error is
    raised. ``journal``, if given, is told each name *before* its file is
    written (``journal.record(image, name)``), so that a process killed in the
    middle leaves a note of what to clean up (see ``gallery.importing.journal``).
    """
    written = []
    try:
        _write(written, journal, image, "original", File(source))
        for kind in RENDITION_KINDS:
            rendition = getattr(prepared, kind)
            _write(
                written,
                journal,
                image,
                kind,
                ContentFile(rendition.data),
                f"{kind}.{rendition.extension}",
            )
    except BaseException as error:
        delete_stored_files(written)
        if isinstance(error, OSError):
            # Disk full, permissions, a storage outage: the upload is fine,
            # the server is not. Say so per file instead of failing the page.
            raise storage_failed(error) from error
        raise


def storage_failed(error):
    return ValidationError(
        "The server could not store this file (%(reason)s). Nothing was kept; "
        "please try again later.",
        code="storage_failed",
        params={"reason": getattr(error, "strerror", None) or "storage error"},
    )


def _write(written, journal, image, field, content, filename=None):
    name = (
        original_upload_to(image, None)
        if field == "original"
        else rendition_upload_to(image, filename)
    )
    # Note the name before writing: a write that dies half-way (disk full,
    # kill -9) still leaves a partial file to remove.
    written.append(name)
    if journal is not None:
        journal.record(image, name)
    saved = default_storage.save(name, content)
    if saved != name and journal is not None:
        journal.record(image, saved)
    written[-1] = saved
    getattr(image, field).name = saved


def insert_images(images):
    """Insert the rows of ``images``, whose files are already written.

    Returns a list in the same order: each image as inserted
    (``is_duplicate = False``), or, where its owner already had the bytes, the
    existing image (``is_duplicate = True``) with this one's files removed.
    A batch goes in as one transaction; if any row clashes, the batch is
    retried row by row. On any other error, no image that failed to land
    keeps its files.

    Each insert is a *durable* transaction, so calling this inside a caller's
    ``atomic()`` block raises RuntimeError (and removes the files): a later
    rollback there would take the rows but leave their files behind, and
    Django has no hook to remove them then. Callers commit first, or store
    outside their transaction (as the admin's add view does).
    """
    results = []
    try:
        if len(images) > 1 and _bulk_insert(images):
            results = images
        else:
            for image in images:
                results.append(_insert_one(image))
    except BaseException:
        for image in images[len(results) :]:
            delete_stored_files(image.stored_files())
        raise
    return results


def _bulk_insert(images):
    try:
        with transaction.atomic(durable=True):
            Image.objects.bulk_create(images)
    except IntegrityError:
        return False
    for image in images:
        image.is_duplicate = False
    return True


def _insert_one(image):
    try:
        with transaction.atomic(durable=True):
            image.save(force_insert=True)
    except IntegrityError:
        # Someone stored the same bytes for this owner a moment ago.
        existing = existing_image(image.owner_id, image.sha256)
        if existing is None:
            raise
        delete_stored_files(image.stored_files())
        return existing
    image.is_duplicate = False
    return image


def delete_stored_files(names):
    """Remove files from storage now, logging (not raising) failures."""
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            logger.exception("Could not remove %s after a failed upload", name)


def delete_orphaned_files(ids=None):
    """Delete the files queued in ``OrphanedFile`` (those of ``ids``, or
    all), each record once its file is gone. A file that cannot be deleted
    now (a storage outage) keeps its record for the next try. Returns how
    many are left."""
    queued = OrphanedFile.objects.order_by("pk")
    if ids is not None:
        queued = queued.filter(pk__in=ids)
    done, left = [], 0
    for pk, name in queued.values_list("pk", "name").iterator(chunk_size=1000):
        try:
            default_storage.delete(name)
        except Exception:
            logger.exception("Could not delete %s; it stays queued", name)
            left += 1
        else:
            done.append(pk)
        if len(done) >= 1000:
            OrphanedFile.objects.filter(pk__in=done).delete()
            done = []
    OrphanedFile.objects.filter(pk__in=done).delete()
    return left

"""Renditions made again from an image's stored original, for renditions lost
or damaged in storage (``check_media --fix``)."""

import hashlib
import tempfile
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from ..models import Image, rendition_upload_to
from ..storage_migration import SPOOL_BYTES, digest
from .ingest import Digest, prepare_image
from .storing import RENDITION_KINDS, delete_stored_files


class RerenderFailed(Exception):
    """Why renditions could not be made again, in words for a person. Not a
    ValidationError: no form or API answers with it, only check_media."""


def renditions_rerender(image, *, kinds=RENDITION_KINDS):
    """Render ``kinds`` (of "display", "thumbnail") of ``image`` again from its
    stored original, exactly as an upload renders them, and store each under
    its own name in place of whatever is there. Other files are not touched.
    Returns ``image``, its fields updated.

    The original is read once and must still have the SHA-256 recorded at
    upload: a changed original is never rendered from, since only a backup
    can bring it back. Raises :class:`RerenderFailed` saying why nothing
    or not everything was made."""
    prepared = _prepare_stored_original(image)
    changes = {}
    for kind in kinds:
        rendition = getattr(prepared, kind)
        changes[kind] = _store(
            rendition_upload_to(image, f"{kind}.{rendition.extension}"), rendition.data
        )
        changes[f"{kind}_width"] = rendition.width
        changes[f"{kind}_height"] = rendition.height
        changes[f"{kind}_sha256"] = hashlib.sha256(rendition.data).hexdigest()
    written = [changes[kind] for kind in kinds]
    if not Image.objects.filter(pk=image.pk).update(**changes):
        # Deleted meanwhile: what was just written belongs to nobody.
        delete_stored_files(written)
        raise RerenderFailed("The image was deleted meanwhile.")
    stale = [getattr(image, kind).name for kind in kinds]
    stale = [name for name in stale if name and name not in written]
    if stale:
        transaction.on_commit(partial(delete_stored_files, stale))
    for field, value in changes.items():
        setattr(image, field, value)
    return image


def _store(name, data):
    try:
        # A damaged copy under the name would make storage pick another.
        default_storage.delete(name)
        return default_storage.save(name, ContentFile(data))
    except OSError as error:
        # No half-written file: a missing rendition is plainly reported.
        delete_stored_files([name])
        reason = error.strerror or "storage error"
        raise RerenderFailed(
            f"The rendition could not be stored ({reason}); try again later."
        ) from error


def _prepare_stored_original(image):
    # Staged on local disk beyond a few MB: Pillow must seek, and an
    # original may be far larger than memory should hold.
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as staged:
        try:
            sha256, size = digest(default_storage, image.original.name, copy_to=staged)
        except FileNotFoundError:
            raise RerenderFailed(
                "The original file is missing: restore it from a backup."
            ) from None
        if sha256 != image.sha256:
            raise RerenderFailed(
                "The original file is not the one uploaded (its SHA-256 "
                "differs): restore it from a backup."
            )
        try:
            return prepare_image(
                staged, filename=image.original_filename, digest=Digest(sha256, size)
            )
        except ValidationError as error:
            # Settings may have changed since the upload (formats, pixels).
            raise RerenderFailed(" ".join(error.messages)) from error

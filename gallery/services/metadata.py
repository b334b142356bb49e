"""Reading the metadata of images stored before ingest read it.

Images not read yet have an empty ``taken_source`` (their upload date stands
in meanwhile). Each is read from its stored original, on local disk or S3 as
configured, and keeps an empty ``taken_source`` only if that failed: running
again picks up exactly what is left.
"""

import logging
from dataclasses import asdict, dataclass, field, fields

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

from ..metadata import PhotoMetadata, TakenSource, read_metadata
from ..models import Image
from .ingest import open_image

logger = logging.getLogger(__name__)

# Every field read_metadata gives, written back in one UPDATE per batch.
METADATA_FIELDS = [field.name for field in fields(PhotoMetadata)]


@dataclass
class MetadataReport:
    read: int = 0
    dated: int = 0  # of those read, with a date from the camera
    failed: list = field(default_factory=list)  # (image id, why)


def images_without_metadata():
    return Image.objects.filter(taken_source="")


def read_stored_metadata(*, batch_size=200, progress=None):
    """Read every image whose metadata has not been read, ``batch_size`` at a
    time in id order (one UPDATE per batch). ``progress`` is called with the
    number of images done after each batch. Returns a :class:`MetadataReport`."""
    report = MetadataReport()
    pending = (
        images_without_metadata().order_by("pk").only("pk", "original", "created_at")
    )
    last = None
    while batch := list(
        (pending.filter(pk__gt=last) if last else pending)[:batch_size]
    ):
        last = batch[-1].pk
        done = []
        for image in batch:
            try:
                metadata = _stored_metadata(image)
            except Exception as error:  # noqa: BLE001 (one bad file stops nothing)
                logger.warning("Could not read image %s: %r", image.pk, error)
                report.failed.append((image.pk, _why(error)))
                continue
            for name, value in asdict(metadata).items():
                setattr(image, name, value)
            done.append(image)
            report.dated += metadata.taken_source == TakenSource.CAMERA
        Image.objects.bulk_update(done, METADATA_FIELDS)
        report.read += len(done)
        if progress:
            progress(len(batch))
    return report


def _stored_metadata(image):
    with default_storage.open(image.original.name, "rb") as file:
        img = open_image(file)
        uploaded = timezone.localtime(image.created_at)
        return read_metadata(img).dated(uploaded, TakenSource.UPLOAD)


def _why(error):
    if isinstance(error, ValidationError):
        return error.messages[0]
    if isinstance(error, FileNotFoundError):
        return "The stored original is missing."
    return f"The stored original could not be read ({type(error).__name__})."

"""Importing folders of images from the server's disk (``import_images``).

``pipeline`` runs the import (walk, worker pool, batched rows), ``tasks`` is
what the workers do, ``journal`` makes a killed run recoverable, ``manifest``
reads per-file metadata, ``albums`` puts the images in albums, ``progress``
shows it all on a terminal or in a log.
"""

from .albums import ALBUM_FROM
from .manifest import Manifest, ManifestError
from .pipeline import TITLE_FROM, ImportOptions, import_images
from .results import DUPLICATE, IMPORTED, REJECTED, WOULD_IMPORT, ImportResult
from .tasks import default_workers

__all__ = [
    "ALBUM_FROM",
    "DUPLICATE",
    "IMPORTED",
    "REJECTED",
    "TITLE_FROM",
    "WOULD_IMPORT",
    "ImportOptions",
    "ImportResult",
    "Manifest",
    "ManifestError",
    "default_workers",
    "import_images",
]

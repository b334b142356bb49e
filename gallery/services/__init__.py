"""Services: the only code that creates, changes or deletes images."""

from .images import (
    image_purge,
    image_restore,
    image_trash,
    image_update,
    images_purge,
    images_restore,
    images_set_taken,
    images_set_visibility,
    images_trash,
    purge_trash,
)
from .ingest import Digest, PreparedImage, clean_filename, hash_file, prepare_image
from .storing import build_image, insert_images, write_image_files
from .uploads import (
    CREATED,
    DUPLICATE,
    OUTCOMES,
    REJECTED,
    UploadOutcome,
    check_hashes,
    duplicate_outcome,
    upload_image,
    upload_images,
)

__all__ = [
    "CREATED",
    "DUPLICATE",
    "OUTCOMES",
    "REJECTED",
    "Digest",
    "PreparedImage",
    "UploadOutcome",
    "build_image",
    "check_hashes",
    "clean_filename",
    "duplicate_outcome",
    "hash_file",
    "image_purge",
    "image_restore",
    "image_trash",
    "image_update",
    "images_purge",
    "images_restore",
    "images_set_taken",
    "images_set_visibility",
    "images_trash",
    "insert_images",
    "prepare_image",
    "purge_trash",
    "upload_image",
    "upload_images",
    "write_image_files",
]

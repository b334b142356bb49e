"""Services: the only code that creates, changes or deletes images."""

from .images import image_delete, image_update, images_set_visibility
from .ingest import (
    Digest,
    PreparedImage,
    clean_filename,
    hash_file,
    image_create,
    prepare_image,
    store_image,
)

__all__ = [
    "Digest",
    "PreparedImage",
    "clean_filename",
    "hash_file",
    "image_create",
    "image_delete",
    "image_update",
    "images_set_visibility",
    "prepare_image",
    "store_image",
]

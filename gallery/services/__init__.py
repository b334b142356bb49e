"""Services: the only code that creates, changes or deletes images."""

from .images import image_delete, image_update, images_delete, images_set_visibility
from .ingest import (
    Digest,
    PreparedImage,
    clean_filename,
    hash_file,
    image_create,
    prepare_image,
    store_image,
)
from .storing import build_image, insert_images, write_image_files

__all__ = [
    "Digest",
    "PreparedImage",
    "build_image",
    "clean_filename",
    "hash_file",
    "image_create",
    "image_delete",
    "image_update",
    "images_delete",
    "images_set_visibility",
    "insert_images",
    "prepare_image",
    "store_image",
    "write_image_files",
]

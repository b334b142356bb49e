"""Importing folders of images from the server's disk (``import_images``)."""

import os
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError

from .models import Image, Visibility
from .services import hash_file, image_create, prepare_image

IMPORTED, DUPLICATE, REJECTED, WOULD_IMPORT = (
    "imported",
    "duplicate",
    "rejected",
    "would import",
)


@dataclass(frozen=True)
class ImportResult:
    path: Path
    outcome: str
    image_id: str | None = None
    reason: str | None = None


def iter_files(roots):
    """Yield every regular file under ``roots`` one at a time, in a stable
    order, without following symlinks or listing hidden files."""
    for root in roots:
        root = Path(root)
        if root.is_file():
            yield root
            continue
        for folder, dirs, files in os.walk(root, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                path = Path(folder, name)
                if not name.startswith(".") and not path.is_symlink():
                    yield path


def import_file(path, *, owner, visibility, description, dry_run=False):
    """Import one file through the ingest service and say what happened."""
    try:
        with open(path, "rb") as handle:
            if dry_run:
                return _check_only(path, handle, owner)
            image = image_create(
                owner=owner,
                file=handle,
                filename=path.name,
                description=description,
                visibility=visibility,
            )
    except ValidationError as error:
        return ImportResult(path, REJECTED, reason=error.messages[0])
    except OSError as error:
        return ImportResult(
            path, REJECTED, reason=f"cannot read the file: {error.strerror}"
        )
    outcome = DUPLICATE if image.is_duplicate else IMPORTED
    return ImportResult(path, outcome, image_id=str(image.pk))


def _check_only(path, handle, owner):
    digest = hash_file(handle)
    existing = Image.objects.filter(owner=owner, sha256=digest.sha256).first()
    if existing:
        return ImportResult(path, DUPLICATE, image_id=str(existing.pk))
    prepare_image(handle, filename=path.name, digest=digest)
    return ImportResult(path, WOULD_IMPORT)


def import_images(
    roots, *, owner, visibility=Visibility.PUBLIC, description="", dry_run=False
):
    """Import every file under ``roots`` for ``owner``; yields one
    :class:`ImportResult` per file as it goes."""
    for path in iter_files(roots):
        yield import_file(
            path,
            owner=owner,
            visibility=visibility,
            description=description,
            dry_run=dry_run,
        )

import itertools
import posixpath
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.utils import timezone

from gallery.services import first_error
from gallery.services.uploads import upload_image

from .images import (
    SVG,
    TEXT,
    image_bytes,
    noisy_jpeg,
    png_with_size,
    truncated_jpeg,
    upload,
)


@pytest.fixture(autouse=True)
def empty_cache():
    """The API's request counters live in a cache: every test starts at zero.
    (Upload counters are rows, rolled back with each test.)"""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_image():
    """``make_image(owner, **fields)`` stores a fresh (unique) JPEG through the
    upload service and returns the Image."""
    seeds = itertools.count(1)

    def make(owner, *, data=None, name="photo.jpg", **fields):
        data = data or noisy_jpeg((96, 64), seed=next(seeds))
        outcome = upload_image(owner=owner, file=upload(name, data), **fields)
        assert outcome.image is not None, outcome
        return outcome.image

    return make


def stored_files(folder=None):
    """Every file in this test's media store, as names relative to it, walked
    through the storage API so the same assertion checks the folder on disk or
    the prefix in the S3 bucket. Given a ``folder`` (a child process's own
    MEDIA_ROOT; never this test's ``media_root``, which under make test-scale
    is not where uploads go), the files under that folder on disk instead."""
    if folder is not None:
        folder = Path(folder)
        return sorted(
            str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()
        )
    return sorted(_walk(default_storage, ""))


def _walk(storage, folder):
    folders, files = storage.listdir(folder)
    for name in files:
        yield posixpath.join(folder, name)
    for sub in folders:
        yield from _walk(storage, posixpath.join(folder, sub))


def stored_bytes(name):
    """The bytes of ``name`` as the media store holds them."""
    with default_storage.open(name, "rb") as handle:
        return handle.read()


@pytest.fixture
def bulk_images():
    """``bulk_images(owner, titles, **fields)`` inserts rows with
    ``bulk_create``, as a bulk import would: no files, no ingest service.
    Each ``titles`` item is a title or a ``(title, description)`` pair.
    Public unless ``visibility`` says otherwise (the model's default is
    private): the tests that use them page and search everyone's view."""
    from gallery.models import Image, Visibility

    serial = itertools.count(1)

    def make(owner, titles, *, taken_at=None, visibility=Visibility.PUBLIC, **fields):
        rows = []
        for item in titles:
            title, description = item if isinstance(item, tuple) else (item, "")
            n = next(serial)
            rows.append(
                Image(
                    owner=owner,
                    taken_at=taken_at or timezone.now(),
                    title=title,
                    description=description,
                    original=f"originals/bulk-{owner.pk}-{n}.jpg",
                    original_filename=f"bulk-{n}.jpg",
                    format="JPEG",
                    width=40,
                    height=30,
                    file_size=100,
                    sha256=f"{owner.pk:04d}{n:060d}",
                    thumbnail=f"renditions/bulk-{owner.pk}-{n}-thumb.jpg",
                    thumbnail_width=40,
                    thumbnail_height=30,
                    display=f"renditions/bulk-{owner.pk}-{n}-display.jpg",
                    display_width=40,
                    display_height=30,
                    visibility=visibility,
                    **fields,
                )
            )
        return Image.objects.bulk_create(rows)

    return make


@pytest.fixture
def photo_tree(tmp_path):
    """good: 5 distinct images (one also copied under a second name, one a
    HEIC), bad: text, a truncated JPEG, an SVG, a bomb, in nested folders."""
    root = tmp_path / "photos"
    (root / "2023" / "summer").mkdir(parents=True)
    (root / "2024").mkdir()
    (root / "2023" / "a.jpg").write_bytes(noisy_jpeg(seed=1))
    (root / "2023" / "summer" / "b.jpg").write_bytes(noisy_jpeg(seed=2))
    (root / "2024" / "b again.jpg").write_bytes(noisy_jpeg(seed=2))
    (root / "2024" / "c.png").write_bytes(image_bytes("PNG", (30, 20)))
    (root / "2024" / "d.gif").write_bytes(image_bytes("GIF", (30, 20)))
    (root / "2024" / "phone.heic").write_bytes(image_bytes("HEIF", (60, 40)))
    (root / "2024" / "notes.jpg").write_bytes(TEXT)  # text, named as a photo
    (root / "2024" / "broken.jpg").write_bytes(truncated_jpeg())
    (root / "2024" / "logo.svg").write_bytes(SVG)
    (root / "2024" / "bomb.png").write_bytes(png_with_size(40_000, 40_000))
    (root / "2024" / ".hidden.jpg").write_bytes(noisy_jpeg(seed=3))
    return root


def fault(error):
    """A service's ``ValidationError`` as (the input it names, its code)."""
    field, first = first_error(error)
    return field, first.code

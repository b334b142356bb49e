import itertools

import pytest
from django.core.cache import cache

from gallery.services import image_create

from .images import noisy_jpeg, upload


@pytest.fixture(autouse=True)
def empty_cache():
    """Upload rate counters live in the cache: every test starts at zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_image():
    """``make_image(owner, **fields)`` stores a fresh (unique) JPEG through the
    ingest service and returns the Image."""
    seeds = itertools.count(1)

    def make(owner, *, data=None, name="photo.jpg", **fields):
        data = data or noisy_jpeg((96, 64), seed=next(seeds))
        return image_create(owner=owner, file=upload(name, data), **fields)

    return make


def stored_files(media_root):
    """Every file under MEDIA_ROOT, as relative paths."""
    return sorted(
        str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file()
    )

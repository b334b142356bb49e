"""Thumbnail ms per image: our rendition code against pyvips' ``thumbnail``,
one thread each, the same files, interleaved so load hits both alike.

Ours is the production path for a thumbnail: ``open_image`` (allowed
decoders, limits), ``request_draft`` (JPEG shrink-on-load), ``make_thumbnail``
(EXIF orientation, resize, JPEG/WebP encode). pyvips does the same job:
shrink-on-load, resize, JPEG encode at the same quality. Also printed: our
full per-image cost (display and thumbnail renditions), for the record.

    VIPS_CONCURRENCY=1 python bench/thumbnails.py FILE...
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imagerepo.settings.production")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

import pyvips  # noqa: E402
from django.conf import settings  # noqa: E402

from gallery.services.ingest import open_image, prepare_image  # noqa: E402
from gallery.services.renditions import (  # noqa: E402
    JPEG_QUALITY,
    make_thumbnail,
    request_draft,
)

ROUNDS = 3


def ours(path, size):
    with open(path, "rb") as handle:
        img = open_image(handle)
        request_draft(img, size)
        img.load()
        return make_thumbnail(img, size).data


def vips(path, size):
    return pyvips.Image.thumbnail(str(path), size).jpegsave_buffer(Q=JPEG_QUALITY)


def full(path, size):
    with open(path, "rb") as handle:
        return prepare_image(handle, filename=path.name)


def main():
    pyvips.cache_set_max(0)
    files = [Path(p) for p in sys.argv[1:]]
    size = settings.IMAGEREPO_THUMBNAIL_SIZE
    totals = {ours: 0.0, vips: 0.0, full: 0.0}
    for path in files:
        for fn in totals:
            fn(path, size)  # warm: file in page cache, code paths loaded
    for _ in range(ROUNDS):
        for path in files:
            for fn in totals:
                start = time.perf_counter()
                fn(path, size)
                totals[fn] += time.perf_counter() - start
    count = len(files) * ROUNDS
    print(
        f"files={len(files)} rounds={ROUNDS} size={size} "
        f"vips_version={pyvips.version(0)}.{pyvips.version(1)}"
    )
    print(
        f"ours_ms={totals[ours] / count * 1000:.2f} "
        f"vips_ms={totals[vips] / count * 1000:.2f} "
        f"ours_display_and_thumbnail_ms={totals[full] / count * 1000:.2f}"
    )


if __name__ == "__main__":
    main()

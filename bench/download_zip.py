"""Download all: what writing the zip costs beside reading the same files.

The zip of an album's originals (``gallery.delivery.zip_response``) is
written as it is sent. This reads N files of SIZE bytes from local storage
twice, interleaved round by round: once plainly in the same 1 MiB chunks
(the floor: what any download of them costs), once through the zip's
generator; and the Python memory the generator holds at most (tracemalloc),
against the total it sends.

    .venv/bin/python -m bench.download_zip [N] [SIZE_MB]
"""

import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.core.files.storage import FileSystemStorage  # noqa: E402

from gallery.delivery import ZIP_CHUNK, _zip_chunks  # noqa: E402

ROUNDS = 5


def files(folder, count, size):
    storage = FileSystemStorage(location=folder)
    images = []
    for n in range(count):
        name = f"photo-{n}.jpg"
        Path(folder, name).write_bytes(os.urandom(size))
        images.append(
            SimpleNamespace(
                pk=n,
                owner_id=1,
                original=SimpleNamespace(storage=storage, name=name),
                original_filename=name,
                extension="jpg",
                taken_local=None,
            )
        )
    return images


def plain(images):
    sent = 0
    for image in images:
        with image.original.storage.open(image.original.name, "rb") as handle:
            while chunk := handle.read(ZIP_CHUNK):
                sent += len(chunk)
    return sent


def zipped(images):
    return sum(len(chunk) for chunk in _zip_chunks(images, SimpleNamespace(pk=1)))


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    size = int(float(sys.argv[2]) * 1024 * 1024) if len(sys.argv) > 2 else 4 << 20
    with tempfile.TemporaryDirectory() as folder:
        images = files(folder, count, size)
        times = {"plain": [], "zip": []}
        for _ in range(ROUNDS):
            for name, run in (("plain", plain), ("zip", zipped)):
                started = time.perf_counter()
                sent = run(images)
                times[name].append(time.perf_counter() - started)
        tracemalloc.start()
        sent = zipped(images)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    best = {name: min(values) for name, values in times.items()}
    total = count * size
    print(f"{count} files of {size / 2**20:.1f} MiB, {total / 2**20:,.0f} MiB in all")
    for name, seconds in best.items():
        rate = total / seconds / 2**20
        print(f"  {name:<6} best of {ROUNDS}: {seconds:.3f} s, {rate:,.0f} MiB/s")
    print(f"  plain ÷ zip by time: {best['plain'] / best['zip']:.2f}")
    held = peak / 2**20
    print(f"  zip sent {sent / 2**20:,.1f} MiB; Python memory at most {held:.2f} MiB")


if __name__ == "__main__":
    main()

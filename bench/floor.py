"""The floor for bench/ingest.py: the least any importer must do per photo.

Reads each file, SHA-256-hashes it, copies it to a uuid name, makes a Pillow
thumbnail (``Image.thumbnail``, Pillow's defaults, saved as JPEG) on N
processes, then inserts every row with one bulk insert at the end. No
validation, no display rendition, no duplicate check, no resumability.

    python bench/floor.py SOURCE_DIR OUT_DIR --processes 2
"""

import argparse
import hashlib
import io
import os
import sqlite3
import uuid
from multiprocessing import Pool
from pathlib import Path

from PIL import Image

THUMBNAIL = (400, 400)


def handle(job):
    path, out_dir = job
    data = Path(path).read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    name = uuid.uuid4().hex
    Path(out_dir, name + Path(path).suffix).write_bytes(data)
    img = Image.open(io.BytesIO(data))
    img.thumbnail(THUMBNAIL)
    buffer = io.BytesIO()
    img.convert("RGB").save(buffer, "JPEG")
    Path(out_dir, name + "-thumb.jpg").write_bytes(buffer.getvalue())
    return (name, str(path), sha256, len(data), img.width, img.height)


def files(root):
    for folder, _, names in os.walk(root):
        for name in names:
            yield os.path.join(folder, name)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("out")
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    jobs = ((path, args.out) for path in files(args.source))
    with Pool(args.processes) as pool:
        rows = list(pool.imap_unordered(handle, jobs, chunksize=4))
    with sqlite3.connect(Path(args.out, "floor.sqlite3")) as db:
        db.execute(
            "CREATE TABLE image (id TEXT PRIMARY KEY, path TEXT, sha256 TEXT,"
            " size INTEGER, thumb_w INTEGER, thumb_h INTEGER)"
        )
        db.executemany("INSERT INTO image VALUES (?, ?, ?, ?, ?, ?)", rows)
    print(len(rows))


if __name__ == "__main__":
    main()

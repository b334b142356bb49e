"""A library of a million images in a SQLite file, for the benchmarks.

Rows only (no image files): the gallery and search read titles, sizes and
names, never the bytes. Built once and reused (``--rebuild`` starts over);
rows go in with executemany in big transactions, through the search triggers,
as a bulk import would.
"""

import os
import random
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.corpus import Corpus

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
OWNERS = 1000
PRIVATE_SHARE = 0.10
BATCH = 50_000
COLUMNS = (
    "id",
    "owner_id",
    "title",
    "description",
    "visibility",
    "original",
    "original_filename",
    "format",
    "width",
    "height",
    "file_size",
    "sha256",
    "thumbnail",
    "thumbnail_width",
    "thumbnail_height",
    "display",
    "display_width",
    "display_height",
    "created_at",
    "updated_at",
)


def database_path(rows):
    return RESULTS / f"library-{rows}.sqlite3"


def django_env(path, **extra):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"sqlite:///{path}",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        **extra,
    }


def _users(db):
    now = datetime.now(UTC).isoformat(" ")
    db.executemany(
        "INSERT INTO auth_user (password, is_superuser, username, first_name, "
        "last_name, email, is_staff, is_active, date_joined) "
        "VALUES ('!', 0, ?, '', '', '', 0, 1, ?)",
        [(f"owner{n}", now) for n in range(OWNERS)],
    )
    return [row[0] for row in db.execute("SELECT id FROM auth_user ORDER BY id")]


def _rows(count, owners, start):
    rng = random.Random(7)
    for i, title, description in Corpus().rows(count):
        pk = uuid.UUID(int=rng.getrandbits(128), version=4).hex
        stamp = (start + timedelta(seconds=i)).isoformat(" ")
        w, h = rng.choice([(400, 300), (300, 400), (400, 267), (400, 400)])
        private = rng.random() < PRIVATE_SHARE
        yield (
            pk, rng.choice(owners), title, description,
            "private" if private else "public",
            f"originals/{pk[:2]}/{pk[2:4]}/{pk}.jpg", f"IMG_{i:07d}.jpg", "JPEG",
            w * 10, h * 10, 2_000_000, f"{i:064x}",
            f"renditions/{pk[:2]}/{pk[2:4]}/{pk}-thumbnail.jpg", w, h,
            f"renditions/{pk[:2]}/{pk[2:4]}/{pk}-display.jpg", w * 5, h * 5,
            stamp, stamp,
        )  # fmt: skip


def _migrate(path):
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=ROOT, env=django_env(path), check=True,
    )  # fmt: skip


def build(rows, *, rebuild=False):
    """Create (or reuse) the library of ``rows`` images; returns its path."""
    path = database_path(rows)
    if path.exists() and not rebuild:
        _migrate(path)  # a library built by older code gets today's schema
        return path
    RESULTS.mkdir(parents=True, exist_ok=True)
    for leftover in RESULTS.glob(path.name + "*"):
        leftover.unlink()
    _migrate(path)
    started = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    with db:
        owners = _users(db)
    placeholders = ", ".join("?" for _ in COLUMNS)
    insert = f"INSERT INTO gallery_image ({', '.join(COLUMNS)}) VALUES ({placeholders})"
    source = _rows(rows, owners, datetime(2015, 1, 1, tzinfo=UTC))
    done = 0
    while done < rows:
        with db:
            batch = [next(source) for _ in range(min(BATCH, rows - done))]
            db.executemany(insert, batch)
        done += len(batch)
        print(f"  {done:,} rows", end="\r", file=sys.stderr)
    db.execute("PRAGMA optimize")
    db.close()
    seconds = time.perf_counter() - started
    print(f"built {path.name}: {rows:,} rows in {seconds:.0f} s", file=sys.stderr)
    return path


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    build(count, rebuild="--rebuild" in sys.argv)

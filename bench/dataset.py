"""A library of a million images in a SQLite file, for the benchmarks.

Rows only (no image files): the gallery and search read titles, sizes and
names, never the bytes. Built once and reused (``--rebuild`` starts over);
rows go in with executemany in big transactions, through the search triggers,
as a bulk import would.

Dates taken are those of a photo library imported years after the photos were
taken: spread over the 20 years before the import, in no relation to the
upload order (a pseudo-random moment per image, from a hash of its id, so the
same library gets the same dates). A library built before dates taken existed
gets them in place, once.
"""

import hashlib
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
# Dates taken fall in the 20 years before the library's uploads begin.
UPLOADS_BEGIN = datetime(2015, 1, 1, tzinfo=UTC)
TAKEN_SPAN = timedelta(days=365 * 20 + 5)  # 2015-01-01 back to 1995-01-01
# Half the cameras said their zone (offsets as far apart as Europe and the US).
CAMERA_OFFSETS = (None, None, None, None, 60, 120, -300, -420)
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


def _hashed(pk, salt):
    """A number from 0 to 2**64 - 1 that depends on ``pk`` alone (and which
    ``salt``): the same on every build and every machine."""
    digest = hashlib.blake2b(f"{salt}:{pk}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def taken_at(pk):
    """The date taken of image ``pk`` (its id in hex): a wall clock, written
    as Django writes ``Image.taken_at`` on SQLite (as if UTC, no offset)."""
    seconds = _hashed(pk, "taken") % int(TAKEN_SPAN.total_seconds())
    moment = UPLOADS_BEGIN - TAKEN_SPAN + timedelta(seconds=seconds)
    return moment.replace(tzinfo=None).isoformat(" ")


def taken_offset(pk):
    return CAMERA_OFFSETS[_hashed(pk, "offset") % len(CAMERA_OFFSETS)]


def date_photos(path):
    """Give every image its date taken (see the module docstring), with one
    UPDATE, unless they have theirs already."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        # Still undated: every taken_at NULL (a fresh build) or the copy of
        # created_at that migration 0009 made.
        dated = (
            "SELECT 1 FROM gallery_image WHERE taken_at IS NOT created_at "
            "AND taken_at IS NOT NULL LIMIT 1"
        )
        if db.execute(dated).fetchone():
            return
        started = time.perf_counter()
        db.create_function("taken_at", 1, taken_at, deterministic=True)
        db.create_function("taken_offset", 1, taken_offset, deterministic=True)
        # Four indexes lead with taken_at: updated row by row in random order
        # they would cost far more than built again from the table in one sort.
        indexes = db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = 'gallery_image' AND sql LIKE '%taken_at%'"
        ).fetchall()
        db.execute("PRAGMA cache_size = -512000")  # 500 MB: the sorts in memory
        db.execute("BEGIN")  # one transaction: the indexes are never left dropped
        for name, _ in indexes:
            db.execute(f'DROP INDEX "{name}"')
        db.execute(
            "UPDATE gallery_image SET taken_at = taken_at(id), "
            "taken_offset = taken_offset(id), taken_source = 'camera'"
        )
        for _, sql in indexes:
            db.execute(sql)
        db.execute("COMMIT")
        seconds = time.perf_counter() - started
        print(f"dated {path.name}'s photos in {seconds:.0f} s", file=sys.stderr)
    finally:
        db.close()


def migrate(path):
    """Bring the library at ``path`` to the schema of this checkout."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=ROOT, env=django_env(path), check=True,
    )  # fmt: skip


def build(rows, *, rebuild=False):
    """Create (or reuse) the library of ``rows`` images; returns its path."""
    path = database_path(rows)
    if path.exists() and not rebuild:
        migrate(path)  # a library built by older code gets today's schema
        date_photos(path)
        return path
    RESULTS.mkdir(parents=True, exist_ok=True)
    for leftover in RESULTS.glob(path.name + "*"):
        leftover.unlink()
    migrate(path)
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
    db.close()
    date_photos(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA optimize")
    db.close()
    seconds = time.perf_counter() - started
    print(f"built {path.name}: {rows:,} rows in {seconds:.0f} s", file=sys.stderr)
    return path


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    build(count, rebuild="--rebuild" in sys.argv)

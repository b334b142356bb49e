"""Bulk import benchmark. Every ratio is measured in one run against
a baseline from the same run, and printed with the two raw figures.

1. floor:     images/s of ``import_images --workers W`` / images/s of
              bench/floor.py on W processes (target >= 0.8)
2. database:  images/s importing into a database already holding --db-rows
              image rows / into an empty one (target >= 0.85)
3. memory:    peak RSS of the whole process tree importing --small-files
              LARGE small files / SMALL ones (target <= 1.3)
4. thumbnail: ms per thumbnail of our rendition code / pyvips ``thumbnail``,
              one thread each, same files (target <= 1.2)

    .venv/bin/pip install -r bench/requirements.txt
    .venv/bin/python bench/ingest.py --photos 2000 --megapixels 12

With ``--store scale`` every measured site is a fresh PostgreSQL database and
its own key prefix in the S3 bucket of the servers scripts/scale-servers starts
(run ``eval $(.venv/bin/python scripts/scale-servers env)`` first); the floor
script still writes to local disk, as the floor of any store.

Generated data goes to --data-dir (kept, and reused by later runs with the
same parameters); nothing is written to the project's media or database.
"""

import argparse
import contextlib
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from samples import make_photos, make_small_files  # noqa: E402
from stores import STORES  # noqa: E402
from tree_memory import peak_tree_rss  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "manage.py"
CREATE_OWNER = (
    "from django.contrib.auth.models import User; User.objects.create_user('bench')"
)
TARGETS = {"floor": 0.8, "database": 0.85, "memory": 1.3, "thumbnail": 1.2}


def main():
    args = parse_args()
    args.store = STORES[args.store]()
    data = Path(args.data_dir)
    data.mkdir(parents=True, exist_ok=True)
    print(machine_line(args))
    photos = make_photos(data / "photos", args.photos, args.megapixels, args.pngs)
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-", dir=args.work_dir))
    try:
        for name in args.only:
            globals()[f"bench_{name}"](args, data, photos, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=2000, help="JPEG photos")
    parser.add_argument("--megapixels", type=float, default=12.0)
    parser.add_argument("--pngs", type=int, default=None, help="default photos/20")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating runs; medians are compared"
    )
    parser.add_argument("--db-rows", type=int, default=1_000_000)
    parser.add_argument(
        "--db-files",
        type=int,
        default=3000,
        help="small files also imported for the database ratio",
    )
    parser.add_argument(
        "--small-files",
        default="1000,100000",
        help="SMALL,LARGE file counts for the memory ratio",
    )
    parser.add_argument("--thumbnail-files", type=int, default=40)
    parser.add_argument(
        "--store",
        default="sqlite",
        choices=list(STORES),
        help="where imports write: SQLite + disk, or PostgreSQL + S3 (scale)",
    )
    parser.add_argument("--data-dir", default="/tmp/imagerepo-bench")
    parser.add_argument("--work-dir", default=None)
    parser.add_argument(
        "--only", nargs="+", default=list(TARGETS), choices=list(TARGETS)
    )
    return parser.parse_args()


def machine_line(args):
    load = os.getloadavg()
    return (
        f"machine: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
        f"store: {args.store.name}; "
        f"args: {' '.join(sys.argv[1:]) or '(defaults)'}"
    )


def report(name, ratio, ours, base, unit, better, label=None):
    target = TARGETS[name]
    met = ratio >= target if better == "higher" else ratio <= target
    sign = ">=" if better == "higher" else "<="
    print(
        f"{label or name}: ratio {ratio:.3f} (target {sign} {target}:"
        f" {'met' if met else 'MISSED'}); ours {ours:.2f} {unit},"
        f" baseline {base:.2f} {unit}",
        flush=True,
    )


# ---------------------------------------------------------------- 1. floor


def bench_floor(args, data, photos, work):
    warm(photos.folder)
    floor, ours = rounds(
        args.rounds,
        lambda: timed_floor(photos, work / "floor-out", args.workers),
        lambda: timed_import(args, work / "floor-site", photos.folder),
    )
    report("floor", ours.rate / floor.rate, ours.rate, floor.rate, "images/s", "higher")
    report_cpu("floor", floor, ours)


@dataclass(frozen=True)
class Timing:
    rate: float  # images per second of wall-clock time
    cpu_ms: float  # CPU milliseconds per image, the process and its children


def timed(images, command, env=None):
    """Run ``command``; its :class:`Timing` and its standard output."""
    os.sync()  # write-back of the set-up (e.g. a 1 GB database copy) is not timed
    cpu_before = children_cpu()
    start = time.perf_counter()
    out = run(command, env=env, capture=True)
    seconds = time.perf_counter() - start
    cpu = children_cpu() - cpu_before
    return Timing(images / seconds, cpu / images * 1000), out, seconds


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_floor(photos, out, workers):
    script = ROOT / "bench" / "floor.py"
    command = [sys.executable, str(script), str(photos.folder), str(out)]
    timing, _, seconds = timed(photos.count, [*command, "--processes", str(workers)])
    print(f"  floor: {photos.count} images in {seconds:.1f} s", flush=True)
    shutil.rmtree(out)
    return timing


def rounds(count, baseline, ours):
    """Medians of each contestant's timings, run alternately so that drifts in
    the machine's load hit both."""
    figures = [(baseline(), ours()) for _ in range(count)]
    return tuple(
        Timing(
            statistics.median(t.rate for t in column),
            statistics.median(t.cpu_ms for t in column),
        )
        for column in zip(*figures, strict=True)
    )


def report_cpu(name, base, ours):
    """The same comparison in CPU time, which a busy shared machine disturbs
    far less than wall-clock time (for information; targets are wall-clock)."""
    print(
        f"  {name}, in CPU time: ratio {base.cpu_ms / ours.cpu_ms:.3f}; ours"
        f" {ours.cpu_ms:.1f} ms/image, baseline {base.cpu_ms:.1f} ms/image",
        flush=True,
    )


# ---------------------------------------------------------------- 2. database


def bench_database(args, data, photos, work):
    small = make_small_files(data / f"db-small-{args.db_files}", args.db_files)
    sqlite_template = full_database(data, args.db_rows, work)
    template = args.store.template(sqlite_template, work / "db-template", migrate)
    try:
        database_ratios(args, photos, small, template, work)
    finally:
        args.store.drop_template(template)


def database_ratios(args, photos, small, template, work):
    for label, folder in (("photos", photos.folder), ("small files", small.folder)):
        warm(folder)
        empty, full = rounds(
            args.rounds,
            lambda folder=folder: timed_import(args, work / "db-empty", folder),
            lambda folder=folder: import_into_copy(template, work, folder, args),
        )
        name = f"database ({label}, {args.db_rows:,} rows)"
        ratio = full.rate / empty.rate
        report("database", ratio, full.rate, empty.rate, "images/s", "higher", name)
        report_cpu(name, empty, full)


def import_into_copy(template, work, folder, args):
    site = work / "db-full"
    env = args.store.from_template(site, template)
    return timed_import(args, site, folder, env)


def full_database(data, rows, work):
    """A migrated database whose one user owns ``rows`` image rows (made once
    and kept in --data-dir)."""
    path = data / f"db-{rows}.sqlite3"
    if path.exists():
        return path
    site = work / "db-template"
    env = STORES["sqlite"]().site_env(site)
    migrate(env)
    fill_images(site / "db.sqlite3", rows)
    shutil.move(site / "db.sqlite3", path)
    shutil.rmtree(site)
    return path


def fill_images(db_path, rows):
    print(f"filling a database with {rows:,} image rows...", flush=True)
    # Closed, not only committed: the rows are in the write-ahead log until
    # the last connection closes, and the file is moved away next.
    with contextlib.closing(sqlite3.connect(db_path)) as db, db:
        owner = db.execute("SELECT id FROM auth_user").fetchone()[0]
        columns = [c[1] for c in db.execute("PRAGMA table_info(gallery_image)")]
        insert = (
            f"INSERT INTO gallery_image ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})"
        )
        db.executemany(insert, (fake_row(columns, owner) for _ in range(rows)))


def fake_row(columns, owner):
    key = uuid.uuid4().hex
    values = {
        "id": key,
        "owner_id": owner,
        "sha256": os.urandom(32).hex(),
        "visibility": "public",
        "format": "JPEG",
        "title": f"photo {key[:8]}",
        "description": "",
        "original_filename": "IMG.jpg",
        "original": f"originals/{key[:2]}/{key[2:4]}/{key}.jpg",
        "display": f"renditions/{key[:2]}/{key[2:4]}/{key}-display.jpg",
        "thumbnail": f"renditions/{key[:2]}/{key[2:4]}/{key}-thumbnail.jpg",
        "created_at": "2024-01-01 00:00:00",
        "updated_at": "2024-01-01 00:00:00",
    }
    return [values.get(column, 1) for column in columns]


# ---------------------------------------------------------------- 3. memory


def bench_memory(args, data, photos, work):
    small_count, large_count = map(int, args.small_files.split(","))
    peaks = {}
    for count in (small_count, large_count):
        files = make_small_files(data / f"small-{count}", count)
        site = work / f"memory-{count}"
        env = args.store.site_env(site)
        migrate(env)
        start = time.perf_counter()
        process = subprocess.Popen(import_command(files.folder, args.workers), env=env)
        peaks[count] = peak_tree_rss(process)
        rate = count / (time.perf_counter() - start)
        check(process.returncode, "import")
        print(
            f"memory: {count:,} files peak tree RSS {peaks[count] / 2**20:.1f} MiB"
            f" ({rate:.0f} files/s)",
            flush=True,
        )
        args.store.remove(site, env)
    large, small = peaks[large_count] / 2**20, peaks[small_count] / 2**20
    report("memory", large / small, large, small, "MiB", "lower")


# ---------------------------------------------------------------- 4. thumbnail


def bench_thumbnail(args, data, photos, work):
    files = photos.sample(args.thumbnail_files)
    env = {**os.environ, "VIPS_CONCURRENCY": "1", "OMP_NUM_THREADS": "1"}
    out = run(
        [sys.executable, str(ROOT / "bench" / "thumbnails.py"), *map(str, files)],
        env=env,
        capture=True,
    )
    print(out.strip())
    figures = dict(line.split("=") for line in out.split() if "=" in line)
    ours, vips = float(figures["ours_ms"]), float(figures["vips_ms"])
    report("thumbnail", ours / vips, ours, vips, "ms/image", "lower")


# ---------------------------------------------------------------- running imports


def migrate(env):
    run([sys.executable, str(MANAGE), "migrate", "--noinput", "-v0"], env=env)
    run([sys.executable, str(MANAGE), "shell", "-v0", "-c", CREATE_OWNER], env=env)


def import_command(folder, workers):
    return [
        sys.executable,
        str(MANAGE),
        "import_images",
        str(folder),
        "--owner",
        "bench",
        "--workers",
        str(workers),
        "-v0",
    ]


def timed_import(args, site, folder, env=None):
    """The :class:`Timing` of one import_images run (the process, start to
    end) into a fresh site of ``args.store``, or the prepared one ``env``."""
    if env is None:
        env = args.store.site_env(site)
        migrate(env)
    count = sum(1 for path in folder.rglob("*") if path.is_file())
    timing, out, seconds = timed(count, import_command(folder, args.workers), env)
    print(f"  import_images: {out.strip()} in {seconds:.1f} s", flush=True)
    args.store.remove(site, env)
    return timing


def warm(folder):
    """Read every file once so both contestants start with a warm page cache."""
    for path in folder.rglob("*"):
        if path.is_file():
            path.read_bytes()


def run(command, env=None, capture=False):
    result = subprocess.run(command, env=env, capture_output=capture, text=True)
    check(result.returncode, command[1], result.stderr if capture else "")
    return result.stdout


def check(returncode, what, stderr=""):
    if returncode != 0:  # the generated files are all good: 1 would be a bug
        sys.exit(f"{what} failed with status {returncode}\n{stderr}")


if __name__ == "__main__":
    main()

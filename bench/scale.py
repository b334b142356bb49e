"""imagerepo on PostgreSQL + SeaweedFS beside SQLite + disk, one run.

Run it under the scale servers, which set DATABASE_URL and the S3 variables:

    .venv/bin/python scripts/scale-servers run --durable -- \\
        .venv/bin/python -m bench.scale                  # 1,000,000 rows, 40 photos
    ... -m bench.scale --rows 100000 --photos 20 --runs 7   # smaller

* search: bench.dataset's library (SQLite) is copied row for row into
  PostgreSQL; the search view (Django test client: routing, middleware, the
  ranked query, the template) is timed for bench.pages's queries, as
  anonymous and as an owner, first page and the next (through its cursor),
  the result cache off, on each database in a process of its own, the two
  alternating round by round so load from elsewhere hits both;
* ingest: ``import_images`` of one folder of generated 12 MP JPEGs into a
  fresh SQLite file + media folder, and into a fresh PostgreSQL database + the
  S3 bucket, each run twice, alternating.
"""

import argparse
import html
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qsl

from bench.dataset import RESULTS, ROOT, build, django_env
from bench.stores import copy_tables, create_database
from bench.timing import summary, timed

ROUNDS = 2
TABLES = ("auth_user", "gallery_image")


# ---------------------------------------------------------------- search


def copy_library(sqlite_path, pg_url):
    """The SQLite library's users and images, row for row, into PostgreSQL."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=ROOT, env=django_env(sqlite_path, DATABASE_URL=pg_url), check=True,
    )  # fmt: skip
    started = time.perf_counter()
    copy_tables(sqlite3.connect(sqlite_path), pg_url, TABLES)
    print(f"copied into PostgreSQL in {time.perf_counter() - started:.0f} s")


def measure_search(database_url, queries, runs):
    """Runs in a child process: times the search view for every query."""
    os.environ.update(
        django_env(
            "unused",
            DATABASE_URL=database_url,
            DJANGO_SETTINGS_MODULE="bench.settings",
            MEDIA_STORAGE="local",
        )
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    owner = get_user_model().objects.get(username="owner42")
    clients = {"anonymous": Client(), "owner": Client()}
    clients["owner"].force_login(owner)
    samples = {}
    for viewer, client in clients.items():
        for case, query in queries.items():
            first = {"q": query}
            pages = {"": first, "|next page": _next_page(client, first)}
            for page, params in pages.items():

                def view(client=client, params=params):
                    assert client.get("/", params).status_code == 200

                # Wall time: the client thread's CPU time leaves out the database.
                if params:  # (a query with one page of results has no next)
                    timing = timed(view, runs, warmup=1)
                    samples[f"{viewer}|{case}{page}"] = timing["wall"]
    print(json.dumps(samples))


def _next_page(client, params):
    """The parameters of the page after ``params``' (its cursor), or None."""
    page = client.get("/", params).content.decode()
    more = re.search(r'rel="next"\s+href="\?([^"]+)"', page)
    return more and dict(parse_qsl(html.unescape(more.group(1))))


def search_side_by_side(rows, pg_url, runs):
    from bench.pages import choose_queries

    sqlite_path = build(rows)
    copy_library(sqlite_path, pg_url)
    queries = choose_queries(sqlite3.connect(sqlite_path))
    urls = {"SQLite": f"sqlite:///{sqlite_path}", "PostgreSQL": pg_url}
    samples = {name: {} for name in urls}
    for _ in range(ROUNDS):
        for name, url in urls.items():
            found = _child("measure-search", url, json.dumps(queries), str(runs))
            for key, values in found.items():
                samples[name].setdefault(key, []).extend(values)
    return queries, samples


def _child(*args):
    result = subprocess.run(
        [sys.executable, "-m", "bench.scale", *args],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode:
        sys.exit(f"bench.scale {args[0]} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def print_search(queries, samples):
    print(
        "\n| viewer | query | SQLite median ms | SQLite p95 ms "
        "| PostgreSQL median ms | PostgreSQL p95 ms | PG ÷ SQLite (median) |\n"
        "|---|---|---|---|---|---|---|"
    )
    for key in samples["SQLite"]:
        viewer, case, *page = key.split("|")
        if key not in samples["PostgreSQL"]:  # the databases disagree: say so
            print(f"| {viewer} | {case} {page} | PostgreSQL has no such page |")
            continue
        lite = summary({"wall": samples["SQLite"][key]})
        pg = summary({"wall": samples["PostgreSQL"][key]})
        label = ", ".join([f"{case} (`{queries[case]}`)", *page])
        print(
            f"| {viewer} | {label} "
            f"| {lite['wall_median_ms']:.2f} | {lite['wall_p95_ms']:.2f} "
            f"| {pg['wall_median_ms']:.2f} | {pg['wall_p95_ms']:.2f} "
            f"| {pg['wall_median_ms'] / lite['wall_median_ms']:.2f}× |"
        )


# ---------------------------------------------------------------- ingest


def make_photos(folder, count):
    """``count`` 12 MP JPEGs, half smooth and half noisy (as phones make them)."""
    from PIL import Image, ImageFilter

    folder.mkdir(parents=True)
    for i in range(count):
        noise = Image.effect_noise((4000, 3000), 60 if i % 2 else 12)
        if i % 2 == 0:
            noise = noise.filter(ImageFilter.GaussianBlur(8))
        tint = Image.new("RGB", (4000, 3000), (40 + i % 200, 90, 160))
        photo = Image.merge("RGB", [noise, noise, noise])
        Image.blend(photo, tint, 0.5).save(folder / f"IMG_{i:04}.jpg", quality=90)


def ingest_once(photos, env, workdir):
    """A fresh site (database already chosen in ``env``), one owner, then
    ``import_images`` of ``photos``, timed from start to summary."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True}
    subprocess.run([*manage, "migrate", "--verbosity", "0"], **run)
    env["DJANGO_SUPERUSER_PASSWORD"] = "bench-only-pw"
    subprocess.run(
        [*manage, "createsuperuser", "--noinput", "--username", "bench", "--email", ""],
        **run,
    )
    started = time.perf_counter()
    result = subprocess.run(
        [*manage, "import_images", str(photos), "--owner", "bench", "--verbosity", "0"],
        **run,
    )
    seconds = time.perf_counter() - started
    return seconds, result.stdout.strip().splitlines()[-1]


def ingest_side_by_side(count, pg_url, workdir):
    photos = workdir / "photos"
    make_photos(photos, count)
    megabytes = sum(p.stat().st_size for p in photos.iterdir()) / 1e6
    figures = {"SQLite + disk": [], "PostgreSQL + SeaweedFS": []}
    for round_ in range(ROUNDS):
        for name in figures:
            env = _ingest_env(name, pg_url, workdir / f"{round_}-{len(name)}")
            figures[name].append(ingest_once(photos, env, workdir))
    return count, megabytes, figures


def _ingest_env(name, pg_url, folder):
    folder.mkdir()
    env = django_env(folder / "db.sqlite3", MEDIA_ROOT=str(folder / "media"))
    env["DJANGO_SETTINGS_MODULE"] = "imagerepo.settings.test"
    if name.startswith("SQLite"):
        env["MEDIA_STORAGE"] = "local"
        return env
    database = f"bench_ingest_{folder.name.replace('-', '_')}"
    env["DATABASE_URL"] = create_database(pg_url, database)
    env["S3_PREFIX"] = f"bench/{database}"
    return env


def print_ingest(count, megabytes, figures):
    print(f"\n{count} photos, {megabytes:.0f} MB; import_images, default workers")
    print("\n| store | run | seconds | photos/s | MB/s | summary |")
    print("|---|---|---|---|---|---|")
    for name, runs in figures.items():
        for i, (seconds, line) in enumerate(runs, 1):
            print(
                f"| {name} | {i} | {seconds:.1f} | {count / seconds:.2f} "
                f"| {megabytes / seconds:.1f} | {line} |"
            )
    best = {name: min(s for s, _ in runs) for name, runs in figures.items()}
    lite, scale = best.values()
    ratio = lite / scale
    print(
        f"\nBest runs, PostgreSQL + SeaweedFS ÷ SQLite + disk throughput: {ratio:.2f}×"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--runs", type=int, default=20, help="timed runs per query")
    parser.add_argument("--only", choices=["search", "ingest"])
    args = parser.parse_args()
    pg_url = os.environ.get("DATABASE_URL", "")
    if not pg_url.startswith("postgres") or not os.environ.get("S3_BUCKET"):
        sys.exit("Run under scripts/scale-servers (see this module's docstring).")
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.only != "ingest":
        print_search(*search_side_by_side(args.rows, pg_url, args.runs))
    if args.only != "search":
        workdir = Path(tempfile.mkdtemp(prefix="bench-scale-", dir=RESULTS))
        try:
            print_ingest(*ingest_side_by_side(args.photos, pg_url, workdir))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["measure-search"]:
        measure_search(sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4]))
    else:
        main()

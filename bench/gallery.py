"""Gallery throughput at a million images (issue 5), in one run:

gunicorn with 2 workers serves the 1,000,000-image library; wrk, a separate
process on 127.0.0.1, asks for the gallery's first page (48 thumbnails), its
page 1,000 (a cursor 47,952 images deep) and a trivial view on the same server
and middleware. Rounds alternate the three so load from elsewhere hits all.

    scripts/ensure-apt-packages wrk
    .venv/bin/python -m bench.gallery            # 1,000,000 images
    .venv/bin/python -m bench.gallery 100000 --seconds 5
"""

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import datetime

from bench.dataset import RESULTS, ROOT, build, django_env

PORT = 8511  # issue 5's benchmark range is 8500-8599
PAGE = 48


def page_cursor(path, page):
    """The ``after=`` cursor that opens anonymous gallery page ``page``."""
    import sqlite3

    from gallery.pagination import encode_cursor

    sql = (
        "SELECT created_at, id FROM gallery_image WHERE visibility = 'public' "
        "ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?"
    )
    with sqlite3.connect(path) as db:
        created_at, pk = db.execute(sql, [(page - 1) * PAGE - 1]).fetchone()
    return encode_cursor([datetime.fromisoformat(created_at).isoformat(), pk])


def serve(path):
    env = django_env(path, DJANGO_SETTINGS_MODULE="bench.settings")
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "imagerepo.wsgi:application",
         "--workers", "2", "--bind", f"127.0.0.1:{PORT}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/trivial/", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def wrk(url, seconds):
    """Requests per second that wrk (1 thread, 4 connections) gets."""
    out = subprocess.run(
        ["wrk", "-t1", "-c4", f"-d{seconds}s", "--timeout", "10s", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"errors while loading {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main(rows, seconds, rounds):
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: scripts/ensure-apt-packages wrk")
    path = build(rows)
    base = f"http://127.0.0.1:{PORT}"
    targets = {
        "trivial view": f"{base}/bench/trivial/",
        "gallery page 1": f"{base}/",
        "gallery page 1,000": f"{base}/?after={page_cursor(path, 1000)}",
    }
    server = serve(path)
    try:
        for url in targets.values():  # warm both workers and the page cache
            wrk(url, 1)
        rates = {name: [] for name in targets}
        for _ in range(rounds):
            for name, url in targets.items():
                rates[name].append(wrk(url, seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(rows, {name: statistics.median(r) for name, r in rates.items()}, rates)


def report(rows, median, rates):
    page1, deep, trivial = (
        median["gallery page 1"], median["gallery page 1,000"], median["trivial view"]
    )  # fmt: skip
    print("| target | requests/s (median of rounds) | rounds |\n|---|---|---|")
    for name, rate in median.items():
        print(f"| {name} | {rate:.0f} | {', '.join(f'{r:.0f}' for r in rates[name])} |")
    print(f"\ngallery page 1 ÷ trivial view: {page1 / trivial:.2f} (target ≥ 0.5)")
    print(f"page 1,000 ÷ page 1: {deep / page1:.2f} (target ≥ 0.8)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"gallery-{rows}.json").write_text(json.dumps(rates, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.update(django_env(build(args.rows)))
    import django

    django.setup()
    main(args.rows, args.seconds, args.rounds)

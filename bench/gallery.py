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
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

from bench.dataset import RESULTS, ROOT, build, django_env

PORT = 8511  # issue 5's benchmark range is 8500-8599; --port moves it
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


def serve(path, port):
    env = django_env(path, DJANGO_SETTINGS_MODULE="bench.settings")
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "imagerepo.wsgi:application",
         "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/trivial/", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def wrk(url, seconds):
    """Requests per second that wrk (1 thread, 4 connections) gets, and how
    many requests that made."""
    out = subprocess.run(
        ["wrk", "-t1", "-c4", f"-d{seconds}s", "--timeout", "10s", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"errors while loading {url}:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return rate, int(re.search(r"(\d+) requests in", out).group(1))


def workers_cpu_seconds(server):
    """CPU time (user + system) gunicorn's worker processes have used: what
    a request costs the server, whatever else the shared machine runs."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text()
    total = 0
    for pid in children.split():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime in ticks
    return total / os.sysconf("SC_CLK_TCK")


def measure(server, url, seconds):
    """(requests/s, server CPU ms per request) for ``url``."""
    started = workers_cpu_seconds(server)
    rate, requests = wrk(url, seconds)
    return rate, (workers_cpu_seconds(server) - started) * 1000 / requests


def main(rows, seconds, rounds, port=PORT):
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: scripts/ensure-apt-packages wrk")
    path = build(rows)
    base = f"http://127.0.0.1:{port}"
    targets = {
        "trivial view": f"{base}/bench/trivial/",
        "gallery page 1": f"{base}/",
        "gallery page 1,000": f"{base}/?after={page_cursor(path, 1000)}",
    }
    server = serve(path, port)
    try:
        for url in targets.values():  # warm both workers
            wrk(url, 1)
        rates = {name: [] for name in targets}
        cpu = {name: [] for name in targets}
        for _ in range(rounds):
            for name, url in targets.items():
                rate, cpu_ms = measure(server, url, seconds)
                rates[name].append(rate)
                cpu[name].append(cpu_ms)
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(rows, rates, cpu)


def report(rows, rates, cpu):
    median = {name: statistics.median(r) for name, r in rates.items()}
    cpu_median = {name: statistics.median(c) for name, c in cpu.items()}
    page1, deep, trivial = (
        median["gallery page 1"], median["gallery page 1,000"], median["trivial view"]
    )  # fmt: skip
    print(
        "| target | requests/s (median of rounds) | rounds "
        "| server CPU ms/request (median) |\n|---|---|---|---|"
    )
    for name, rate in median.items():
        rounds = ", ".join(f"{r:.0f}" for r in rates[name])
        print(f"| {name} | {rate:.0f} | {rounds} | {cpu_median[name]:.2f} |")
    print(f"\ngallery page 1 ÷ trivial view: {page1 / trivial:.2f} (target ≥ 0.5)")
    print(f"page 1,000 ÷ page 1: {deep / page1:.2f} (target ≥ 0.8)")
    by_cpu = cpu_median["trivial view"] / cpu_median["gallery page 1"]
    print(f"trivial ÷ gallery page 1 in server CPU per request: {by_cpu:.2f}")
    RESULTS.mkdir(exist_ok=True)
    name = f"gallery-{rows}.json"
    (RESULTS / name).write_text(json.dumps({"rates": rates, "cpu_ms": cpu}, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=PORT)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.update(django_env(build(args.rows)))
    import django

    django.setup()
    main(args.rows, args.seconds, args.rounds, args.port)

"""Load: N concurrent clients each uploading M images over HTTP to a real
imagerepo server process (gunicorn, file-based SQLite, local disk).

    .venv/bin/python bench/load.py                 # 8 clients x 200 images
    .venv/bin/python bench/load.py --clients 4 --per-client 50

Baseline in the same run: one client uploading the same number of images per
client, one after another, to the same server. Reports raw figures and the
ratio (concurrent throughput / single-client throughput), then checks that
there were zero errors and that rows and files match exactly. Loopback only;
every loop is bounded.
"""

import argparse
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gallery.tests.images import noisy_jpeg  # noqa: E402
from gallery.tests.live import Visitor, prepare_site, served  # noqa: E402


def images_for(client, count, size):
    return [
        (f"c{client}-{n}.jpg", noisy_jpeg(size, seed=1_000_000 * (client + 1) + n))
        for n in range(count)
    ]


def upload_all(visitor, files):
    """One image per request, as a browser uploader sends them."""
    outcomes, errors = [], []
    for name, data in files:
        try:
            outcomes += visitor.upload([(name, data)])
        except Exception as error:  # counted, reported, and fails the run
            errors.append(f"{name}: {error!r}")
    return outcomes, errors


def timed_run(site, label, clients, files_by_client):
    visitors = [Visitor(site.url).sign_up(f"{label}{i}") for i in range(clients)]
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(upload_all, visitors, files_by_client))
    seconds = time.perf_counter() - started
    outcomes = [o for result, _ in results for o in result]
    errors = [e for _, errs in results for e in errs]
    count = sum(len(f) for f in files_by_client)
    megabytes = sum(len(d) for files in files_by_client for _, d in files) / 1e6
    return {
        "label": label,
        "clients": clients,
        "images": count,
        "seconds": seconds,
        "images_per_s": count / seconds,
        "mb_per_s": megabytes / seconds,
        "added": outcomes.count("added"),
        "errors": errors + [o for o in outcomes if o != "added"],
    }


def check_store(site, expected_rows):
    rows = site.query("SELECT original, thumbnail, display FROM gallery_image")
    names = sorted(n for row in rows for n in row)
    return {
        "rows": len(rows),
        "rows_expected": expected_rows,
        "files": len(site.stored_files()),
        "files_match_rows": names == site.stored_files(),
    }


def report(args, single, concurrent, store):
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores,"
        f" load average {os.getloadavg()[0]:.1f} at the end"
    )
    print(
        f"server: gunicorn {args.workers} workers x {args.threads} threads,"
        f" SQLite (WAL) + local disk; images {args.size[0]}x{args.size[1]} JPEG"
    )
    for run in (single, concurrent):
        print(
            f"{run['label']:>10}: {run['clients']} client(s), {run['images']} images"
            f" in {run['seconds']:.1f} s = {run['images_per_s']:.1f} images/s,"
            f" {run['mb_per_s']:.2f} MB/s, {len(run['errors'])} errors"
        )
    ratio = concurrent["images_per_s"] / single["images_per_s"]
    print(f"     ratio: concurrent / single-client throughput = {ratio:.2f}x")
    print(
        f"     store: {store['rows']} rows (expected {store['rows_expected']}),"
        f" {store['files']} files, files match rows: {store['files_match_rows']}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-client", type=int, default=200)
    parser.add_argument("--size", type=int, nargs=2, default=(640, 480))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="imagerepo-load-") as tmp:
        site = prepare_site(Path(tmp) / "site", IMAGEREPO_UPLOADS_PER_HOUR=0)
        with served(site, workers=args.workers, threads=args.threads):
            single = timed_run(
                site, "single", 1, [images_for(999, args.per_client, args.size)]
            )
            concurrent = timed_run(
                site,
                "concurrent",
                args.clients,
                [
                    images_for(i, args.per_client, args.size)
                    for i in range(args.clients)
                ],
            )
        store = check_store(site, single["images"] + concurrent["images"])
        report(args, single, concurrent, store)
        failures = single["errors"] + concurrent["errors"]
        for line in failures[:20]:
            print("error:", line)
        ok = not failures and store["files_match_rows"]
        ok = ok and store["rows"] == store["rows_expected"]
        log = site.log()
        if "Traceback" in log or "database is locked" in log:
            print(log[-4000:])
            ok = False
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

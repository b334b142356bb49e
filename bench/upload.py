"""Upload throughput under ``make serve`` against ``import_images``, one run.

    .venv/bin/python -m bench.upload [--photos 200] [--parallel 4] [--rounds 2]

Generates 12-megapixel JPEGs (about 4 MB each, every file unique) and, in
alternating rounds, stores all of them twice, each time into a fresh database
and media folder:

* ``import_images`` from the server's disk, with its default worker pool (one
  process per core);
* through the upload page's endpoint (/upload/file/, one file per request, as
  the browser sends them), served as ``make serve`` serves it: gunicorn with
  deploy/gunicorn.conf.py and the production settings, 2 workers, with
  ``--parallel`` clients sending at once.

Prints photos/s of both, their ratio (target ≥ 0.8), the server's CPU seconds
per photo and its memory (RSS of the gunicorn master and workers). Both ends
run on this machine: the clients' own CPU (reading and sending the files) is
part of what the upload pays.
"""

import argparse
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
BASES = 8
USER = "bench"
PASSWORD = "bench-password-not-secret"
SETTINGS = "imagerepo.settings.production"


def make_photos(folder, count):
    """``count`` unique JPEGs of about 4 MB: a few noisy 12 MP pictures, each
    copy made unique by its own JPEG comment segment (same decoding work)."""
    bases = []
    for seed in range(BASES):
        random.seed(seed)
        small = Image.merge("RGB", [Image.effect_noise((40, 30), 80) for _ in "rgb"])
        noise = Image.merge(
            "RGB", [Image.effect_noise((4000, 3000), 24) for _ in "rgb"]
        )
        img = Image.blend(
            small.resize((4000, 3000), Image.Resampling.BICUBIC), noise, 0.5
        )
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=90)
        bases.append(buf.getvalue())
    paths = []
    for i in range(count):
        data = bases[i % BASES]
        comment = f"bench photo {i}".encode()
        segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
        path = folder / f"photo-{i:04d}.jpg"
        path.write_bytes(data[:2] + segment + data[2:])
        paths.append(path)
    return paths


# ---------------------------------------------------------------- a fresh site


def fresh_site(work, name):
    """The environment of an empty site in ``work/name``: its own database,
    media and static folders, migrated, with the user ``bench``."""
    site = work / name
    site.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DJANGO_SECRET_KEY": "bench-only-not-secret-" + "x" * 40,
        "DATABASE_URL": f"sqlite:///{site / 'db.sqlite3'}",
        "MEDIA_ROOT": str(site / "media"),
        "DJANGO_STATIC_ROOT": str(site / "static"),
        "IMAGEREPO_IMPORT_JOURNAL_DIR": str(site / "journal"),
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
    }
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "createsuperuser", "--noinput", "--username", USER, "--email", "")
    return env


def manage(env, *args):
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


# ---------------------------------------------------------------- import


def run_import(env, folder):
    """Seconds ``import_images`` takes for ``folder``, start to end."""
    started = time.perf_counter()
    manage(env, "import_images", str(folder), "--owner", USER, "-v", "0")
    return time.perf_counter() - started


# ---------------------------------------------------------------- upload


def start_server(env, port, workers):
    env = {
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--log-level",
            "warning",
            "imagerepo.wsgi",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,  # its access log
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            requests.get(url + "/accounts/login/", timeout=10)
            return server, url
        except requests.RequestException:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def server_pids(master):
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [master, *map(int, children)]


def rss_mb(pids):
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def cpu_seconds(pids):
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / ticks


def sign_in(url):
    session = requests.Session()
    session.get(url + "/accounts/login/")
    response = session.post(
        url + "/accounts/login/",
        data={
            "username": USER,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": url + "/accounts/login/"},
    )
    response.raise_for_status()
    assert "sessionid" in session.cookies, "sign-in failed"
    # Signing in rotates the CSRF token.
    return session.cookies.get_dict(), session.cookies["csrftoken"]


def send_all(cookies, token, url, paths, parallel):
    """Send every file as the upload page does; returns (seconds, statuses)."""
    local = threading.local()

    def send(path):
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.session.cookies.update(cookies)
        files = {"file": (path.name, path.read_bytes(), "image/jpeg")}
        response = local.session.post(
            url + "/upload/file/",
            files=files,
            data={"visibility": "private"},
            headers={"X-CSRFToken": token, "Referer": url + "/upload/"},
        )
        return response.status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        statuses = list(pool.map(send, paths))
    return time.perf_counter() - started, statuses


class MemoryWatch(threading.Thread):
    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids, self.peak, self.running = pids, 0.0, True

    def run(self):
        while self.running:
            self.peak = max(self.peak, rss_mb(self.pids))
            time.sleep(0.5)


def run_upload(env, paths, parallel, workers, port):
    """(seconds, server CPU s/photo, peak RSS MB) to upload ``paths``."""
    server, url = start_server(env, port, workers)
    try:
        pids = server_pids(server.pid)
        cookies, token = sign_in(url)
        for _ in range(2 * workers):  # every worker loads its code first
            requests.get(url + "/upload/", cookies=cookies, timeout=30)
        cpu_before = cpu_seconds(pids)
        watch = MemoryWatch(pids)
        watch.start()
        seconds, statuses = send_all(cookies, token, url, paths, parallel)
        watch.running = False
        watch.join()
        cpu = (cpu_seconds(pids) - cpu_before) / len(paths)
        assert statuses.count(201) == len(paths), f"not all added: {statuses}"
        return seconds, cpu, watch.peak
    finally:
        server.terminate()
        server.wait(timeout=30)


# ---------------------------------------------------------------- the run


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=8650)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    try:
        print(f"Making {args.photos} photos in {work} …", flush=True)
        (work / "photos").mkdir()
        paths = make_photos(work / "photos", args.photos)
        sizes = [p.stat().st_size / 1e6 for p in paths]
        print(f"  {statistics.mean(sizes):.2f} MB each on average, 4000 × 3000 px")
        imports, uploads = [], []
        for n in range(args.rounds):
            seconds = run_import(fresh_site(work, f"import-{n}"), work / "photos")
            imports.append(args.photos / seconds)
            print(f"round {n + 1}: import_images {imports[-1]:.2f} photos/s", end="")
            env = fresh_site(work, f"upload-{n}")
            seconds, cpu, peak = run_upload(
                env, paths, args.parallel, args.workers, args.port
            )
            uploads.append(args.photos / seconds)
            print(
                f", upload {uploads[-1]:.2f} photos/s (server CPU {cpu:.3f} s/photo,"
                f" peak RSS {peak:.0f} MB)",
                flush=True,
            )
            shutil.rmtree(work / f"import-{n}")
            shutil.rmtree(work / f"upload-{n}")
        ratio = statistics.median(uploads) / statistics.median(imports)
        print(
            f"median: import {statistics.median(imports):.2f}, upload"
            f" {statistics.median(uploads):.2f} photos/s;"
            f" upload ÷ import = {ratio:.3f} (target ≥ 0.8);"
            f" load {os.getloadavg()[0]:.1f}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

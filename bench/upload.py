"""Upload throughput of the per-file endpoint against a discard-only floor.

    .venv/bin/python bench/upload.py [--photos 200] [--parallel 4] [--port 8650]

Generates ~4 MB, 12-megapixel JPEGs (each file unique), starts gunicorn on the
bench settings (bench/settings.py: the real site plus /bench/discard/), signs
in, and sends every photo with ``parallel`` requests in flight, first to
/bench/discard/ (reads the body, throws it away), then to /upload/file/ (the
endpoint the upload page uses: image_create, renditions, storage, row).
Prints MB/s of both, their ratio, server CPU seconds per photo and the
server's memory (RSS of the gunicorn master and workers) through the run.
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
PASSWORD = "bench-password-not-secret"


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


def manage(env, *args):
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT
    )


def start_server(env, port, workers):
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "imagerepo.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
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
    token = session.cookies["csrftoken"]
    response = session.post(
        url + "/accounts/login/",
        data={"username": "bench", "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": url + "/accounts/login/"},
    )
    response.raise_for_status()
    assert "sessionid" in session.cookies, "sign-in failed"
    # Signing in rotates the CSRF token.
    return session, session.cookies["csrftoken"]


def send_all(session, token, url, paths, parallel):
    """Send every file as the upload page does; returns (seconds, statuses)."""
    cookies = session.cookies.get_dict()

    def send(path):
        with requests.Session() as s:
            s.cookies.update(cookies)
            files = {"file": (path.name, path.read_bytes(), "image/jpeg")}
            r = s.post(
                url,
                files=files,
                data={"visibility": "private"},
                headers={"X-CSRFToken": token, "Referer": url},
            )
            return r.status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        statuses = list(pool.map(send, paths))
    return time.perf_counter() - started, statuses


class MemoryWatch(threading.Thread):
    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids, self.samples, self.running = pids, [], True

    def run(self):
        while self.running:
            self.samples.append(rss_mb(self.pids))
            time.sleep(0.5)


def phase(name, session, token, url, paths, parallel, pids):
    cpu_before = cpu_seconds(pids)
    watch = MemoryWatch(pids)
    watch.start()
    seconds, statuses = send_all(session, token, url, paths, parallel)
    watch.running = False
    watch.join()
    cpu = cpu_seconds(pids) - cpu_before
    megabytes = sum(p.stat().st_size for p in paths) / 1e6
    counts = {s: statuses.count(s) for s in set(statuses)}
    n = len(watch.samples)
    quarters = [
        max(watch.samples[i * n // 4 : (i + 1) * n // 4] or [0]) for i in range(4)
    ]
    print(
        f"{name:8} {megabytes:7.1f} MB in {seconds:6.1f} s = {megabytes / seconds:7.1f}"
        f" MB/s  statuses {counts}  server CPU {cpu / len(paths):.3f} s/photo"
        f"  RSS MB by quarter {[round(q) for q in quarters]}"
    )
    return megabytes / seconds, statuses, watch.samples


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8650)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    try:
        print(f"Making {args.photos} photos in {work} …", flush=True)
        (work / "photos").mkdir()
        paths = make_photos(work / "photos", args.photos)
        sizes = [p.stat().st_size / 1e6 for p in paths]
        print(f"  {statistics.mean(sizes):.2f} MB each on average, 4000 x 3000 px")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
            "MEDIA_ROOT": str(work / "media"),
            "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        }
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(
            env,
            "createsuperuser",
            "--noinput",
            "--username",
            "bench",
            "--email",
            "bench@example.invalid",
        )
        server, url = start_server(env, args.port, args.workers)
        try:
            pids = server_pids(server.pid)
            session, token = sign_in(url)
            # Warm every worker up (imports, first connections) on both paths.
            send_all(session, token, url + "/bench/discard/", paths[:8], args.parallel)
            print(
                f"gunicorn --workers {args.workers}, {args.parallel} in flight;"
                f" RSS at start {rss_mb(pids):.0f} MB"
            )
            floor, _, _ = phase(
                "discard",
                session,
                token,
                url + "/bench/discard/",
                paths,
                args.parallel,
                pids,
            )
            upload, statuses, samples = phase(
                "upload",
                session,
                token,
                url + "/upload/file/",
                paths,
                args.parallel,
                pids,
            )
            assert statuses.count(201) == len(paths), "not every photo was added"
            print(f"ratio upload/discard = {upload / floor:.3f}  (target >= 0.7)")
            print(
                f"RSS during upload: min {min(samples):.0f} MB,"
                f" max {max(samples):.0f} MB, end {rss_mb(pids):.0f} MB"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

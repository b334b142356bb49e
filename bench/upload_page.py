"""The upload page with 2,000 photos in a real browser: does it stay responsive?

    .venv/bin/python bench/upload_page.py [--photos 2000] [--port 8651]

Makes a folder of small unique JPEGs (plus a few broken files and duplicates),
starts gunicorn on the bench settings, signs up in Debian's Chromium and
chooses the whole folder with the page's folder picker. While the queue runs
it records, in the page: long tasks (main thread busy > 50 ms), the largest
gap between animation frames, and how long a typed key takes to show in the
search box. At the end it checks that every file's row shows an outcome.
Screenshots go to bench/results/ (git-ignored).
"""

import argparse
import io
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from bench.upload import PASSWORD, ROOT, manage, rss_mb, server_pids, start_server

RESULTS = ROOT / "bench" / "results"

WATCH_JS = """() => {
  window.__frames = {maxGap: 0, last: performance.now(), slow: 0};
  const tick = (now) => {
    const gap = now - window.__frames.last;
    window.__frames.maxGap = Math.max(window.__frames.maxGap, gap);
    if (gap > 100) window.__frames.slow += 1;
    window.__frames.last = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
  }).observe({type: "longtask"});
}"""

KEY_LATENCY_JS = """() => new Promise((resolve) => {
  // The navbar's search box: typing there changes nothing in the upload.
  const field = document.getElementById("nav-search");
  const started = performance.now();
  field.addEventListener("input", () => requestAnimationFrame(
    () => resolve(performance.now() - started)), {once: true});
  field.focus();
  field.value += "x";
  field.dispatchEvent(new InputEvent("input", {bubbles: true}));
})"""


# Files finished, from the summary line ("1,234 of 2,005 files done · …").
DONE_JS = """() => parseInt(
  document.getElementById("upload-counts").textContent.replace(/,/g, ""), 10) || 0"""

# Rows far off screen are parked outside the document, so read each row's
# outcome the way a person would: scroll down the whole list.
SCROLL_THROUGH_JS = """async () => {
  const seen = new Map();
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  // Instant: Bootstrap turns on smooth scrolling, which would crawl here.
  window.scrollTo({top: 0, behavior: "instant"});
  const until = performance.now() + 60000;
  for (let last = -1; window.scrollY !== last && performance.now() < until; ) {
    last = window.scrollY;
    await frame(); await frame();
    for (const row of document.querySelectorAll(".upload-row"))
      seen.set(row.dataset.id, row.dataset.state);
    window.scrollBy({top: window.innerHeight, behavior: "instant"});
    await frame();
  }
  return Array.from(seen.values());
}"""


def make_folder(folder, count):
    """``count`` small unique JPEGs in nested folders, 3 broken files and
    2 duplicates; returns the expected outcome counts."""
    random.seed(1)
    for i in range(count):
        sub = folder / f"roll-{i // 500:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        img = Image.new("RGB", (640, 480), tuple(random.randrange(256) for _ in "rgb"))
        img.putpixel((i % 640, i // 640), (i % 256, 0, 0))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=85, comment=f"photo {i}".encode())
        (sub / f"IMG_{i:05d}.jpg").write_bytes(buf.getvalue())
    (folder / "notes.txt").write_text("not a photo")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really")
    (folder / "empty.jpg").write_bytes(b"")
    shutil.copy(folder / "roll-00" / "IMG_00000.jpg", folder / "copy-1.jpg")
    shutil.copy(folder / "roll-00" / "IMG_00001.jpg", folder / "copy-2.jpg")
    return {"added": count, "duplicate": 2, "rejected": 3}


def run_browser(url, folder, total):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900}, base_url=url)
        page.goto("/accounts/signup/")
        page.fill("#id_username", "newcomer")
        page.fill("#id_email", "newcomer@example.org")
        page.fill("#id_password1", PASSWORD)
        page.fill("#id_password2", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url("**/")
        page.goto("/upload/")
        page.evaluate(WATCH_JS)
        started = time.monotonic()
        page.set_input_files("#pick-folder", str(folder))
        latencies, shots = [], 0
        while True:
            latencies.append(page.evaluate(KEY_LATENCY_JS))
            done = page.evaluate(DONE_JS)
            if shots == 0 and done > total // 4:
                page.screenshot(path=RESULTS / "upload-2000-in-progress.png")
                shots = 1
            if done >= total:
                break
            time.sleep(1)
        took = time.monotonic() - started
        page.screenshot(path=RESULTS / "upload-2000-finished.png")
        states = page.evaluate(SCROLL_THROUGH_JS)
        frames = page.evaluate("() => window.__frames")
        long_tasks = page.evaluate("() => window.__longTasks")
        counts = page.inner_text("#upload-counts")
        browser.close()
    return took, states, frames, long_tasks, latencies, counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8651)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-upload-page-"))
    try:
        expected = make_folder(work / "photos", args.photos)
        total = sum(expected.values())
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
            "MEDIA_ROOT": str(work / "media"),
        }
        manage(env, "migrate", "--noinput", "-v", "0")
        server, url = start_server(env, args.port, args.workers)
        try:
            pids = server_pids(server.pid)
            took, states, frames, long_tasks, latencies, counts = run_browser(
                url, work / "photos", total
            )
            print(f"server RSS at the end: {rss_mb(pids):.0f} MB")
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    seen = {s: states.count(s) for s in set(states)}
    print(f"{len(states)} rows, outcomes {seen}, expected {expected}")
    print(f"summary line: {counts}")
    print(f"all {total} files finished in {took:.0f} s")
    print(
        f"long tasks: {len(long_tasks)}, longest {max(long_tasks, default=0):.0f} ms,"
        f" total {sum(long_tasks):.0f} ms"
    )
    print(
        f"largest gap between frames {frames['maxGap']:.0f} ms,"
        f" gaps over 100 ms: {frames['slow']}"
    )
    latencies.sort()
    median = latencies[len(latencies) // 2]
    print(
        f"typing into the search box while uploading: median {median:.0f} ms,"
        f" worst {latencies[-1]:.0f} ms over {len(latencies)} keys"
    )
    print(f"screenshots: {RESULTS}")
    ok = seen == expected
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

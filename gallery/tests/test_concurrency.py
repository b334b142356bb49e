"""Concurrency against a real server process (gunicorn, 2 workers x 4
threads) on a file-based SQLite database in WAL mode: racing uploads, uploads
while import_images writes, and a bounded load; and quotas raced on the
suite's own database (PostgreSQL under make test-scale). Loopback only,
bounded."""

import json
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.db import connection

from .images import noisy_jpeg
from .live import BASE_DIR, Visitor, prepare_site, served


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("concurrency")
    with served(prepare_site(root / "site", IMAGEREPO_UPLOADS_PER_HOUR=0)) as site:
        yield site
        log = site.log()
        assert "Traceback" not in log and "database is locked" not in log, log


MAX_UPLOADS_EACH = 400  # a bound, should the import ever hang


def jpeg(seed):
    return noisy_jpeg((64, 48), seed=seed)


def test_same_bytes_uploaded_twice_at_the_same_moment_make_one_image(site):
    Visitor(site.url).sign_up("racer")
    tabs = [Visitor(site.url).sign_in("racer") for _ in range(2)]
    rounds = 12
    for n in range(rounds):
        data = jpeg(10_000 + n)
        start = threading.Barrier(2)

        def send(tab, data=data, start=start):
            start.wait()
            return tab.upload([("same.jpg", data)])

        with ThreadPoolExecutor(2) as pool:
            outcomes = sorted(o for r in pool.map(send, tabs) for o in r)
        assert outcomes == ["created", "duplicate"]
    assert site.image_count("racer") == rounds


def test_uploads_while_import_images_runs_never_hit_database_is_locked(site, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for n in range(150):
        (folder / f"p{n:03}.jpg").write_bytes(jpeg(20_000 + n))
    uploaders = [Visitor(site.url).sign_up(f"uploader{i}") for i in range(4)]
    importer = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "import_images",
            str(folder),
            "--owner",
            "uploader0",
            "--batch-size",
            "10",
        ],
        env=site.env,
        cwd=BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def upload_while_importing(i):
        # One file per request, as many write transactions as possible, for as
        # long as the import runs (and at least 10 each).
        outcomes, n = [], 0
        while n < 10 or (importer.poll() is None and n < MAX_UPLOADS_EACH):
            data = jpeg(30_000 + 1000 * i + n)
            outcomes += uploaders[i].upload([(f"u{n}.jpg", data)])
            n += 1
        return outcomes

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(upload_while_importing, range(4)))
    out, err = importer.communicate(timeout=300)

    assert importer.returncode == 0, err
    assert "locked" not in out + err
    assert "150 imported" in out
    for i, outcomes in enumerate(results):
        assert outcomes == ["created"] * len(outcomes)
        imported = 150 if i == 0 else 0
        assert site.image_count(f"uploader{i}") == imported + len(outcomes)


def test_bounded_load_eight_clients_no_errors_rows_and_files_match(site):
    clients, per_client = 8, 12
    visitors = [Visitor(site.url).sign_up(f"load{i}") for i in range(clients)]

    def upload_all(i):
        return [
            o
            for n in range(per_client)
            for o in visitors[i].upload([(f"{n}.jpg", jpeg(40_000 + 1000 * i + n))])
        ]

    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(upload_all, range(clients)))
    assert results == [["created"] * per_client] * clients
    for i in range(clients):
        assert site.image_count(f"load{i}") == per_client
    rows = site.query("SELECT original, thumbnail, display FROM gallery_image")
    assert sorted(n for row in rows for n in row) == site.stored_files()


TAKE_ALLOWANCES = """
import os, pathlib, time
from unittest import mock
from django.contrib.auth.models import User
from gallery.services.allowance import take_upload_allowance
user = User.objects.get(username="alice")
# Started and ready, this racer waits for the others: then all take at once.
race = pathlib.Path(os.environ["RACE_FOLDER"])
(race / f"ready-{os.getpid()}").touch()
while not (race / "go").exists():
    time.sleep(0.001)
# One fixed hour, so the run cannot straddle two windows.
with mock.patch("gallery.services.allowance.time.time", return_value=7 * 3600 + 60.0):
    print(sum(take_upload_allowance(user, 1) for _ in range(25)))
"""
RACERS = 8


def test_hourly_upload_limit_holds_when_many_processes_race_for_it(tmp_path):
    # The README's multi-process setup: one database, several server processes,
    # 8 x 25 uploads wanted against an allowance of 20.
    site = prepare_site(tmp_path / "site", IMAGEREPO_UPLOADS_PER_HOUR=20)
    site.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User;"
        " User.objects.create_user('alice')",
    )
    race = tmp_path / "race"
    race.mkdir()
    racers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", TAKE_ALLOWANCES],
            cwd=BASE_DIR,
            env={**site.env, "RACE_FOLDER": str(race)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(RACERS)
    ]
    wait_until_ready(race, racers)
    (race / "go").touch()
    granted = []
    for racer in racers:
        out, err = racer.communicate(timeout=300)
        assert racer.returncode == 0, err
        granted.append(int(out.split()[-1]))
    assert sum(granted) == 20
    assert site.query("SELECT used FROM gallery_uploadcount") == [(20,)]


def wait_until_ready(race, racers, limit=300):
    # A bound on waiting, not a timing assertion: it fails only if a racer
    # never gets ready.
    deadline = time.monotonic() + limit
    while len(list(race.glob("ready-*"))) < len(racers):
        failed = [r for r in racers if r.poll() is not None]
        assert not failed, failed[0].communicate()[1]
        assert time.monotonic() < deadline, "the racers did not all start"
        time.sleep(0.01)


def test_every_server_process_sees_a_write_from_any_other_at_once(site, tmp_path):
    # A write by another process (raw SQL here, an import below) shows on the
    # next page every worker serves: no worker keeps a page of its own.
    Visitor(site.url).sign_up("curator").upload([("lagoon.jpg", jpeg(50_000))])

    def titles_seen():
        pages = [requests.get(f"{site.url}/?q=lagoon", timeout=30) for _ in range(12)]
        return {tuple(re.findall(r'data-title="([^"]*)"', p.text)) for p in pages}

    assert titles_seen() == {("lagoon",)}  # and now cached by the workers
    site.query("UPDATE gallery_image SET visibility = 'private' WHERE title = 'lagoon'")
    assert titles_seen() == {()}
    folder = tmp_path / "import"
    folder.mkdir()
    (folder / "lagoon two.jpg").write_bytes(jpeg(50_001))
    site.manage("import_images", str(folder), "--owner", "curator", "--public")
    assert titles_seen() == {("lagoon two",)}


MAKE_LINK = """
from django.contrib.auth.models import User
from gallery.models import Image
from gallery.services.albums import album_add_images, album_create
from gallery.services.links import share_link_create
owner = User.objects.get(username="linker")
album = album_create(owner=owner, title="Busy")
album_add_images(album, user=owner, images=list(Image.objects.filter(owner=owner)))
link, token = share_link_create(user=owner, album=album)
print("LINK", token, *Image.objects.filter(owner=owner).values_list("pk", flat=True))
"""
REVOKE = """
from gallery.models import ShareLink
from gallery.services.links import share_link_revoke
link = ShareLink.objects.get()
share_link_revoke(link, user=link.owner)
"""


def test_revoking_a_link_while_its_page_loads_stops_every_file_at_once(site):
    owner = Visitor(site.url).sign_up("linker")
    owner.upload([(f"{n}.jpg", jpeg(50_000 + n)) for n in range(6)], "private")
    made = site.manage("shell", "-c", MAKE_LINK).stdout
    _, token, *pks = next(
        line for line in made.splitlines() if line.startswith("LINK")
    ).split()
    assert len(pks) == 6
    files = [f"{site.url}/s/{token}/{pk}/thumbnail/" for pk in pks]
    assert requests.get(f"{site.url}/s/{token}/", timeout=30).status_code == 200
    revoked_at = []
    seen = []  # (started, status)

    def load_images():
        http = requests.Session()
        http.headers["Connection"] = "close"
        while not revoked_at or time.monotonic() < revoked_at[0] + 1:
            for url in files:
                started = time.monotonic()
                seen.append((started, http.get(url, timeout=30).status_code))

    with ThreadPoolExecutor(4) as pool:
        loaders = [pool.submit(load_images) for _ in range(4)]
        time.sleep(0.5)
        site.manage("shell", "-c", REVOKE)
        revoked_at.append(time.monotonic())
        for loader in loaders:
            loader.result()
    assert {status for _, status in seen} <= {200, 404}
    assert any(status == 200 for started, status in seen if started < revoked_at[0])
    after = [status for started, status in seen if started > revoked_at[0]]
    assert after and set(after) == {404}


# ---------------------------------------------------------------- quotas

QUOTA_USERS = """
from django.contrib.auth.models import User
from api.tokens import token_create
from gallery.services.quotas import account_set_limits
for name, quota_bytes, quota_images in {limits!r}:
    user = User.objects.create_user(name, password="a-long-pass-phrase")
    account_set_limits(user, quota_bytes=quota_bytes, quota_images=quota_images)
    print("TOKEN", name, token_create(user=user)[1])
"""
STORED = """
import json
from django.db.models import Count, Sum
from gallery.models import Account, Image
print("STORED", json.dumps({
    "counters": {
        a.user.username: [a.images_stored, a.bytes_stored]
        for a in Account.objects.select_related("user")
    },
    "rows": {
        r["owner__username"]: [r["images"], r["size"]]
        for r in Image.objects.values("owner__username").annotate(
            images=Count("pk"), size=Sum("file_size")
        )
    },
    "files": sorted(n for i in Image.objects.all() for n in i.stored_files()),
}))
"""


def suite_database_url():
    """The suite's own test database as a URL, when it is PostgreSQL (make
    test-scale); None on SQLite, whose test database lives in memory."""
    if connection.vendor != "postgresql":
        return None
    db = connection.settings_dict
    password = quote(db["PASSWORD"] or "", safe="")
    return (
        f"postgres://{db['USER']}:{password}@{db['HOST'] or 'localhost'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def quota_site(transactional_db, tmp_path):
    """A live site on the database the suite runs on: under make test-scale
    that is PostgreSQL, the test database itself (its rows committed, then
    flushed by transactional_db); otherwise a SQLite file of the site's own."""
    url = suite_database_url()
    overrides = {"DATABASE_URL": url} if url else {}
    site = prepare_site(tmp_path / "site", IMAGEREPO_UPLOADS_PER_HOUR=0, **overrides)
    with served(site) as site:
        yield site
        assert "Traceback" not in site.log(), site.log()


def shell_lines(site, code, prefix):
    """What ``code``, run in the site's shell, printed after ``prefix``."""
    out = site.manage("shell", "-c", code).stdout
    return [
        line.removeprefix(prefix).strip()
        for line in out.splitlines()
        if line.startswith(prefix)
    ]


def page_upload(visitor, name, data):
    """One file through the upload page: its outcome's code."""
    response = visitor.post_form(
        "/upload/",
        {"visibility": "private", "title": "", "description": ""},
        files=[("images", (name, data, "image/jpeg"))],
    )
    response.raise_for_status()
    [code] = re.findall(r'data-code="(\w+)"', response.text)
    return code


def api_upload(site, token, name, data):
    response = requests.post(
        f"{site.url}/api/v1/images/",
        headers={"Authorization": f"Bearer {token}", "Connection": "close"},
        files=[("files", (name, data, "image/jpeg"))],
        timeout=120,
    )
    [result] = response.json()["results"]
    return result["code"]


SENDERS, FILES_EACH = 8, 2  # half through the page, half through the API


def test_parallel_uploads_and_an_import_never_end_above_a_quota(quota_site, tmp_path):
    site = quota_site
    files = {
        name: [jpeg(60_000 + 100 * u + n) for n in range(SENDERS * FILES_EACH)]
        for u, name in enumerate(["few", "small"])
    }
    byte_limit = sum(sorted(map(len, files["small"]))[:5])
    limits = [("few", None, 5), ("small", byte_limit, None)]
    made = shell_lines(site, QUOTA_USERS.format(limits=limits), "TOKEN")
    tokens = dict(line.split() for line in made)
    folder = tmp_path / "import"
    folder.mkdir()
    for n in range(6):
        (folder / f"i{n}.jpg").write_bytes(jpeg(61_000 + n))
    visitors = {name: Visitor(site.url).sign_in(name) for name in tokens}

    importer = subprocess.Popen(
        [sys.executable, "manage.py", "import_images", str(folder), "--owner", "few"],
        env=site.env,
        cwd=BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Go once the import's workers exist (they open its journal), so that it
    # reserves while the uploads do.
    journal = Path(site.env["IMAGEREPO_IMPORT_JOURNAL_DIR"])
    deadline = time.monotonic() + 120
    while not journal.is_dir() and importer.poll() is None:
        assert time.monotonic() < deadline, "the import did not start"
        time.sleep(0.01)
    start = threading.Barrier(SENDERS * len(tokens))

    def send(name, sender):
        mine = files[name][sender * FILES_EACH : (sender + 1) * FILES_EACH]
        start.wait()
        codes = []
        for n, data in enumerate(mine):
            upload_name = f"{sender}-{n}.jpg"
            if sender % 2:
                codes.append(api_upload(site, tokens[name], upload_name, data))
            else:
                codes.append(page_upload(visitors[name], upload_name, data))
        return [(code, len(data)) for code, data in zip(codes, mine, strict=True)]

    jobs = [(name, s) for name in tokens for s in range(SENDERS)]
    with ThreadPoolExecutor(len(jobs)) as pool:
        results = list(pool.map(lambda job: (job[0], send(*job)), jobs))
    _, err = importer.communicate(timeout=300)

    assert importer.returncode == 1, err  # some files did not fit
    assert "did not fit in few's quota" in err
    sent = {name: [r for n, rs in results if n == name for r in rs] for name in tokens}
    for name in tokens:
        assert {code for code, _ in sent[name]} <= {"created", "over_quota"}
    [report] = shell_lines(site, STORED, "STORED")
    stored = json.loads(report)
    # Counters match what is stored, and no limit was passed.
    assert stored["counters"]["few"] == stored["rows"]["few"]
    assert stored["counters"]["small"] == stored["rows"]["small"]
    assert stored["rows"]["few"][0] == 5  # 22 files asked for 5 places
    small_bytes = stored["rows"]["small"][1]
    assert small_bytes <= byte_limit
    # Nothing was refused that would fit now: no room was held back.
    refused = [size for code, size in sent["small"] if code == "over_quota"]
    assert refused and all(small_bytes + size > byte_limit for size in refused)
    assert stored["files"] == site.stored_files()

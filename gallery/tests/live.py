"""A real imagerepo server (gunicorn on loopback, file-based SQLite, its own
media folder) and a browser-like visitor, for tests and benchmarks that must
cross process boundaries: concurrency, nginx, load."""

import atexit
import functools
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

BASE_DIR = Path(__file__).resolve().parents[2]
# Servers started by these tests listen only here (loopback, this range);
# IMAGEREPO_TEST_PORTS="first-last" moves it (make test-scale uses its own).
_FIRST, _LAST = os.environ.get("IMAGEREPO_TEST_PORTS", "8400-8499").split("-")
PORTS = range(int(_FIRST), int(_LAST) + 1)
STARTUP_SECONDS = 120


def free_ports(count=1):
    """``count`` loopback ports from PORTS that nothing listens on right now."""
    found = []
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    raise RuntimeError(f"not {count} free ports in {PORTS}")


def free_port():
    return free_ports(1)[0]


@dataclass
class Site:
    url: str
    root: Path
    env: dict

    @property
    def media(self):
        return Path(self.env["MEDIA_ROOT"])

    def manage(self, *args, check=True):
        """Run ``manage.py`` against this site's database and media."""
        return subprocess.run(
            [sys.executable, str(BASE_DIR / "manage.py"), *args],
            env=self.env,
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=check,
        )

    def query(self, sql, params=()):
        with sqlite3.connect(self.root / "db.sqlite3") as db:
            return db.execute(sql, params).fetchall()

    def image_count(self, username):
        return self.query(
            "SELECT count(*) FROM gallery_image JOIN auth_user"
            " ON auth_user.id = gallery_image.owner_id WHERE username = ?",
            (username,),
        )[0][0]

    def stored_files(self):
        return sorted(
            str(p.relative_to(self.media)) for p in self.media.rglob("*") if p.is_file()
        )

    def log(self):
        return (self.root / "server.log").read_text(errors="replace")


def site_env(root, **overrides):
    """Production-like settings for a site living in ``root``."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "imagerepo.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}",
        "MEDIA_STORAGE": "local",  # a site of its own on disk, even in test-scale
        "MEDIA_ROOT": str(root / "media"),
        "DJANGO_STATIC_ROOT": str(root / "static"),
        "IMAGEREPO_IMPORT_JOURNAL_DIR": str(root / "import-journal"),
        # Every visitor signs up from 127.0.0.1, dozens in a site's life.
        "IMAGEREPO_SIGNUPS_PER_HOUR": "0",
        "PYTHONPATH": str(BASE_DIR),
    }
    env.pop("DJANGO_LIVE_TEST_SERVER_ADDRESS", None)
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def prepare_site(root, **overrides):
    """A site in ``root`` with a migrated database and collected static
    files; no server yet. The database is a copy of one migrated once per
    process, the static folder (which a site only reads) is collected once
    and shared: each site would otherwise spend seconds migrating and
    compressing every static file."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "media").mkdir(exist_ok=True)
    template = _site_template()
    env = site_env(root, **{"DJANGO_STATIC_ROOT": template / "static", **overrides})
    with (
        closing(sqlite3.connect(template / "db.sqlite3")) as source,
        closing(sqlite3.connect(root / "db.sqlite3")) as copy,
    ):
        source.backup(copy)
    site = Site(url="", root=root, env=env)
    if "DATABASE_URL" in overrides:
        # A database other than the copied file lacks the production
        # settings' cache table, which rate limiting reads on every request.
        site.manage("createcachetable")
    return site


@functools.cache
def _site_template():
    root = Path(tempfile.mkdtemp(prefix="imagerepo-site-template-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    template = Site(url="", root=root, env=site_env(root))
    template.manage("migrate", "--noinput")
    template.manage("createcachetable")  # the production settings' cache
    template.manage("collectstatic", "--noinput", "--verbosity", "0")
    return root


@contextmanager
def served(site, *, workers=2, threads=4, port=None):
    """Serve ``site`` with gunicorn on a loopback port until the block ends."""
    port = port or free_port()
    site.url = f"http://127.0.0.1:{port}"
    with open(site.root / "server.log", "ab") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                # The production settings file; the flags below override it.
                f"--config={BASE_DIR / 'deploy' / 'gunicorn.conf.py'}",
                "imagerepo.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                f"--workers={workers}",
                f"--threads={threads}",
                "--timeout=120",
            ],
            env=site.env,
            cwd=BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(site, server)
            yield site
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_up(site, server):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped:\n{site.log()}")
        try:
            if requests.get(site.url + "/", timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or busy starting on a loaded machine
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer in time:\n{site.log()}")


class Visitor:
    """A person with a browser: cookies, CSRF tokens and forms."""

    def __init__(self, url):
        self.url = url
        self.http = requests.Session()
        # A connection per request, as nginx talks to gunicorn when deployed.
        # Kept alive, a connection that gunicorn drops after its 2 s idle
        # timeout can meet the next request on a loaded machine: a reset no
        # user behind nginx would ever see.
        self.http.headers["Connection"] = "close"

    def csrf_token(self, path):
        page = self.http.get(self.url + path, timeout=30)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]

    def post_form(self, path, data, files=None):
        data = {**data, "csrfmiddlewaretoken": self.csrf_token(path)}
        return self.http.post(self.url + path, data=data, files=files, timeout=120)

    def sign_up(self, username, password="a-long-pass-phrase"):
        response = self.post_form(
            "/accounts/signup/",
            {
                "username": username,
                "email": f"{username}@example.org",
                "password1": password,
                "password2": password,
            },
        )
        assert "sessionid" in self.http.cookies, response.text[:2000]
        return self

    def sign_in(self, username, password="a-long-pass-phrase"):
        self.post_form("/accounts/login/", {"username": username, "password": password})
        assert "sessionid" in self.http.cookies, f"{username} could not sign in"
        return self

    def upload(self, files, visibility="public"):
        """Send ``files`` (name, bytes) in one form post; returns each file's
        outcome as the result page shows it."""
        response = self.post_form(
            "/upload/",
            {"visibility": visibility, "title": "", "description": ""},
            files=[("images", (name, data, "image/jpeg")) for name, data in files],
        )
        response.raise_for_status()
        return re.findall(r'data-outcome="(\w+)"', response.text)

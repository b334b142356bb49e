"""A real imagerepo server for the client's tests: its own database and media
folder, migrated and served by ``manage.py runserver`` in a subprocess."""

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]


@dataclass
class LiveSite:
    url: str
    env: dict

    def manage(self, *args):
        """Run a management command against this site; returns its stdout."""
        done = subprocess.run(
            [sys.executable, str(REPO / "manage.py"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout


def free_port():
    """A free port on 127.0.0.1: the first free one in LIVE_SERVER_PORTS
    ("8800-8899") when that is set, else one the system picks."""
    first, _, last = os.environ.get("LIVE_SERVER_PORTS", "0-0").partition("-")
    for port in range(int(first), int(last or first) + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError("no free port in LIVE_SERVER_PORTS")


def wait_until_up(url, server, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the test server exited with {server.returncode}")
        try:
            httpx.get(f"{url}/api/v1/images/", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the test server did not answer within {seconds}s")


@pytest.fixture(scope="module")
def live_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("live-site")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "imagerepo.settings.test",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}",
        "MEDIA_ROOT": str(root / "media"),
        # Small pages, so every listing in these tests follows cursors.
        "IMAGEREPO_API_PAGE_SIZE": "3",
    }
    site = LiveSite(url=f"http://127.0.0.1:{free_port()}", env=env)
    site.manage("migrate", "--noinput", "--verbosity", "0")
    log = open(root / "server.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), "runserver", "--noreload"]
        + [site.url.removeprefix("http://")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(site.url, server)
        yield site
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def site_user(live_site):
    """A user of the live site and a token made with ``create_token``."""
    live_site.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        "get_user_model().objects.create_user('carol', password='pw-carol-123')",
    )
    return live_site.manage("create_token", "carol", "--name", "tests").strip()

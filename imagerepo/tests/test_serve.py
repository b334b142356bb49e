"""`make serve` on a fresh clone with nothing set: the production site for the
household's network, started as a person would start it. Every request goes
to 127.0.0.1; the machine's other names and addresses only ever appear in
Host headers."""

import os
import re
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
import requests
from django.conf import settings

from gallery.tests.live import STARTUP_SECONDS, Visitor, free_port

# What this test run has in its environment (pytest-django's settings module,
# make test-scale's database and bucket, an outer make's flags) and a person
# on a fresh machine has not.
NOT_ON_A_FRESH_MACHINE = (
    "DJANGO_",
    "DATABASE_URL",
    "MEDIA_",
    "S3_",
    "CACHE_URL",
    "IMAGEREPO_",
    "GUNICORN_",
    "WEB_CONCURRENCY",
    "MAKE",
    "MFLAGS",
    "HOST",
    "PORT",
)
SERVING = "imagerepo is serving at "


@pytest.fixture
def clone(tmp_path):
    """A fresh clone of this checkout's HEAD (what is committed, not what is
    being edited), with this test run's virtualenv as its .venv, so that
    `make serve` installs nothing."""
    folder = tmp_path / "imagerepo"
    subprocess.run(
        ["git", "clone", "--quiet", str(settings.BASE_DIR), str(folder)], check=True
    )
    (folder / ".venv").symlink_to(sys.prefix)
    # Older than the virtualenv's install stamp: make sees nothing to install.
    os.utime(folder / "requirements.txt", (0, 0))
    yield folder
    shutil.rmtree(folder)


def test_make_serve_on_a_fresh_clone_serves_the_local_network(clone, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    key_file = clone / "var" / "secret_key"

    with make_serve(clone, port, tmp_path / "first.log") as line:
        assert listening_addresses(port) <= {"0.0.0.0", "::"}
        mdns = f"http://{socket.gethostname().split('.')[0].lower()}.local:{port}/"
        assert mdns in line
        assert line.endswith(f"(on this computer: http://localhost:{port}/)")
        # Each address the line names is one the site answers to.
        for host in re.findall(r"http://([^/]+)/", line):
            assert requests.get(url, headers={"Host": host}).status_code == 200
        assert requests.get(url, headers={"Host": "evil.example"}).status_code == 400

        missing = requests.get(f"{url}/no-such-page/")
        assert missing.status_code == 404
        assert "Nothing here" in missing.text  # the site's page, not the debug one
        assert "URLconf" not in missing.text
        home = requests.get(url)
        stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', home.text)
        assert len(stylesheets) == 2  # Bootstrap's and the site's
        for path in stylesheets:
            css = requests.get(url + path)
            assert css.status_code == 200
            assert css.headers["Content-Type"].startswith("text/css")

        # Rate-limit counters (here the API's, per anonymous address) are kept
        # in the database, where every gunicorn worker counts the same ones.
        assert requests.get(f"{url}/api/v1/images/").status_code == 200
        with closing(sqlite3.connect(clone / "db.sqlite3")) as db:
            assert db.execute("SELECT count(*) FROM imagerepo_cache").fetchone()[0]

        # Plain HTTP on the home network: the session cookie must come back.
        alice = Visitor(url).sign_up("alice")
        assert "Sign out" in alice.http.get(url).text
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        key = key_file.read_text()

    # The database, static files and key are all ignored by git (the .venv
    # symlink is this test's own: .gitignore names only a .venv folder).
    status = subprocess.run(
        ["git", "status", "--porcelain"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=True,
    )
    assert set(status.stdout.splitlines()) <= {"?? .venv"}

    with make_serve(clone, port, tmp_path / "second.log"):
        assert key_file.read_text() == key
        # Signed with the same key, alice's session still holds.
        assert "Sign out" in alice.http.get(url).text


@contextmanager
def make_serve(folder, port, log_path):
    """`make serve` in ``folder`` on ``port`` until the block ends; yields the
    line that says where to open the site. Stops every process it started."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(NOT_ON_A_FRESH_MACHINE)
    }
    # One worker, not one per half-core: this test sends one request at a time.
    env.update(PORT=str(port), WEB_CONCURRENCY="1")
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            ["make", "serve"],
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield serving_line(server, log_path)
    finally:
        stop(server)


def serving_line(server, log_path):
    """The serving line, once gunicorn has written it (it listens by then)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        for line in log_path.read_text().splitlines():
            if line.startswith(SERVING):
                return line
        if server.poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail(f"make serve printed no serving line:\n{log_path.read_text()}")


def stop(server):
    """Stop make, gunicorn and its workers: the process group they share
    (make leads it), until none of them is left."""
    os.killpg(server.pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        server.poll()  # reaps make, this test's own child
        try:
            os.killpg(server.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.killpg(server.pid, signal.SIGKILL)
    server.wait()


def listening_addresses(port):
    """The local addresses of the sockets listening on ``port``, from the
    kernel's tables (IPv4 and IPv6)."""
    found = set()
    for table, size in (("tcp", 4), ("tcp6", 16)):
        path = Path("/proc/net") / table
        if not path.exists():
            continue
        for row in path.read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                packed = bytes.fromhex(address)
                # Stored as 32-bit words in the machine's byte order.
                words = [packed[i : i + 4] for i in range(0, size, 4)]
                if sys.byteorder == "little":
                    words = [word[::-1] for word in words]
                family = socket.AF_INET if size == 4 else socket.AF_INET6
                found.add(socket.inet_ntop(family, b"".join(words)))
    assert found, f"nothing listens on port {port}"
    return found

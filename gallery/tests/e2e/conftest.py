"""A real site in a subprocess and Debian's Chromium driven by Playwright.

The server runs ``manage.py runserver`` on its own SQLite file and media
folder, exactly as a person would start it, so these tests share nothing with
the in-process test database. Screenshots go to ``test-artifacts/e2e/``
(git-ignored); the run prints where.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "test-artifacts" / "e2e"


def free_port():
    # E2E_PORT pins the port (e.g. on a shared machine with port ranges).
    if os.environ.get("E2E_PORT"):
        return int(os.environ["E2E_PORT"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the test server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the test server did not answer at {url}")


@pytest.fixture(scope="session")
def site_folder(tmp_path_factory):
    """Where the live site keeps its database, media and ``server.log``."""
    return tmp_path_factory.mktemp("e2e-site")


@pytest.fixture(scope="session")
def server_log(site_folder):
    """The live site's output (stdout and stderr): its console e-mail too."""
    return site_folder / "server.log"


@pytest.fixture(scope="session")
def site_url(site_folder):
    """Base URL of a freshly migrated site, stopped after the session."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "imagerepo.settings.test",
        "DATABASE_URL": f"sqlite:///{site_folder / 'db.sqlite3'}",
        "MEDIA_ROOT": str(site_folder / "media"),
        "PYTHONUNBUFFERED": "1",
        # Mail is printed to server.log (see server_log), as `make run` does.
        "EMAIL_URL": "consolemail://",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    port = free_port()
    log = open(site_folder / "server.log", "w")  # noqa: SIM115 (closed at teardown)
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/", server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots(request):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    request.config.stash[screenshots_taken] = True
    return SCREENSHOTS


screenshots_taken = pytest.StashKey[bool]()


def pytest_terminal_summary(terminalreporter, config):
    if config.stash.get(screenshots_taken, False):
        terminalreporter.write_line(f"E2E screenshots: {SCREENSHOTS}")


@pytest.fixture
def new_page(browser, site_url):
    """``new_page(width=1280, javascript=True)`` opens a page in a fresh
    browser context (its own cookies), with the site's address as base URL.
    Other keywords go to Playwright's ``new_context`` (``color_scheme``,
    ``storage_state`` ...)."""
    contexts = []

    def make(width=1280, height=900, javascript=True, **options):
        context = browser.new_context(
            base_url=site_url,
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
            **options,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()

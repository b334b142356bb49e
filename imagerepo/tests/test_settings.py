"""Which settings each entry point uses, and what they log: checked in fresh
processes, as a person or a server would start them."""

import os
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from gallery.tests.live import free_port

BASE_DIR = settings.BASE_DIR


def environment(tmp_path, **variables):
    """None of the DJANGO_* variables this test run has (pytest-django sets
    the settings module), a database of the test's own, and ``variables``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env["PYTHONUNBUFFERED"] = "1"
    return {**env, **variables}


def python(tmp_path, *args, **variables):
    """Run Python in the project folder, in ``environment()``."""
    return subprocess.run(
        [sys.executable, *args],
        env=environment(tmp_path, **variables),
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_manage_py_works_in_a_fresh_checkout_with_nothing_set(tmp_path):
    code = "from django.conf import settings; print(settings.DEBUG)"
    run = python(tmp_path, "manage.py", "shell", "--verbosity", "0", "-c", code)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True"]


WSGI_SETTINGS = (
    "import imagerepo.wsgi; from django.conf import settings as s; "
    "print(s.DEBUG, s.SECRET_KEY)"
)


def test_the_wsgi_application_without_a_secret_key_makes_one_and_keeps_it(tmp_path):
    key_file = tmp_path / "var" / "secret_key"
    starts = [
        python(tmp_path, "-c", WSGI_SETTINGS, DJANGO_SECRET_KEY_FILE=str(key_file))
        for _ in range(2)
    ]
    assert [run.returncode for run in starts] == [0, 0], starts[0].stderr
    first, second = (run.stdout.split() for run in starts)
    assert first == second == ["False", key_file.read_text().strip()]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_an_explicit_secret_key_wins_over_the_key_file(tmp_path):
    key_file = tmp_path / "var" / "secret_key"
    run = python(
        tmp_path,
        "-c",
        WSGI_SETTINGS,
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_SECRET_KEY_FILE=str(key_file),
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "x" * 50]
    assert not key_file.parent.exists()


CACHE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "c = s.CACHES['default']; "
    "print(c['BACKEND'].rsplit('.', 1)[-1], c.get('LOCATION') or '-')"
)


@pytest.mark.parametrize(
    ("module", "variables", "cache"),
    [
        # Every gunicorn worker counts rate limits in the same table.
        ("production", {}, ["DatabaseCache", "imagerepo_cache"]),
        (
            "production",
            {"CACHE_URL": "filecache:///srv/cache"},
            ["FileBasedCache", "/srv/cache"],
        ),
        ("development", {}, ["LocMemCache", "-"]),
    ],
    ids=["production", "production-told", "development"],
)
def test_the_cache_every_server_process_shares(tmp_path, module, variables, cache):
    run = python(
        tmp_path,
        "-c",
        CACHE,
        DJANGO_SETTINGS_MODULE=f"imagerepo.settings.{module}",
        DJANGO_SECRET_KEY="x" * 50,
        **variables,
    )
    assert run.stdout.split() == cache, run.stderr


# Whether each Host header would be served (HttpRequest.get_host() refuses the
# others), printed in order.
ANSWERED_HOSTS = (
    "import sys, django; django.setup(); from django.test import RequestFactory\n"
    "from django.core.exceptions import DisallowedHost\n"
    "for host in sys.argv[1:]:\n"
    "    try: RequestFactory(HTTP_HOST=host).get('/').get_host()\n"
    "    except DisallowedHost: print('refused')\n"
    "    else: print('served')"
)


@pytest.fixture
def ip_runs(tmp_path):
    """A PATH whose `ip` command notes each run in a file (then fails, as
    where iproute2 is missing), and that file."""
    folder = tmp_path / "bin"
    folder.mkdir()
    runs = tmp_path / "ip-runs"
    fake = folder / "ip"
    fake.write_text(f"#!/bin/sh\necho run >> {runs}\nexit 1\n")
    fake.chmod(0o755)
    return f"{folder}{os.pathsep}{os.environ['PATH']}", runs


def test_development_answers_to_this_computer_alone(tmp_path, ip_runs):
    path, runs = ip_runs
    mdns = f"{socket.gethostname().split('.')[0].lower()}.local"
    hosts = ["localhost:8000", "127.0.0.1", "[::1]", f"{mdns}:8000", "evil.example"]
    run = python(
        tmp_path,
        "-c",
        ANSWERED_HOSTS,
        *hosts,
        DJANGO_SETTINGS_MODULE="imagerepo.settings.development",
        PATH=path,
    )
    assert run.stdout.split() == ["served"] * 3 + ["refused"] * 2, run.stderr
    # Nothing looks this computer's addresses up for settings that never use
    # them (every manage.py command, every test run).
    assert not runs.exists()


def test_development_answers_to_the_hosts_it_is_told(tmp_path):
    run = python(
        tmp_path,
        "-c",
        ANSWERED_HOSTS,
        "photos.example.org",
        "localhost",
        DJANGO_SETTINGS_MODULE="imagerepo.settings.development",
        DJANGO_ALLOWED_HOSTS="photos.example.org",
    )
    assert run.stdout.split() == ["served", "refused"], run.stderr


def test_production_answers_to_the_machines_own_names_unless_told(tmp_path, ip_runs):
    path, runs = ip_runs
    mdns = f"{socket.gethostname().split('.')[0].lower()}.local"
    hosts = [f"{mdns}:8000", "localhost", "127.0.0.1", "evil.example"]
    production = {
        "DJANGO_SETTINGS_MODULE": "imagerepo.settings.production",
        "DJANGO_SECRET_KEY": "x" * 50,
    }
    run = python(tmp_path, "-c", ANSWERED_HOSTS, *hosts, PATH=path, **production)
    assert run.stdout.split() == ["served"] * 3 + ["refused"], run.stderr
    assert runs.read_text() == "run\n"  # the interfaces' addresses were asked for
    told = python(
        tmp_path,
        "-c",
        ANSWERED_HOSTS,
        *hosts,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        **production,
    )
    assert told.stdout.split() == ["refused", "refused", "served", "refused"], (
        told.stderr
    )


@pytest.mark.parametrize(
    ("host", "warned", "bind"),
    [
        ("0.0.0.0", True, "0.0.0.0"),
        ("192.168.1.20", True, "192.168.1.20"),
        ("127.0.0.1", False, "127.0.0.1"),
        # runserver takes an IPv6 address in brackets only.
        ("::1", False, "[::1]"),
        ("[::1]", False, "[::1]"),
        ("::", True, "[::]"),
    ],
)
def test_make_run_beyond_loopback_says_to_use_make_serve(host, warned, bind):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MAKE", "MFLAGS", "HOST", "PORT"))
    }
    # PY=echo prints each manage.py command instead of running it, and
    # -o install leaves the virtualenv alone.
    run = subprocess.run(
        ["make", "--silent", "-o", "install", "run", f"HOST={host}", "PY=echo"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
    )
    lines = run.stdout.splitlines()
    assert run.returncode == 0, run.stdout
    assert lines[-1] == f"manage.py runserver {bind}:8000"
    warning = (
        "make run is for this computer only (Django's debug pages, a secret key "
        "published in this repository): to serve the household, use make serve."
    )
    assert (lines[0] == warning) is warned, run.stdout
    assert lines.count(warning) == int(warned)


def test_mail_is_printed_on_the_console_when_no_server_is_named(tmp_path):
    code = (
        "from django.core.mail import send_mail; "
        "send_mail('Hello', 'The body.', None, ['a@example.org'])"
    )
    run = python(tmp_path, "manage.py", "shell", "--verbosity", "0", "-c", code)
    assert run.returncode == 0, run.stderr
    for line in [
        "Subject: Hello",
        "From: imagerepo <noreply@localhost>",
        "To: a@example.org",
        "The body.",
    ]:
        assert line in run.stdout.splitlines(), run.stdout


def test_email_url_names_the_mail_server(tmp_path):
    code = (
        "from django.conf import settings as s; print(s.EMAIL_BACKEND, "
        "s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, "
        "s.EMAIL_USE_TLS); print(s.DEFAULT_FROM_EMAIL)"
    )
    run = python(
        tmp_path,
        "manage.py",
        "shell",
        "--verbosity",
        "0",
        "-c",
        code,
        EMAIL_URL="smtp+tls://photos%40example.org:s3cret@smtp.example.org:587",
        DJANGO_DEFAULT_FROM_EMAIL="Photos <photos@example.org>",
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "django.core.mail.backends.smtp.EmailBackend smtp.example.org 587 "
        "photos@example.org s3cret True",
        "Photos <photos@example.org>",
    ]


@pytest.mark.parametrize("module", ["development", "test"])
def test_a_request_warning_is_logged_once(tmp_path, module):
    code = (
        "import django; django.setup(); from django.test import Client; "
        "print(Client(HTTP_HOST='localhost').get('/no-such-page/').status_code)"
    )
    run = python(
        tmp_path, "-c", code, DJANGO_SETTINGS_MODULE=f"imagerepo.settings.{module}"
    )
    assert run.stdout.split() == ["404"], run.stderr
    assert run.stderr.splitlines().count("Not Found: /no-such-page/") == 1, run.stderr


def test_runserver_prints_one_line_per_request_and_one_per_warning(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=environment(tmp_path),
        cwd=BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    reader = threading.Thread(target=collect, args=(server.stdout, lines))
    reader.start()
    last = '"GET /no-such-page/ HTTP/1.1" 404'
    try:
        wait_for_port(port, server)
        assert fetch(port, "/static/css/imagerepo.css") == 200
        assert fetch(port, "/no-such-page/") == 404
        # runserver writes its access line once the response is sent.
        wait_until(lambda: count(lines, last), server)
    finally:
        server.terminate()
        server.wait(timeout=30)
        reader.join(timeout=30)
    output = "\n".join(lines)
    assert count(lines, '"GET /static/css/imagerepo.css HTTP/1.1" 200') == 1, output
    assert count(lines, last) == 1, output
    assert lines.count("Not Found: /no-such-page/") == 1, output


def collect(stream, lines):
    for line in stream:
        lines.append(line.rstrip("\n"))


def wait_until(condition, server, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert server.poll() is None, "runserver stopped"
        assert time.monotonic() < deadline, "runserver did not get there in time"
        time.sleep(0.05)


def wait_for_port(port, server):
    """Until ``server`` listens, without sending a request it would log."""

    def listening():
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    wait_until(listening, server)


def fetch(port, path):
    """The status of a GET, its body read to the end."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}") as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def count(lines, text):
    return sum(1 for line in lines if text in line)

"""Production settings and the nginx deployment, checked for real: Django's
deploy checks in a subprocess, and deploy/nginx.conf run by nginx in front of
a gunicorn server process."""

import configparser
import grp
import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.urls import reverse

from .images import noisy_jpeg
from .live import BASE_DIR, Visitor, free_port, prepare_site, served, site_env
from .nginx import nginx_in_front_of, nginx_test, render_site_conf, write_nginx_conf

PRODUCTION = {
    "DJANGO_ALLOWED_HOSTS": "photos.example.org",
    "DJANGO_HTTPS": "true",
}


def manage(tmp_path, *args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=site_env(tmp_path, **env),
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )


def test_check_deploy_passes_with_production_variables(tmp_path):
    run = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert run.returncode == 0, run.stderr
    assert "no issues" in run.stdout


def test_check_deploy_fails_for_plain_http_with_a_weak_key(tmp_path):
    run = manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="short",
        DJANGO_HTTPS="false",
    )
    assert run.returncode != 0
    for warning in ("W004", "W008", "W009", "W012", "W016"):
        assert warning in run.stderr


@pytest.mark.parametrize("https", ["true", "false"])
def test_cookies_are_secure_only_when_https(tmp_path, https):
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS > 0)"
    )
    run = manage(tmp_path, "shell", "-c", code, DJANGO_HTTPS=https)
    expected = "True" if https == "true" else "False"
    assert run.stdout.splitlines()[-1].split() == [
        expected,
        expected,
        expected,
        "True",
        expected,
    ]


# ---------------------------------------------------------------- X-Accel-Redirect


@pytest.mark.django_db
def test_x_accel_redirect_hands_permitted_files_to_nginx(
    client_for, user, other_user, make_image, settings
):
    settings.IMAGEREPO_X_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    # nginx reaches the media folder only (under make test-scale media are in S3).
    settings.STORAGES = {**settings.STORAGES, "default": settings.STORAGES["local"]}
    image = make_image(user, visibility="private")
    url = reverse("gallery:original", args=[image.pk])

    response = client_for(user).get(url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{image.original.name}"
    assert response.content == b""  # nginx sends the bytes
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Security-Policy"] == (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    assert response["Cache-Control"] == "private, no-cache"

    denied = client_for(other_user).get(url)
    assert denied.status_code == 404 and not denied.has_header("X-Accel-Redirect")


def test_deploy_nginx_config_is_valid(tmp_path):
    conf = write_nginx_conf(
        tmp_path,
        render_site_conf(
            listen_port=8499,
            app_address="127.0.0.1:8498",
            media_root=tmp_path,
            static_root=tmp_path,
        ),
    )
    ok, output = nginx_test(conf)
    assert ok, output
    text = (BASE_DIR / "deploy" / "nginx.conf").read_text()
    assert "internal;" in text


@pytest.fixture(scope="module")
def behind_nginx(tmp_path_factory):
    """A gunicorn site behind deploy/nginx.conf, with alice's public and
    private image. Yields (site, nginx url, shared cache url, alice, ids)."""
    root = tmp_path_factory.mktemp("nginx-site")
    site = prepare_site(
        root / "site",
        IMAGEREPO_X_ACCEL_REDIRECT_PREFIX="/protected-media/",
        IMAGEREPO_CLIENT_IP_HEADER="HTTP_X_REAL_IP",
    )
    with served(site) as site, nginx_in_front_of(site, root / "nginx") as urls:
        url, cache_url = urls
        alice = Visitor(url).sign_up("alice")
        assert alice.upload([("public.jpg", noisy_jpeg(seed=1))]) == ["created"]
        assert alice.upload([("private.jpg", noisy_jpeg(seed=2))], "private") == [
            "created"
        ]
        ids = {
            name.split(".")[0]: uuid.UUID(pk)
            for pk, name in site.query(
                "SELECT id, original_filename FROM gallery_image"
            )
        }
        yield site, url, cache_url, alice, ids


def test_nginx_sends_the_owner_the_exact_private_original(behind_nginx):
    site, url, _, alice, ids = behind_nginx
    response = alice.http.get(f"{url}/images/{ids['private']}/original/")
    assert response.status_code == 200
    name = site.query(
        f"SELECT original FROM gallery_image WHERE id='{ids['private'].hex}'"
    )
    assert response.content == (site.media / name[0][0]).read_bytes()
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    assert "X-Accel-Redirect" not in response.headers


def test_behind_nginx_a_links_files_keep_its_private_headers(behind_nginx):
    _, url, _, alice, ids = behind_nginx
    made = alice.post_form(f"/images/{ids['private']}/", {"expires_in_days": "7"})
    token = re.search(r'id="new-link-url"[^>]*value="[^"]*/s/([\w-]+)/"', made.text)[1]
    for kind in ("thumbnail", "display"):
        response = requests.get(f"{url}/s/{token}/{ids['private']}/{kind}/")
        assert response.status_code == 200, kind
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
        assert response.headers["Referrer-Policy"] == "same-origin"
    # Not on the site's other files: nothing but a link's is kept from indexing.
    public = requests.get(f"{url}/images/{ids['public']}/thumbnail/")
    assert "X-Robots-Tag" not in public.headers


def test_behind_nginx_the_sites_own_addresses_keep_its_port(behind_nginx):
    # The test's nginx listens on a high port, as a household's may.
    _, url, _, _, _ = behind_nginx
    assert urlsplit(url).port not in (None, 80, 443)
    listed = requests.get(f"{url}/api/v1/images/").json()["results"]
    assert listed and all(image["url"].startswith(f"{url}/") for image in listed)


@pytest.mark.parametrize("kind", ["thumbnail", "display", "original"])
def test_nginx_private_files_are_404_to_others(behind_nginx, kind):
    _, url, cache_url, _, ids = behind_nginx
    for base in (url, cache_url):
        anonymous = requests.get(f"{base}/images/{ids['private']}/{kind}/")
        assert anonymous.status_code == 404
    bob = Visitor(url).sign_up(f"bob-{kind}")
    assert bob.http.get(f"{url}/images/{ids['private']}/{kind}/").status_code == 404


def test_nginx_media_folder_is_unreachable_directly(behind_nginx):
    site, url, cache_url, alice, _ = behind_nginx
    names = [
        n
        for row in site.query("SELECT original, thumbnail FROM gallery_image")
        for n in row
    ]
    for name in names:
        for path in (
            f"/protected-media/{name}",
            f"/media/{name}",
            f"/static/../media/{name}",
            f"/static/..%2fmedia/{name}",
        ):
            for client in (requests, alice.http):
                assert client.get(url + path).status_code == 404, path
            assert requests.get(cache_url + path).status_code == 404, path


def test_switch_to_private_holds_at_once_even_through_a_shared_cache(behind_nginx):
    _, url, cache_url, alice, ids = behind_nginx
    # The shared cache does keep what it may: a static file is a HIT.
    static = f"{cache_url}/static/css/imagerepo.css"
    requests.get(static)
    assert requests.get(static).headers["X-Shared-Cache"] == "HIT"

    # The plain URL and the versioned one the pages link (kept long by
    # browsers, never by shared caches).
    page = requests.get(f"{cache_url}/").text
    versioned = re.search(rf"(/images/{ids['public']}/thumbnail/\?v=\w+)", page)[1]
    thumb = f"/images/{ids['public']}/thumbnail/"
    first = {}
    for path in (thumb, versioned):
        first[path] = requests.get(cache_url + path)
        assert first[path].status_code == 200
        assert requests.get(cache_url + path).headers["X-Shared-Cache"] != "HIT"

    edit = alice.post_form(
        f"/images/{ids['public']}/edit/",
        {"title": "now private", "description": "", "visibility": "private"},
    )
    assert edit.status_code == 200 and edit.url.endswith(f"/images/{ids['public']}/")
    for base in (url, cache_url):
        for path in (thumb, versioned):
            assert requests.get(base + path).status_code == 404
            revalidate = {"If-None-Match": first[path].headers["ETag"]}
            assert requests.get(base + path, headers=revalidate).status_code == 404
    # The owner still has it, under a new validator.
    mine = alice.http.get(url + thumb)
    assert mine.status_code == 200
    assert mine.headers["ETag"] != first[thumb].headers["ETag"]


def test_spoofed_x_real_ip_cannot_dodge_the_sign_in_lock_out(behind_nginx):
    _, url, _, _, _ = behind_nginx
    Visitor(url).sign_up("victim")
    guesser = Visitor(url)
    statuses = []
    for n in range(6):
        token = guesser.csrf_token("/accounts/login/")
        response = guesser.http.post(
            url + "/accounts/login/",
            {
                "username": "victim",
                "password": f"guess{n}",
                "csrfmiddlewaretoken": token,
            },
            # Each guess claims another address; nginx replaces the header.
            headers={
                "X-Real-IP": f"203.0.113.{n}",
                "X-Forwarded-For": f"198.51.100.{n}",
            },
        )
        statuses.append(response.status_code)
    assert statuses == [200] * 4 + [429, 429]


def test_nginx_serves_the_icon_at_favicon_ico(behind_nginx):
    _, url, _, _, _ = behind_nginx
    response = requests.get(f"{url}/favicon.ico")
    # The app names the icon's versioned file (collectstatic's manifest),
    # which nginx serves from the static folder.
    assert [r.status_code for r in response.history] == [302]
    assert re.fullmatch(
        r"/static/favicon\.\w{12}\.ico", response.history[0].headers["Location"]
    )
    assert response.status_code == 200
    assert response.content == (BASE_DIR / "static" / "favicon.ico").read_bytes()


# ---------------------------------------------------------------- purge_trash timer

PURGE_UNITS = ("imagerepo-purge-trash.service", "imagerepo-purge-trash.timer")
SITE_UNIT = "imagerepo.service"
# What a test site's environment says about its deployment (gallery.tests.live).
DEPLOYMENT_FACTS = (
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "MEDIA_STORAGE",
    "MEDIA_ROOT",
    "DJANGO_STATIC_ROOT",
    "IMAGEREPO_IMPORT_JOURNAL_DIR",
    "IMAGEREPO_SIGNUPS_PER_HOUR",
)


def install_units(folder, env_file, names=PURGE_UNITS):
    """The units ``names`` as they would be installed for this checkout: its
    folder, this Python and make, this user and a test site's env file in
    place of the deployment's. Returns the first one's [Service]."""
    user = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    swaps = {
        "/srv/imagerepo/app/.venv/bin/python": sys.executable,
        "/srv/imagerepo/app": str(BASE_DIR),
        "/etc/imagerepo/imagerepo.env": str(env_file),
        "/usr/bin/make": shutil.which("make"),
        "ReadWritePaths=/srv/imagerepo": f"ReadWritePaths={folder}",
        "User=imagerepo": f"User={user}",
        "Group=imagerepo": f"Group={group}",
    }
    folder.mkdir(exist_ok=True)
    for name in names:
        text = (BASE_DIR / "deploy" / name).read_text()
        for deployed, here in swaps.items():
            text = text.replace(deployed, here)
        (folder / name).write_text(text)
    unit = configparser.ConfigParser(interpolation=None)
    unit.optionxform = str
    unit.read(folder / names[0])
    return unit["Service"]


def deployment_env_file(path, site, **extra):
    """``site``'s deployment facts as an env file, as a deployment keeps
    them: what differs from this process's environment, and no settings
    module (the units and make serve choose it)."""
    deployment = {k: v for k, v in site.env.items() if os.environ.get(k) != v}
    deployment.pop("DJANGO_SETTINGS_MODULE", None)
    deployment.update(extra)
    path.write_text("".join(f"{k}={v}\n" for k, v in deployment.items()))
    return path


def test_the_purge_timer_runs_purge_trash_with_the_production_settings(tmp_path):
    """The service's own command, folder and environment purge an image
    whose time in the trash is up, rows and files."""
    site = prepare_site(tmp_path / "site")
    env_file = deployment_env_file(tmp_path / "imagerepo.env", site)
    service = install_units(tmp_path / "units", env_file)
    assert "DJANGO_SETTINGS_MODULE" not in env_file.read_text()

    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "old.jpg").write_bytes(noisy_jpeg(seed=3))
    site.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; User.objects.create_user('erin')",
    )
    site.manage("import_images", str(photos), "--owner", "erin")
    site.manage(
        "shell",
        "-c",
        "from datetime import timedelta; from django.utils import timezone; "
        "from gallery.models import Image; "
        "Image.objects.update(trashed_at=timezone.now() - timedelta(days=31))",
    )
    assert site.stored_files() != []

    # As systemd starts it: the unit's env file, then its own Environment=.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    lines = Path(service["EnvironmentFile"]).read_text().splitlines()
    env.update(line.split("=", 1) for line in lines)
    name, _, value = service["Environment"].partition("=")
    env[name] = value
    run = subprocess.run(
        shlex.split(service["ExecStart"]),
        cwd=service["WorkingDirectory"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Purged 1 images")
    assert site.query("SELECT count(*) FROM gallery_image") == [(0,)]
    assert site.stored_files() == []


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd")
def test_the_purge_units_are_valid_systemd_units(tmp_path):
    env_file = tmp_path / "imagerepo.env"
    env_file.write_text("DJANGO_SECRET_KEY=x\n")
    folder = tmp_path / "units"
    install_units(folder, env_file, [*PURGE_UNITS, SITE_UNIT])
    check = subprocess.run(
        [
            "systemd-analyze",
            "verify",
            "--man=no",
            *(folder / n for n in [*PURGE_UNITS, SITE_UNIT]),
        ],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    assert check.stderr == ""
    timer = (folder / PURGE_UNITS[1]).read_text()
    assert "OnCalendar=daily" in timer and "Persistent=true" in timer


def test_the_site_unit_serves_the_site_and_stops_as_systemd_stops_it(tmp_path):
    """The unit's own command (make serve) in the environment systemd gives
    it (a bare one, plus the env file) migrates, collects static files and
    serves; SIGTERM to its every process, as systemd stops a service, ends
    them all."""
    site = prepare_site(tmp_path / "site", DJANGO_STATIC_ROOT=tmp_path / "static")
    url = f"http://127.0.0.1:{free_port()}"
    deployment = {k: v for k, v in site.env.items() if k in DEPLOYMENT_FACTS}
    deployment["GUNICORN_BIND"] = urlsplit(url).netloc
    env_file = tmp_path / "imagerepo.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in deployment.items()))
    service = install_units(tmp_path / "units", env_file, [SITE_UNIT])
    env = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    lines = Path(service["EnvironmentFile"]).read_text().splitlines()
    env.update(line.split("=", 1) for line in lines)
    with open(tmp_path / "service.log", "wb") as log:
        server = subprocess.Popen(
            shlex.split(service["ExecStart"]),
            cwd=service["WorkingDirectory"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        page = wait_for_page(url + "/", server, tmp_path / "service.log")
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page).group(1)
        assert requests.get(url + stylesheet, timeout=10).status_code == 200
    finally:
        stop = int(service["TimeoutStopSec"])
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=stop)
    deadline = time.monotonic() + stop
    while running_in_group(server.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert running_in_group(server.pid) == []  # gunicorn and its workers too


def running_in_group(group):
    """The processes of process group ``group`` still running (not those
    dead and waiting to be reaped)."""
    running = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _, process_group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(process_group) == group and state != "Z":
            running.append(int(stat.parent.name))
    return running


def wait_for_page(url, server, log, seconds=180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            response = requests.get(url, timeout=10)
            if response.status_code == 200:
                return response.text
        except (requests.ConnectionError, requests.Timeout):
            pass  # still migrating, collecting or starting
        time.sleep(0.5)
    raise AssertionError(f"no answer in {seconds} s:\n{log.read_text()}")

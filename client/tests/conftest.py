"""A real imagerepo server for the client's tests: gunicorn with its own
database and media folder (gallery.tests.live), production settings."""

import os
import socket

import pytest

from gallery.tests.live import prepare_site, served


def port_from_env():
    """The first free port in LIVE_SERVER_PORTS (e.g. "8800-8899") when that
    is set, so a developer can keep servers in their own range; else None and
    gallery.tests.live picks one."""
    span = os.environ.get("LIVE_SERVER_PORTS")
    if not span:
        return None
    first, _, last = span.partition("-")
    for port in range(int(first), int(last or first) + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in LIVE_SERVER_PORTS={span}")


@pytest.fixture(scope="module")
def live_site(tmp_path_factory):
    site = prepare_site(
        tmp_path_factory.mktemp("live-site"),
        DJANGO_SETTINGS_MODULE="client.tests.site_settings",  # small API pages
    )
    with served(site, port=port_from_env()):
        yield site


@pytest.fixture(scope="module")
def site_user(live_site):
    """A user of the live site and a token made with ``create_token``."""
    live_site.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        "get_user_model().objects.create_user('carol', password='pw-carol-123')",
    )
    return live_site.manage("create_token", "carol", "--name", "tests").stdout.strip()

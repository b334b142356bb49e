"""The scale-out setup itself: the suite really runs where it says it does,
and a bad storage configuration is a clear error at start-up."""

import os
import runpy
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.db import connection

from gallery import objectstore

# `make test-scale` sets this, so a run that silently fell back to SQLite or
# the disk fails instead of passing for the wrong reason.
EXPECTED = os.environ.get("IMAGEREPO_TEST_BACKENDS", "")


@pytest.mark.skipif(not EXPECTED, reason="only under make test-scale")
def test_the_suite_runs_on_the_expected_servers():
    database, media = EXPECTED.split(",")
    assert connection.vendor == database
    assert objectstore.is_s3(storages["default"]) == (media == "s3")


def test_the_local_media_folder_is_always_reachable_by_name():
    # migrate_storage copies from and to it whichever store is the default.
    assert storages["local"].location == str(settings.MEDIA_ROOT)


@pytest.mark.parametrize(
    "variables, message",
    [
        ({"MEDIA_STORAGE": "s3", "S3_BUCKET": ""}, "MEDIA_STORAGE=s3 needs S3_BUCKET"),
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE must be 'local' or 's3'"),
        ({"S3_DELIVERY": "teleport"}, "S3_DELIVERY must be 'stream' or 'redirect'"),
    ],
)
def test_bad_storage_settings_stop_start_up_with_a_clear_message(variables, message):
    result = settings_in_a_fresh_process("settings.STORAGES", **variables)
    assert result.returncode != 0
    assert message in result.stderr


def settings_in_a_fresh_process(expression, **variables):
    """Print ``expression`` in a process whose settings read ``variables``."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "imagerepo.settings.test"}
    env.update(variables)
    code = (
        "import django; django.setup(); "
        f"from django.conf import settings; print({expression})"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    "style, origin",
    [
        ("path", "https://s3.example.org:9000"),
        ("virtual", "https://pics.s3.example.org:9000"),
    ],
)
def test_redirect_delivery_lets_pages_load_images_from_the_bucket(style, origin):
    result = settings_in_a_fresh_process(
        "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']",
        MEDIA_STORAGE="s3",
        S3_BUCKET="pics",
        S3_ENDPOINT_URL="https://s3.example.org:9000",
        S3_ADDRESSING_STYLE=style,
        S3_DELIVERY="redirect",
    )
    assert result.stdout.strip() == str(["'self'", "data:", origin])


def test_streaming_delivery_keeps_images_to_the_site_itself():
    result = settings_in_a_fresh_process(
        "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']",
        MEDIA_STORAGE="s3",
        S3_BUCKET="pics",
        S3_DELIVERY="stream",
    )
    assert result.stdout.strip() == str(["'self'", "data:"])


def test_gunicorn_config_sizes_workers_by_cores_unless_told(monkeypatch):
    conf = settings.BASE_DIR / "deploy" / "gunicorn.conf.py"
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    cores = len(os.sched_getaffinity(0))
    assert runpy.run_path(conf)["workers"] == 2 * cores + 1
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert runpy.run_path(conf)["workers"] == 3

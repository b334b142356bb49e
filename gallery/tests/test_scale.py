"""The scale-out setup itself: the suite really runs where it says it does,
and a bad storage configuration is a clear error at start-up."""

import os
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
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "imagerepo.settings.test"}
    env.update(variables)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode != 0
    assert message in result.stderr

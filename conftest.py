"""Fixtures shared by every test: throwaway media, users and signed-in clients."""

import copy
import uuid

import pytest
from django.core.files.storage import storages
from django.db import connection
from django.test import Client

from gallery.objectstore import is_s3


def pytest_collection_modifyitems(config, items):
    """``@pytest.mark.db_vendor("sqlite")`` runs a test on that database only
    (e.g. a query-plan check); ``@pytest.mark.s3`` runs it only when media
    live in an S3 bucket (``make test-scale``)."""
    media_in_s3 = is_s3(storages["default"])
    for item in items:
        for mark in item.iter_markers("db_vendor"):
            if connection.vendor not in mark.args:
                item.add_marker(pytest.mark.skip(f"needs {' or '.join(mark.args)}"))
        if item.get_closest_marker("s3") and not media_in_s3:
            item.add_marker(pytest.mark.skip("needs media in S3 (make test-scale)"))


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test writes its uploads to its own temporary folder and, when an
    S3 store is configured (``make test-scale``), under a key prefix of its
    own in the bucket, emptied afterwards."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    # import_images keeps its crash journal beside the media, per test too.
    settings.IMAGEREPO_IMPORT_JOURNAL_DIR = tmp_path / "import-journal"
    if "s3" not in settings.STORAGES:
        yield settings.MEDIA_ROOT
        return
    prefix = f"tests/{uuid.uuid4().hex}"
    configured = copy.deepcopy(settings.STORAGES)
    for alias in ("default", "s3"):
        if is_s3(storages[alias]):
            configured[alias]["OPTIONS"]["location"] = prefix
    settings.STORAGES = configured
    bucket = storages["s3"].bucket  # kept: the test may change STORAGES again
    yield settings.MEDIA_ROOT
    bucket.objects.filter(Prefix=f"{prefix}/").delete()


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("alice", password="pw-alice-123")


@pytest.fixture
def other_user(django_user_model):
    return django_user_model.objects.create_user("bob", password="pw-bob-123")


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_superuser("root", password="pw-root-123")


@pytest.fixture
def client_for():
    """``client_for(user)`` is a test client signed in as ``user``
    (``None`` gives an anonymous client)."""

    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make

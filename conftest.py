"""Fixtures shared by every test: throwaway media, users and signed-in clients."""

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test writes its uploads to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    # import_images keeps its crash journal beside the media, per test too.
    settings.IMAGEREPO_IMPORT_JOURNAL_DIR = tmp_path / "import-journal"
    return settings.MEDIA_ROOT


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

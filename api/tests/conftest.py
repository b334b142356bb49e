import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.tokens import token_create
from gallery.tests.conftest import make_image  # noqa: F401  (a shared fixture)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Request counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_for():
    """``api_for(user)`` is an API client sending a fresh token of ``user``
    (``None``: anonymous, no Authorization header)."""

    def make(user, **token_fields):
        client = APIClient()
        if user is not None:
            _, key = token_create(user=user, **token_fields)
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return make

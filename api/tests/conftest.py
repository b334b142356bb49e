import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from api.tokens import token_create
from gallery.request_limits import RATE_LIMIT_CACHE
from gallery.tests.conftest import make_image  # noqa: F401  (a shared fixture)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Request counters live in their own cache; each test starts with none."""
    counters = caches[RATE_LIMIT_CACHE]
    counters.clear()
    yield
    counters.clear()


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

"""Rate limits: per token, per anonymous address, with Retry-After."""

import pytest
from django.core.cache import cache

from api.tokens import token_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/images/"


@pytest.fixture
def tight_limits(settings):
    settings.IMAGEREPO_API_RATE_TOKEN = "3/minute"
    settings.IMAGEREPO_API_RATE_ANON = "2/minute"


def test_each_token_has_its_own_budget(tight_limits, api_for, user):
    first, second = api_for(user, name="one"), api_for(user, name="two")
    assert [first.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get(URL)
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60
    assert second.get(URL).status_code == 200


def test_anonymous_callers_are_limited_too(tight_limits, api_for):
    client = api_for(None)
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 429]


def test_token_budget_is_separate_from_the_anonymous_one(tight_limits, api_for, user):
    anonymous = api_for(None)
    anonymous.get(URL), anonymous.get(URL)
    assert anonymous.get(URL).status_code == 429
    assert api_for(user).get(URL).status_code == 200


def test_limits_apply_to_uploads(tight_limits, api_for, user):
    _, key = token_create(user=user)
    client = api_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    for _ in range(3):
        client.post(URL + "check-hashes/", {"sha256": ["a" * 64]}, format="json")
    response = client.post(URL, {"files": []}, format="multipart")
    assert response.status_code == 429


def test_spoofed_x_forwarded_for_does_not_dodge_the_anonymous_limit(
    tight_limits, api_for
):
    client = api_for(None)
    codes = [
        client.get(URL, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
        for i in range(5)
    ]
    assert codes == [200, 200, 429, 429, 429]


def test_behind_a_proxy_only_its_client_address_header_counts(
    tight_limits, api_for, settings
):
    settings.IMAGEREPO_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"  # as behind nginx
    client = api_for(None)
    first = {"HTTP_X_REAL_IP": "192.0.2.1"}
    assert [client.get(URL, **first).status_code for _ in range(3)] == [200, 200, 429]
    spoofed = {**first, "HTTP_X_FORWARDED_FOR": "10.0.0.9"}
    assert client.get(URL, **spoofed).status_code == 429
    assert client.get(URL, HTTP_X_REAL_IP="192.0.2.2").status_code == 200


def test_flooding_the_cache_with_other_keys_does_not_reset_a_token_budget(
    tight_limits, api_for, user
):
    client = api_for(user)
    assert [client.get(URL).status_code for _ in range(4)] == [200, 200, 200, 429]
    anonymous = api_for(None)
    for i in range(400):
        anonymous.get(URL, HTTP_X_FORWARDED_FOR=f"10.0.{i // 250}.{i % 250}")
    for i in range(1000):  # whatever else the site keeps in its cache
        cache.set(f"unrelated-{i}", i)
    assert client.get(URL).status_code == 429

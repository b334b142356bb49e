"""Page cursors: whatever a client sends as ?after= (pages) or ?cursor= (API)
is never a 500, and no cursor we hand out tells anything about hidden images."""

import base64
import json

import pytest
from django.urls import reverse

from gallery.models import Image
from gallery.pagination import newest_key

pytestmark = pytest.mark.django_db

API = "/api/v1/images/"


def b64(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def position(cursor):
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


# (query, cursor): decodable cursors that are not a position we made.
FORGED = {
    "naive date, number for an id": ("", b64('["2024-01-01T00:00:00", 123]')),
    "date past year 9999 in UTC": (
        "",
        b64('["9999-12-31T23:59:59-23:59", "' + "0" * 32 + '"]'),
    ),
    "date before year 1 in UTC": (
        "",
        b64('["0001-01-01T00:00:00+23:59", "' + "0" * 32 + '"]'),
    ),
    "deep nesting": ("", b64("[" * 1100)),
    "deep nesting, search": ("sun", b64("[" * 1100)),
    "huge search key": ("sun", b64(json.dumps([0, 10**30]))),
    "tier out of range": ("sun", b64(json.dumps([5, "0" * 32]))),
    "boolean tier": ("sun", b64(json.dumps([True, "0" * 32]))),
    "gallery cursor in a search": (
        "sun",
        b64('["2024-01-01T00:00:00+00:00", "' + "0" * 32 + '"]'),
    ),
    "not a list": ("", b64('{"a": 1}')),
    "empty list": ("", b64("[]")),
    "not base64": ("", "garbage!"),
    "over-long": ("", "A" * 5000),
}


@pytest.fixture
def sunsets(user, bulk_images, settings):
    settings.IMAGEREPO_GALLERY_PAGE_SIZE = 2
    return bulk_images(user, [f"Sunset {n}" for n in range(3)])


@pytest.mark.parametrize("name", FORGED)
def test_forged_page_cursor_shows_the_first_page_not_a_500(
    client, sunsets, name, settings
):
    query, cursor = FORGED[name]
    response = client.get(reverse("gallery:index"), {"q": query, "after": cursor})
    assert response.status_code == 200
    first = client.get(reverse("gallery:index"), {"q": query})
    assert response.context["page"].items == first.context["page"].items
    assert len(response.context["page"].items) == 2


@pytest.mark.parametrize("name", FORGED)
def test_forged_api_cursor_is_a_400_invalid_cursor_not_a_500(client, sunsets, name):
    query, cursor = FORGED[name]
    response = client.get(API, {"q": query, "cursor": cursor})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


@pytest.fixture
def kayaks(user, other_user, bulk_images):
    """Three public kayaks among many private images of two people."""
    for owner in (user, other_user):
        bulk_images(owner, [f"Kayak {n}" for n in range(4)], visibility="private")
    return bulk_images(other_user, [f"Kayak trip {n}" for n in range(3)])


def assert_position_of(key, image):
    """``key`` (a search cursor's position after its tier) is ``image``'s
    date and id, which its page already showed, and holds no number (a row
    number would count the hidden images before it)."""
    assert not any(isinstance(item, int) for item in key)
    assert key == newest_key(image)


def test_search_cursor_does_not_count_hidden_images(client, kayaks):
    response = client.get(API, {"q": "kayak", "page_size": 1})
    last = Image.objects.get(pk=response.json()["results"][0]["id"])
    tier, *key = position(response.json()["next_cursor"])
    assert tier == 0
    assert_position_of(key, last)


def test_search_pages_link_positions_that_count_nothing(client, kayaks, settings):
    settings.IMAGEREPO_GALLERY_PAGE_SIZE = 1
    seen, params = [], {"q": "kayak"}
    while params:
        page = client.get(reverse("gallery:index"), params).context["page"]
        seen += [image.title for image in page.items]
        params = page.next_cursor and {"q": "kayak", "after": page.next_cursor}
        if params:
            tier, *key = position(params["after"])
            assert tier == 0
            assert_position_of(key, page.items[-1])
    assert seen == ["Kayak trip 2", "Kayak trip 1", "Kayak trip 0"]


def test_search_cursor_at_a_deleted_image_goes_on_from_there(client, kayaks):
    first = client.get(API, {"q": "kayak", "page_size": 1}).json()
    Image.objects.filter(pk=first["results"][0]["id"]).delete()
    response = client.get(
        API, {"q": "kayak", "page_size": 1, "cursor": first["next_cursor"]}
    )
    assert response.status_code == 200
    assert [item["title"] for item in response.json()["results"]] == ["Kayak trip 1"]

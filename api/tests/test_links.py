"""/api/v1/links/: share links made, listed and revoked over the API."""

import uuid

import pytest
from django.test import Client
from django.utils import timezone

from gallery.models import ShareLink
from gallery.services.albums import album_add_images, album_create

pytestmark = pytest.mark.django_db
URL = "/api/v1/links/"


@pytest.fixture
def album(user, make_image):
    album = album_create(owner=user, title="Beach")
    album_add_images(album, user=user, images=[make_image(user, title="Waves")])
    return album


def test_a_link_is_made_listed_opened_and_revoked(api_for, user, album):
    api = api_for(user)
    made = api.post(
        URL,
        {
            "album": str(album.pk),
            "expires_in_days": 7,
            "password": "",
            "allow_download": False,
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["state"] == "open" and body["album"] == str(album.pk)
    assert body["url"].startswith("http://testserver/s/")
    visitor = Client()
    assert visitor.get(body["url"]).status_code == 200

    listed = api.get(URL).json()["results"]
    assert [link["id"] for link in listed] == [body["id"]]
    assert "url" not in listed[0]  # the address is not kept

    revoked = api.post(f"{URL}{body['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    assert visitor.get(body["url"]).status_code == 404


@pytest.mark.parametrize("password", ["tide", "a long passphrase " * 20])
def test_a_password_is_stored_hashed(api_for, user, album, password):
    # Any length the page's form takes: the stored hash is what has a size.
    response = api_for(user).post(
        URL, {"album": str(album.pk), "password": password}, format="json"
    )
    assert response.status_code == 201, response.content
    stored = ShareLink.objects.get().password
    assert stored and password not in stored


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"album": "not-an-id"},
        {"expires_in_days": 0},
        {"allow_download": "yes"},
        {"label": 7},
        {"label": None},
        {"label": "x" * 101},
        {"pasword": "typo, so no password"},
    ],
)
def test_bad_input_is_a_400(api_for, user, album, data):
    data = {"album": str(album.pk), **data} if "album" not in data and data else data
    response = api_for(user).post(URL, data, format="json")
    assert response.status_code == 400
    assert not ShareLink.objects.exists()


def test_a_link_says_what_it_lacks(api_for, user, album):
    api = api_for(user)
    neither = api.post(URL, {}, format="json").json()
    assert (neither["code"], neither["message"]) == (
        "required",
        "Give the album or the image the link opens.",
    )
    image = album.entries.first().image
    both = api.post(
        URL, {"album": str(album.pk), "image": str(image.pk)}, format="json"
    )
    assert both.json()["message"] == "Give an album or an image, not both."


def test_others_albums_images_and_links_are_not_found(api_for, user, other_user, album):
    intruder = api_for(other_user)
    image = album.entries.get().image
    for data in ({"album": str(album.pk)}, {"image": str(image.pk)}):
        assert intruder.post(URL, data, format="json").status_code == 404
    made = api_for(user).post(URL, {"image": str(image.pk)}, format="json").json()
    assert intruder.post(f"{URL}{made['id']}/revoke/").status_code == 404
    assert intruder.get(URL).json()["results"] == []
    assert api_for(None).get(URL).status_code == 401


def test_a_label_is_in_every_representation_of_the_link(api_for, user, album):
    api = api_for(user)
    made = api.post(
        URL, {"album": str(album.pk), "label": "  For   Grandma "}, format="json"
    )
    assert made.status_code == 201, made.content
    assert made.json()["label"] == "For Grandma"
    link_id = made.json()["id"]
    assert [link["label"] for link in api.get(URL).json()["results"]] == ["For Grandma"]
    assert api.post(f"{URL}{link_id}/revoke/").json()["label"] == "For Grandma"
    unlabelled = api.post(URL, {"album": str(album.pk)}, format="json").json()
    assert unlabelled["label"] == ""


def test_a_label_too_long_says_which_field_and_why(api_for, user, album):
    response = api_for(user).post(
        URL, {"album": str(album.pk), "label": "x" * 101}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "max_length" and body["field"] == "label"
    assert "100" in body["message"]


def test_a_closed_link_is_removed_and_an_open_one_is_refused(api_for, user, album):
    api = api_for(user)
    made = api.post(URL, {"album": str(album.pk)}, format="json").json()
    link_url = f"{URL}{made['id']}/"
    refused = api.delete(link_url)
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "link_open",
        "message": "This link still works, so it cannot be removed: revoke it first.",
    }
    assert Client().get(made["url"]).status_code == 200

    api.post(f"{link_url}revoke/")
    removed = api.delete(link_url)
    assert removed.status_code == 204 and removed.content == b""
    assert api.get(URL).json()["results"] == []
    assert not ShareLink.objects.exists()
    assert api.delete(link_url).status_code == 404
    assert api.post(f"{link_url}revoke/").status_code == 404
    assert Client().get(made["url"]).status_code == 404


def test_an_expired_link_is_removed_without_revoking_it(api_for, user, album):
    api = api_for(user)
    made = api.post(URL, {"album": str(album.pk)}, format="json").json()
    ShareLink.objects.update(expires_at=timezone.now())
    assert api.delete(f"{URL}{made['id']}/").status_code == 204
    assert not ShareLink.objects.exists()


def test_nobody_removes_a_link_that_is_not_theirs(api_for, user, other_user, album):
    made = api_for(user).post(URL, {"album": str(album.pk)}, format="json").json()
    ShareLink.objects.update(revoked_at=timezone.now())
    link_url = f"{URL}{made['id']}/"
    assert api_for(other_user).delete(link_url).status_code == 404
    assert api_for(None).delete(link_url).status_code == 401
    assert api_for(user).delete(f"{URL}{uuid.uuid4()}/").status_code == 404
    assert api_for(user).delete(f"{URL}{'-' * 32}/").status_code == 404
    assert ShareLink.objects.exists()

"""Who sees what through the API: the same rule as the pages, every endpoint."""

import pytest

from gallery.models import Image

pytestmark = pytest.mark.django_db

VIEWERS = ["owner", "other", "anonymous"]

# (endpoint, viewer, visibility) -> expected status; one row per cell.
EXPECTED = {
    "detail": {
        "owner": {"public": 200, "private": 200},
        "other": {"public": 200, "private": 404},
        "anonymous": {"public": 200, "private": 404},
    },
    "patch": {
        "owner": {"public": 200, "private": 200},
        "other": {"public": 403, "private": 404},
        "anonymous": {"public": 401, "private": 401},
    },
    "delete": {
        "owner": {"public": 204, "private": 204},
        "other": {"public": 403, "private": 404},
        "anonymous": {"public": 401, "private": 401},
    },
    "thumbnail": {
        "owner": {"public": 200, "private": 200},
        "other": {"public": 200, "private": 404},
        "anonymous": {"public": 200, "private": 404},
    },
    "display": {
        "owner": {"public": 200, "private": 200},
        "other": {"public": 200, "private": 404},
        "anonymous": {"public": 200, "private": 404},
    },
    "original": {
        "owner": {"public": 200, "private": 200},
        "other": {"public": 404, "private": 404},
        "anonymous": {"public": 404, "private": 404},
    },
}
CELLS = [
    (endpoint, viewer, visibility, status)
    for endpoint, by_viewer in EXPECTED.items()
    for viewer, by_visibility in by_viewer.items()
    for visibility, status in by_visibility.items()
]


@pytest.fixture
def viewer_client(api_for, user, other_user):
    return lambda viewer: api_for({"owner": user, "other": other_user}.get(viewer))


def call(client, endpoint, image):
    base = f"/api/v1/images/{image.pk}/"
    if endpoint == "detail":
        return client.get(base)
    if endpoint == "patch":
        return client.patch(base, {"title": "Renamed"}, format="json")
    if endpoint == "delete":
        return client.delete(base)
    return client.get(f"{base}{endpoint}/")


@pytest.mark.parametrize(("endpoint", "viewer", "visibility", "status"), CELLS)
def test_visibility_matrix(
    endpoint, viewer, visibility, status, viewer_client, make_image, user
):
    image = make_image(user, title="Sunset", visibility=visibility)
    response = call(viewer_client(viewer), endpoint, image)
    assert response.status_code == status
    if status >= 400:
        assert set(response.json()) >= {"code", "message"}
    changed = Image.objects.filter(pk=image.pk, title="Renamed").exists()
    assert changed == (endpoint == "patch" and status == 200)
    still_there = Image.objects.live().filter(pk=image.pk).exists()
    assert still_there == (endpoint != "delete" or status != 204)


def test_file_bytes_are_the_stored_files(api_for, make_image, user):
    image = make_image(user, visibility="private")
    response = api_for(user).get(f"/api/v1/images/{image.pk}/original/")
    assert b"".join(response.streaming_content) == image.original.read()
    assert response["Content-Type"] == "image/jpeg"
    assert "Authorization" in response["Vary"]


@pytest.mark.parametrize("viewer", VIEWERS)
def test_list_shows_public_images_and_the_viewers_own(
    viewer, viewer_client, make_image, user, other_user
):
    mine_public = make_image(user, title="a", visibility="public")
    mine_private = make_image(user, title="b", visibility="private")
    theirs_public = make_image(other_user, title="c", visibility="public")
    theirs_private = make_image(other_user, title="d", visibility="private")
    response = viewer_client(viewer).get("/api/v1/images/")
    assert response.status_code == 200
    listed = {item["id"] for item in response.json()["results"]}
    expected = {mine_public, theirs_public}
    if viewer == "owner":
        expected |= {mine_private}
    if viewer == "other":
        expected |= {theirs_private}
    assert listed == {str(image.pk) for image in expected}


def test_only_the_owner_gets_the_original_url(api_for, make_image, user, other_user):
    image = make_image(user, visibility="public")
    own = api_for(user).get(f"/api/v1/images/{image.pk}/").json()
    theirs = api_for(other_user).get(f"/api/v1/images/{image.pk}/").json()
    assert own["original_url"].endswith(f"/api/v1/images/{image.pk}/original/")
    assert own["original_url"].startswith("http://testserver/")
    assert theirs["original_url"] is None
    assert theirs["thumbnail_url"] == own["thumbnail_url"]


@pytest.mark.parametrize("viewer", ["other user", "anonymous"])
def test_only_the_owner_sees_the_file_name_and_hash_it_uploaded(
    api_for, make_image, user, other_user, viewer
):
    image = make_image(user, name="IMG_2024_passport_scan.jpg", visibility="public")
    client = api_for(other_user if viewer == "other user" else None)
    for item in (
        client.get(f"/api/v1/images/{image.pk}/").json(),
        client.get("/api/v1/images/").json()["results"][0],
    ):
        assert item["id"] == str(image.pk)
        assert item["original_filename"] is None and item["sha256"] is None
    own = api_for(user).get(f"/api/v1/images/{image.pk}/").json()
    assert own["original_filename"] == "IMG_2024_passport_scan.jpg"
    assert own["sha256"] == image.sha256


def test_private_search_results_stay_private(api_for, make_image, user, other_user):
    make_image(user, title="secret garden", visibility="private")
    for client in (api_for(other_user), api_for(None)):
        response = client.get("/api/v1/images/", {"q": "garden"})
        assert response.json()["results"] == []
    found = api_for(user).get("/api/v1/images/", {"q": "garden"}).json()["results"]
    assert [item["title"] for item in found] == ["secret garden"]

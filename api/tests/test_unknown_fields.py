"""A body naming a field the operation does not take is refused with
``unknown_field`` and changes nothing, on every endpoint that reads one."""

import pytest

from gallery.models import Album, AlbumShare, Image
from gallery.services.images import images_trash
from gallery.tests.conftest import stored_files
from gallery.tests.images import noisy_jpeg, upload

pytestmark = pytest.mark.django_db


def refused(response, field="bogus"):
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["code"], body["field"]) == ("unknown_field", field)
    assert body["message"].startswith(f"{field}: Not a field this request takes")


@pytest.fixture
def things(user, other_user, make_image):
    album = Album.objects.create(owner=user, title="Summer")
    image = make_image(user)
    trashed = make_image(user)
    images_trash(Image.objects.filter(pk=trashed.pk))
    return {"album": album, "image": image, "trashed": trashed}


@pytest.mark.parametrize(
    "endpoint",
    [
        "check-hashes",
        "album create",
        "album add",
        "album remove",
        "share",
        "restore",
        "purge",
    ],
)
def test_a_json_body_with_a_field_too_many_changes_nothing(
    api_for, user, things, endpoint
):
    album, image = things["album"], things["image"]
    url, body = {
        "check-hashes": ("/api/v1/images/check-hashes/", {"sha256": ["a" * 64]}),
        "album create": ("/api/v1/albums/", {"title": "Winter"}),
        "album add": (f"/api/v1/albums/{album.pk}/images/", {"images": [image.pk]}),
        "album remove": (
            f"/api/v1/albums/{album.pk}/images/remove/",
            {"images": [image.pk]},
        ),
        "share": (f"/api/v1/albums/{album.pk}/shares/", {"username": "bob"}),
        "restore": ("/api/v1/trash/restore/", {"all": True}),
        "purge": ("/api/v1/trash/purge/", {"all": True}),
    }[endpoint]
    if endpoint == "album remove":
        album.images.add(image)
    before = (
        list(Album.objects.values_list("pk", flat=True)),
        list(album.images.values_list("pk", flat=True)),
        AlbumShare.objects.count(),
        list(Image.objects.trashed().values_list("pk", flat=True)),
    )
    response = api_for(user).post(url, {**body, "bogus": 1}, format="json")
    refused(response)
    assert before == (
        list(Album.objects.values_list("pk", flat=True)),
        list(album.images.values_list("pk", flat=True)),
        AlbumShare.objects.count(),
        list(Image.objects.trashed().values_list("pk", flat=True)),
    )


def test_an_upload_with_a_field_too_many_stores_nothing(api_for, user, media_root):
    files = [upload("beach.jpg", noisy_jpeg(seed=3))]
    response = api_for(user).post(
        "/api/v1/images/", {"files": files, "privat": "yes"}, format="multipart"
    )
    refused(response, "privat")
    assert stored_files() == []
    assert not Image.objects.exists()


def test_numbered_files_and_a_forms_csrf_token_are_fields_it_takes(
    api_for, user, media_root
):
    # As DRF reads a form's list (files[0], files[1]), and as a browser's
    # form sends its CSRF token beside the fields.
    body = {
        "files[0]": upload("one.jpg", noisy_jpeg(seed=4)),
        "files[1]": upload("two.jpg", noisy_jpeg(seed=5)),
        "csrfmiddlewaretoken": "unused-with-a-token",
    }
    response = api_for(user).post("/api/v1/images/", body, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 2


@pytest.mark.parametrize(
    "extra",
    [{"visibility[0]": "public"}, {"files[0]": "second"}],
    ids=["a-numbered-field-that-is-no-list", "numbered-beside-the-plain-name"],
)
def test_a_numbered_name_drf_would_not_read_is_refused(
    api_for, user, media_root, extra
):
    files = [upload("one.jpg", noisy_jpeg(seed=6))]
    if "files[0]" in extra:
        extra = {"files[0]": upload("two.jpg", noisy_jpeg(seed=7))}
    response = api_for(user).post(
        "/api/v1/images/", {"files": files, **extra}, format="multipart"
    )
    refused(response, next(iter(extra)))
    assert not Image.objects.exists()

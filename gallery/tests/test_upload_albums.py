"""Uploading into an album: the service, the upload page's JSON endpoints and
its plain form. New images and duplicates land in it; an album the uploader
may not add to is ``unknown_album`` and no file is stored."""

import hashlib
import json
import uuid
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from api.tokens import token_create
from gallery.models import Album, Image
from gallery.services.albums import album_create, album_share
from gallery.services.uploads import upload_images

from .conftest import fault, stored_files
from .images import TEXT, noisy_jpeg, upload

pytestmark = pytest.mark.django_db

UPLOAD = reverse("gallery:upload-file")
CHECK = reverse("gallery:upload-check")
PAGE = reverse("gallery:upload")


@pytest.fixture
def album(user):
    return album_create(owner=user, title="Holiday")


def titles(album):
    return sorted(album.images.values_list("title", flat=True))


def test_service_puts_new_and_duplicate_images_in_the_album(user, make_image, album):
    had = make_image(user, title="had", data=noisy_jpeg(seed=1))
    outcomes = upload_images(
        owner=user,
        files=[
            upload("new.jpg", noisy_jpeg(seed=2)),
            upload("again.jpg", noisy_jpeg(seed=1)),
            upload("notes.jpg", TEXT),
        ],
        album=album,
    )
    assert [o.outcome for o in outcomes] == ["created", "duplicate", "rejected"]
    assert titles(album) == sorted(["new", had.title])


def test_service_refuses_an_album_it_may_not_add_to(user, other_user):
    theirs = album_create(owner=other_user, title="Theirs")
    album_share(theirs, user=other_user, username=user.username, role="viewer")
    with pytest.raises(ValidationError) as error:
        upload_images(
            owner=user, files=[upload("x.jpg", noisy_jpeg(seed=3))], album=theirs
        )
    assert fault(error.value) == ("album", "unknown_album")
    assert stored_files() == []


def test_a_contributor_uploads_into_a_shared_album(client_for, user, other_user):
    theirs = album_create(owner=other_user, title="Theirs")
    album_share(theirs, user=other_user, username=user.username, role="contributor")
    response = client_for(user).post(
        UPLOAD, {"file": upload("mine.jpg", noisy_jpeg(seed=4)), "album": theirs.pk}
    )
    assert response.status_code == 201
    assert titles(theirs) == ["mine"]
    assert Image.objects.get().owner == user


def test_the_album_menus_say_whose_album_and_who_sees_its_photos(
    client_for, user, other_user, album
):
    theirs = album_create(owner=other_user, title="Summer trips")
    album_share(theirs, user=other_user, username=user.username, role="contributor")
    client = client_for(user)
    page = client.get(PAGE).content.decode()
    # Each leads the uploader's summary to the album (data-url).
    assert (
        f'<option value="{theirs.pk}" data-url="{theirs.get_absolute_url()}">'
        f"Summer trips ({other_user.username}’s)"
    ) in page
    assert (
        f'<option value="{album.pk}" data-url="{album.get_absolute_url()}">'
        "Holiday</option>"
    ) in page
    assert "Everyone an album is shared with sees the photos in it, private ones" in (
        page
    )
    client.post(UPLOAD, {"file": upload("mine.jpg", noisy_jpeg(seed=9))})
    gallery = client.get(reverse("gallery:index")).content.decode()
    assert f'<option value="{theirs.pk}">Summer trips ({other_user.username}’s)' in (
        gallery
    )


def test_json_endpoint_uploads_into_the_album(client_for, user, album):
    client = client_for(user)
    data = noisy_jpeg(seed=5)
    for _ in range(2):  # the second time a duplicate: still in, once
        client.post(UPLOAD, {"file": upload("beach.jpg", data), "album": album.pk})
    assert titles(album) == ["beach"]
    blank = client.post(
        UPLOAD, {"file": upload("x.jpg", noisy_jpeg(seed=6)), "album": ""}
    )
    assert blank.status_code == 201 and titles(album) == ["beach"]


@pytest.mark.parametrize("album_id", ["nonsense", str(uuid.uuid4()), "OTHERS"])
def test_json_endpoint_refuses_an_unknown_album_and_stores_nothing(
    client_for, user, other_user, album_id
):
    if album_id == "OTHERS":
        album_id = str(album_create(owner=other_user, title="Bob's").pk)
    response = client_for(user).post(
        UPLOAD, {"file": upload("x.jpg", noisy_jpeg(seed=7)), "album": album_id}
    )
    assert response.status_code == 400
    # The input at fault named as the API names it.
    assert (response.json()["code"], response.json()["field"]) == (
        "unknown_album",
        "album",
    )
    assert not Image.objects.exists() and stored_files() == []


def test_hash_check_puts_what_the_uploader_has_in_the_album(
    client_for, user, make_image, album
):
    data = noisy_jpeg(seed=8)
    had = make_image(user, data=data)
    digests = [hashlib.sha256(data).hexdigest(), "0" * 64]
    client = client_for(user)
    body = json.dumps({"sha256": digests, "album": str(album.pk)})
    response = client.post(CHECK, body, content_type="application/json")
    assert response.json()["missing"] == ["0" * 64]
    assert list(album.images.all()) == [had]
    body = json.dumps({"sha256": digests, "album": str(uuid.uuid4())})
    response = client.post(CHECK, body, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "unknown_album")


def test_plain_form_uploads_into_the_album(client_for, user, album):
    response = client_for(user).post(
        PAGE,
        {
            "images": [upload("a.jpg", noisy_jpeg(seed=9))],
            "title": "",
            "description": "",
            "visibility": "public",
            "album": str(album.pk),
        },
    )
    assert response.status_code == 200
    assert titles(album) == ["a"]


def test_plain_form_says_an_album_is_unknown_and_stores_nothing(client_for, user):
    response = client_for(user).post(
        PAGE,
        {
            "images": [upload("a.jpg", noisy_jpeg(seed=10))],
            "title": "",
            "description": "",
            "visibility": "public",
            "album": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 200
    assert "There is no such album" in response.content.decode()
    assert not Image.objects.exists() and stored_files() == []


def new_album(title):
    return {"album": "new", "album_title": title}


def test_json_endpoint_puts_a_batch_in_a_new_album_made_once(client_for, user):
    client = client_for(user)
    for seed in (11, 12):  # every file of the batch names the new album
        response = client.post(
            UPLOAD,
            {"file": upload(f"p{seed}.jpg", noisy_jpeg(seed=seed))}
            | new_album("  Summer   2024 "),
        )
        assert response.status_code == 201
    album = Album.objects.get(owner=user)
    assert album.title == "Summer 2024"
    assert titles(album) == ["p11", "p12"]


def test_a_new_album_is_made_only_once_something_goes_in_it(client_for, user):
    client = client_for(user)
    refused = client.post(
        UPLOAD, {"file": upload("notes.jpg", b"not a picture")} | new_album("Trip")
    )
    assert refused.json()["outcome"] == "rejected"
    unknown = json.dumps({"sha256": ["0" * 64]} | new_album("Trip"))
    client.post(CHECK, unknown, content_type="application/json")
    # A rejected upload leaves no row behind, an empty album included.
    assert not Album.objects.exists()


@pytest.mark.parametrize("title", ["a\x00b", "\ud800x"])
def test_a_new_album_title_no_database_stores_is_refused_before_any_file(
    client_for, user, title
):
    client = client_for(user)
    body = json.dumps({"sha256": ["0" * 64]} | new_album(title))
    response = client.post(CHECK, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "album_title_invalid"
    if "\x00" in title:  # a form body cannot carry half a UTF-16 pair
        response = client.post(
            UPLOAD, {"file": upload("x.jpg", noisy_jpeg(seed=16))} | new_album(title)
        )
        assert response.status_code == 400
        assert response.json()["code"] == "album_title_invalid"
    assert not Album.objects.exists() and not Image.objects.exists()
    assert stored_files() == []


def test_a_new_album_named_like_one_you_have_is_that_one(client_for, user, album):
    client_for(user).post(
        UPLOAD, {"file": upload("x.jpg", noisy_jpeg(seed=13))} | new_album("Holiday")
    )
    assert Album.objects.filter(owner=user).count() == 1
    assert titles(album) == ["x"]


@pytest.mark.parametrize(
    ("title", "code", "message"),
    [
        ("", "album_title_required", "An album needs a title."),
        ("   ", "album_title_required", "An album needs a title."),
        ("x" * 201, "max_length", "An album title is at most 200 characters."),
    ],
)
def test_a_new_album_without_a_title_stores_nothing(
    client_for, user, title, code, message
):
    client = client_for(user)
    response = client.post(
        UPLOAD, {"file": upload("x.jpg", noisy_jpeg(seed=14))} | new_album(title)
    )
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["field"] == "album_title"
    assert response.json()["message"] == message
    body = json.dumps({"sha256": ["0" * 64]} | new_album(title))
    response = client.post(CHECK, body, content_type="application/json")
    assert response.json()["code"] == code
    assert not Album.objects.exists() and not Image.objects.exists()
    assert stored_files() == []


def test_hash_check_puts_what_the_uploader_has_in_a_new_album(
    client_for, user, make_image
):
    data = noisy_jpeg(seed=15)
    had = make_image(user, data=data)
    body = json.dumps(
        {"sha256": [hashlib.sha256(data).hexdigest()]} | new_album("Found again")
    )
    client_for(user).post(CHECK, body, content_type="application/json")
    assert list(Album.objects.get(title="Found again").images.all()) == [had]


def test_plain_form_puts_the_images_in_a_new_album_or_says_why_not(client_for, user):
    client = client_for(user)
    fields = {"title": "", "description": "", "visibility": "private"}
    refused = client.post(
        PAGE,
        {"images": [upload("a.jpg", noisy_jpeg(seed=16))], **fields} | new_album(""),
    )
    assert "An album needs a title." in refused.content.decode()
    assert not Image.objects.exists()
    page = client.post(
        PAGE,
        {"images": [upload("a.jpg", noisy_jpeg(seed=16))], **fields}
        | new_album("Garden"),
    )
    assert page.status_code == 200
    assert titles(Album.objects.get(title="Garden")) == ["a"]


def test_an_album_shared_no_more_between_its_lookup_and_the_upload_is_refused(
    client_for, user, album
):
    """The album was open when the request named it and is not by the time
    the files are stored (its owner stopped sharing it meanwhile): every way
    in answers the service's refusal, not a 500, and stores nothing."""
    body = {"album": str(album.pk)}
    with mock.patch("gallery.services.uploads.can_add_to", return_value=False):
        page = client_for(user)
        sent = page.post(UPLOAD, {"file": upload("a.jpg", noisy_jpeg(seed=60)), **body})
        checked = page.post(
            CHECK, json.dumps({"sha256": ["0" * 64], **body}), "application/json"
        )
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)[1]}")
        posted = api.post(
            "/api/v1/images/",
            {"files": [upload("b.jpg", noisy_jpeg(seed=61))], **body},
            format="multipart",
        )
        hashes = api.post(
            "/api/v1/images/check-hashes/",
            {"sha256": ["0" * 64], **body},
            format="json",
        )
        form = page.post(
            reverse("gallery:upload"),
            {
                "images": [upload("c.jpg", noisy_jpeg(seed=62))],
                "visibility": "private",
                **body,
            },
        )
    for response in (sent, checked, posted, hashes):
        assert response.status_code == 400, response.content
        assert (response.json()["code"], response.json()["field"]) == (
            "unknown_album",
            "album",
        )
    assert "There is no such album that you may add photos to." in form.content.decode()
    assert not Image.objects.exists() and stored_files() == []

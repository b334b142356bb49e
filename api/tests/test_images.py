"""Uploading, listing, changing and deleting images through the API."""

import hashlib
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from gallery.metadata import TakenSource
from gallery.models import Image
from gallery.selectors import upload_visibility_for
from gallery.services.uploads import upload_image
from gallery.tests.conftest import stored_files
from gallery.tests.images import (
    SVG,
    TEXT,
    image_bytes,
    noisy_jpeg,
    png_with_size,
    truncated_jpeg,
    upload,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/images/"


def post_files(client, *files, **fields):
    return client.post(URL, {"files": list(files), **fields}, format="multipart")


def test_upload_one_file(api_for, user, media_root):
    response = post_files(
        api_for(user),
        upload("beach.jpg", noisy_jpeg(seed=1)),
        title="Beach at dawn",
        description="Low tide",
        visibility="private",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["created"], body["duplicate"], body["rejected"]) == (1, 0, 0)
    item = body["results"][0]
    assert (item["name"], item["outcome"], item["code"]) == (
        "beach.jpg",
        "created",
        "created",
    )
    image = Image.objects.get(pk=item["image"]["id"])
    assert (image.owner, image.title, image.visibility) == (
        user,
        "Beach at dawn",
        "private",
    )
    assert item["image"]["description"] == "Low tide"
    assert len(stored_files()) == 3


def test_an_upload_is_private_unless_asked_public(api_for, user):
    client = api_for(user)
    response = post_files(client, upload("a.jpg", noisy_jpeg(seed=1)))
    assert response.json()["results"][0]["image"]["visibility"] == "private"
    response = post_files(
        client, upload("b.jpg", noisy_jpeg(seed=2)), visibility="public"
    )
    assert response.json()["results"][0]["image"]["visibility"] == "public"
    assert dict(Image.objects.values_list("title", "visibility")) == {
        "a": "private",
        "b": "public",
    }
    # The API never changes what the upload page offers.
    assert upload_visibility_for(viewer=user) == "private"


def test_the_schema_says_uploads_are_private_unless_public(client):
    schema = client.get("/api/schema/?format=json").json()
    upload = schema["components"]["schemas"]["ImageUploadRequest"]["properties"]
    assert upload["visibility"]["default"] == "private"
    assert "private unless `visibility=public`" in upload["visibility"]["description"]


def test_upload_several_files_each_gets_its_outcome(
    api_for, user, make_image, media_root
):
    existing = make_image(user, data=noisy_jpeg(seed=7))
    response = post_files(
        api_for(user),
        upload("new.png", image_bytes("PNG", (40, 30))),
        upload("again.jpg", noisy_jpeg(seed=7)),
        upload("notes.jpg", TEXT),
        upload("cut.jpg", truncated_jpeg()),
        title="Holiday",
    )
    assert response.status_code == 201
    body = response.json()
    outcomes = [(r["name"], r["outcome"]) for r in body["results"]]
    assert outcomes == [
        ("new.png", "created"),
        ("again.jpg", "duplicate"),
        ("notes.jpg", "rejected"),
        ("cut.jpg", "rejected"),
    ]
    assert body["results"][1]["image"]["id"] == str(existing.pk)
    assert body["results"][2]["code"] == "not_an_image"
    assert body["results"][3]["code"] == "corrupt_image"
    assert body["results"][3]["image"] is None
    # Every file takes the title sent; the duplicate keeps the one it had.
    assert Image.objects.get(pk=body["results"][0]["image"]["id"]).title == "Holiday"
    assert Image.objects.get(pk=existing.pk).title == existing.title
    assert Image.objects.count() == 2
    assert len(stored_files()) == 6


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (TEXT, "not_an_image"),
        (SVG, "unsupported_format"),
        (truncated_jpeg(), "corrupt_image"),
        (png_with_size(40_000, 40_000), "too_many_pixels"),
    ],
)
def test_a_rejected_file_is_a_json_error_and_leaves_nothing(
    data, code, api_for, user, media_root
):
    response = post_files(api_for(user), upload("x.jpg", data))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert body["message"]
    assert body["results"][0]["code"] == code
    assert Image.objects.count() == 0
    assert stored_files() == []


def test_file_over_the_byte_limit(api_for, user, settings, media_root):
    settings.IMAGEREPO_MAX_UPLOAD_BYTES = 1000
    response = post_files(api_for(user), upload("big.jpg", noisy_jpeg(seed=3)))
    assert response.json()["code"] == "file_too_large"
    assert stored_files() == []


def test_too_many_files(api_for, user, settings):
    settings.IMAGEREPO_MAX_FILES_PER_REQUEST = 2
    files = [upload(f"{i}.jpg", noisy_jpeg((8, 8), seed=i)) for i in range(3)]
    response = post_files(api_for(user), *files)
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_files"
    assert Image.objects.count() == 0


def test_more_files_than_django_parses_is_a_json_error(api_for, user, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = [upload(f"{i}.jpg", noisy_jpeg((8, 8), seed=i)) for i in range(3)]
    response = post_files(api_for(user), *files)
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_files"


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({}, "required", "files"),
        ({"files": [], "visibility": "public"}, "required", "files"),
        # The upload page's word for it.
        ({"visibility": "secret"}, "invalid_visibility", "visibility"),
        ({"title": "t" * 201}, "max_length", "title"),
    ],
)
def test_bad_upload_fields(fields, code, field, api_for, user):
    if "files" not in fields and code != "required":
        fields["files"] = [upload("a.jpg", noisy_jpeg((8, 8)))]
    response = api_for(user).post(URL, fields, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["field"] == field
    assert Image.objects.count() == 0


def test_anonymous_cannot_upload(api_for, media_root):
    response = post_files(api_for(None), upload("a.jpg", noisy_jpeg((8, 8))))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert stored_files() == []


def test_patch_changes_only_what_is_sent(api_for, make_image, user):
    image = make_image(user, title="Old", description="Keep me")
    response = api_for(user).patch(
        f"{URL}{image.pk}/", {"visibility": "private"}, format="json"
    )
    assert response.status_code == 200
    image.refresh_from_db()
    assert (image.title, image.description, image.visibility) == (
        "Old",
        "Keep me",
        "private",
    )


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"title": ""}, "blank"),
        ({"title": 123}, "invalid"),
        ({"title": None}, "null"),
        ({"description": ["a"]}, "invalid"),
        ({"title": "x" * 201}, "max_length"),
        ({"visibility": "hidden"}, "invalid_visibility"),
    ],
)
def test_patch_rejects_bad_values(change, code, api_for, make_image, user):
    image = make_image(user, title="Old", visibility="public")
    response = api_for(user).patch(f"{URL}{image.pk}/", change, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code
    image.refresh_from_db()
    assert (image.title, image.visibility) == ("Old", "public")


@pytest.mark.parametrize(
    ("change", "hint"),
    [
        ({"taken_offset": 120}, "within taken_at"),
        ({"title": "New", "descripton": "typo"}, "title, description, visibility"),
        ({"width": 10}, "taken_at."),
    ],
)
def test_patch_refuses_fields_it_does_not_take(change, hint, api_for, make_image, user):
    image = make_image(user, title="Old")
    before = (image.title, image.width, image.taken_at, image.taken_offset)
    response = api_for(user).patch(f"{URL}{image.pk}/", change, format="json")
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == ("unknown_field", list(change)[-1])
    assert hint in body["message"]
    image.refresh_from_db()
    assert (image.title, image.width, image.taken_at, image.taken_offset) == before


def test_put_is_not_offered(api_for, make_image, user):
    image = make_image(user)
    response = api_for(user).put(f"{URL}{image.pk}/", {"title": "x"}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_delete_moves_the_image_to_the_trash(
    api_for, make_image, user, media_root, django_capture_on_commit_callbacks
):
    image = make_image(user)
    files = stored_files()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(user).delete(f"{URL}{image.pk}/")
    assert response.status_code == 204
    assert list(Image.objects.trash_of(user)) == [image]
    assert stored_files() == files
    assert api_for(user).get(f"{URL}{image.pk}/").status_code == 404


def test_unknown_and_malformed_ids_are_not_found(api_for, user):
    client = api_for(user)
    assert client.get(f"{URL}00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get(f"{URL}not-a-uuid/").status_code == 404


# ---------------------------------------------------------------- check-hashes


def sha(data):
    return hashlib.sha256(data).hexdigest()


def test_check_hashes_says_which_the_user_has(api_for, make_image, user, other_user):
    mine = make_image(user, data=noisy_jpeg(seed=1))
    make_image(other_user, data=noisy_jpeg(seed=2))
    wanted = [sha(noisy_jpeg(seed=s)) for s in (1, 2, 3)]
    response = api_for(user).post(
        f"{URL}check-hashes/", {"sha256": [wanted[0].upper(), *wanted[1:]]}, "json"
    )
    assert response.status_code == 200
    body = response.json()
    [known] = body["existing"]
    assert (known["sha256"], known["outcome"], known["code"]) == (
        wanted[0],
        "duplicate",
        "duplicate",
    )
    assert known["image"]["id"] == str(mine.pk)
    # Someone else's copy does not count: this user still has to upload it.
    assert body["missing"] == wanted[1:]


def check_again(client, data, visibility):
    body = {"sha256": [sha(data)], "visibility": visibility}
    response = client.post(f"{URL}check-hashes/", body, format="json")
    assert response.status_code == 200
    return response.json()["existing"][0]


def send_again(client, data, visibility):
    response = post_files(client, upload("again.jpg", data), visibility=visibility)
    assert response.status_code == 200
    return response.json()["results"][0]


@pytest.mark.parametrize("again", [check_again, send_again])
@pytest.mark.parametrize(
    ("had", "asked", "code", "now"),
    [
        ("public", "private", "duplicate_now_private", "private"),
        ("private", "public", "duplicate_kept_private", "private"),
        ("public", "public", "duplicate", "public"),
    ],
)
def test_duplicates_never_make_an_image_more_visible(
    api_for, make_image, user, again, had, asked, code, now
):
    data = noisy_jpeg(seed=4)
    image = make_image(user, data=data, visibility=had)
    outcome = again(api_for(user), data, asked)
    assert (outcome["outcome"], outcome["code"]) == ("duplicate", code)
    assert outcome["image"]["visibility"] == now
    image.refresh_from_db()
    assert image.visibility == now


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"sha256": ["abc"]}, "invalid_hash"),
        ({"sha256": ["z" * 64]}, "invalid_hash"),
        ({"sha256": []}, "empty"),
        ({}, "required"),
        ({"sha256": [c * 64 for c in "abcd"]}, "too_many_hashes"),
    ],
)
def test_check_hashes_bad_input(payload, code, api_for, user, settings):
    settings.IMAGEREPO_MAX_HASHES_PER_CHECK = 3
    response = api_for(user).post(f"{URL}check-hashes/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_check_hashes_needs_a_token(api_for):
    response = api_for(None).post(
        f"{URL}check-hashes/", {"sha256": ["a" * 64]}, format="json"
    )
    assert response.status_code == 401


def test_malformed_json_is_a_json_error(api_for, client_for, user):
    response = api_for(user).post(
        f"{URL}check-hashes/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"
    # The upload page's hash check says it in the same words.
    page = client_for(user).post(
        reverse("gallery:upload-check"), "{not json", content_type="application/json"
    )
    assert page.json()["code"] == response.json()["code"]
    assert page.json()["message"] == response.json()["message"]


DEEP_JSON = "[" * 2000 + "]" * 2000


@pytest.mark.parametrize(
    ("method", "path"), [("post", "check-hashes/"), ("patch", "{pk}/")]
)
def test_deeply_nested_json_is_a_400_not_a_500(api_for, user, make_image, method, path):
    url = URL + path.format(pk=make_image(user).pk)
    client = api_for(user)
    response = getattr(client, method)(url, DEEP_JSON, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"


def test_hourly_upload_limit_is_shared_with_the_site(
    api_for, client_for, user, settings
):
    settings.IMAGEREPO_UPLOADS_PER_HOUR = 3
    files = [upload(f"{i}.jpg", noisy_jpeg((8, 8), seed=i)) for i in range(2)]
    assert post_files(api_for(user), *files).json()["created"] == 2
    # One more through the upload page uses up the hour...
    client_for(user).post(
        "/upload/",
        {
            "images": [upload("p.jpg", noisy_jpeg((8, 8), seed=9))],
            "visibility": "public",
        },
    )
    assert Image.objects.count() == 3
    # ...so the API refuses the next file, saying when to come back.
    response = post_files(api_for(user), upload("x.jpg", noisy_jpeg((8, 8), seed=5)))
    assert response.status_code == 429
    assert response.json()["code"] == "upload_rate_limited"
    assert 0 < int(response["Retry-After"]) <= 3601
    assert Image.objects.count() == 3


def test_files_past_the_limit_in_a_batch_are_refused_one_by_one(
    api_for, user, settings
):
    settings.IMAGEREPO_UPLOADS_PER_HOUR = 2
    files = [upload(f"{i}.jpg", noisy_jpeg((8, 8), seed=i)) for i in range(3)]
    body = post_files(api_for(user), *files).json()
    assert [r["outcome"] for r in body["results"]] == ["created", "created", "rejected"]
    assert body["results"][2]["code"] == "upload_rate_limited"


@pytest.mark.parametrize("accept", ["image/png", "text/html", "garbage;;"])
def test_any_accept_header_gets_json(accept, api_for, user):
    response = api_for(user).get(URL, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    missing = api_for(user).get(f"{URL}{'0' * 32}/thumbnail/", HTTP_ACCEPT=accept)
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


# ---------------------------------------------------------------- CSRF


def session_client(user):
    """A browser signed in to the site: the API takes its session cookie too,
    so another site's page could make it send writes (cross-site forgery)."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(reverse("gallery:upload"))  # the page sets the CSRF cookie
    return client, {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


FORGED = {
    "upload": lambda client, image, **h: client.post(
        URL,
        {"files": [upload("forged.jpg", noisy_jpeg(seed=77))], "title": "Forged"},
        format="multipart",
        **h,
    ),
    "patch": lambda client, image, **h: client.patch(
        f"{URL}{image.pk}/", {"title": "Forged"}, format="json", **h
    ),
    "delete": lambda client, image, **h: client.delete(f"{URL}{image.pk}/", **h),
}


@pytest.mark.parametrize("call", FORGED)
def test_csrf_forgery_with_a_session_cookie_writes_nothing(
    user, make_image, media_root, django_capture_on_commit_callbacks, call
):
    image = make_image(user, title="Untouched")
    files = stored_files()
    client, token = session_client(user)

    with django_capture_on_commit_callbacks(execute=True):
        forged = FORGED[call](client, image)
    assert forged.status_code == 403
    assert "CSRF" in forged.json()["message"]
    assert list(Image.objects.values_list("title", flat=True)) == ["Untouched"]
    assert stored_files() == files

    # The same session with the page's CSRF token does write: it was the
    # missing token that stopped the forgery, not a lack of rights.
    with django_capture_on_commit_callbacks(execute=True):
        genuine = FORGED[call](client, image, **token)
    assert genuine.status_code in (200, 201, 204), genuine.content
    untouched = Image.objects.live().values_list("title", flat=True)
    assert list(untouched) != ["Untouched"]


# ---------------------------------------------------------------- date taken


@pytest.fixture
def scan(user):
    """An old print, scanned: no date of its own, so dated by its upload."""
    return upload_image(
        owner=user, file=upload("scan.jpg", noisy_jpeg(seed=11)), visibility="public"
    ).image


def patch(api, image, data):
    return api.patch(f"/api/v1/images/{image.pk}/", data, format="json")


@pytest.mark.parametrize(
    ("sent", "utc", "offset"),
    [
        ("1987-08-14T09:15:00+02:00", "1987-08-14T07:15:00Z", 120),
        ("1987-08-14T09:15:00-05:30", "1987-08-14T14:45:00Z", -330),
        ("1987-08-14T09:15:00Z", "1987-08-14T09:15:00Z", 0),
        ("1987-08-14T09:15", "1987-08-14T09:15:00Z", None),
    ],
    ids=["east", "west", "utc", "wall-clock"],
)
def test_the_api_sets_the_date_taken_in_its_own_zone(
    api_for, client_for, user, scan, sent, utc, offset
):
    response = patch(api_for(user), scan, {"taken_at": sent})
    assert response.status_code == 200, response.json()
    body = response.json()
    # The moment, in UTC, and the photo's own zone beside it.
    assert (body["taken_at"], body["taken_offset"]) == (utc, offset)
    assert body["taken_is_guess"] is False
    scan.refresh_from_db()
    # Kept, shown and filed by the wall clock as written, in whatever zone.
    assert scan.taken_at == datetime(1987, 8, 14, 9, 15, tzinfo=UTC)
    page = client_for(user).get(scan.get_absolute_url()).content.decode()
    assert '<time datetime="1987-08-14T09:15:00">' in page


@pytest.mark.parametrize(
    ("sent", "code"),
    [
        ("1788-01-01T10:00:00", "taken_out_of_range"),
        ("2999-01-01T10:00:00Z", "taken_out_of_range"),
        ("9999-12-31T23:00:00-05:00", "taken_out_of_range"),
        ("1987-08-14T09:15:00+23:59", "taken_zone_invalid"),  # no such zone
        ("1987-08-14T09:15:00+02:00:30", "taken_zone_invalid"),
        ("1825-12-31T23:30:00-01:00", "taken_out_of_range"),  # 1826 in UTC
        ("last summer", "invalid"),
        ("2019-02-30T10:00:00", "invalid"),
        (1987, "invalid"),
        (None, "null"),
    ],
)
def test_the_api_refuses_a_date_no_photo_has(api_for, user, scan, sent, code):
    response = patch(api_for(user), scan, {"title": "Renamed", "taken_at": sent})
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["field"] == "taken_at"
    scan.refresh_from_db()
    assert (scan.title, scan.taken_source) == ("scan", TakenSource.UPLOAD)


def test_a_date_from_1826_is_taken_in_its_own_zone(api_for, user, scan):
    # The first minutes of 1826 where it was taken, 1825 in UTC: a photo's
    # date is its own clock's.
    response = patch(api_for(user), scan, {"taken_at": "1826-01-01T00:30:00+01:00"})
    assert response.status_code == 200, response.json()
    scan.refresh_from_db()
    assert scan.taken_local == datetime(1826, 1, 1, 0, 30)


def test_a_zone_no_clock_has_is_named_as_the_trouble(api_for, user, scan):
    response = patch(api_for(user), scan, {"taken_at": "1987-08-14T09:15:00+14:30"})
    assert response.json()["code"] == "taken_zone_invalid"
    assert response.json()["message"].endswith(
        "No time zone is that far from UTC: give one from −14:00 to +14:00."
    )


def test_the_schema_says_how_a_date_taken_is_written(client):
    schema = client.get("/api/schema/?format=json").json()
    patch_body = schema["components"]["schemas"]["PatchedImageUpdateRequest"]
    taken_at = patch_body["properties"]["taken_at"]
    assert taken_at["format"] == "date-time"
    assert "`taken_out_of_range`" in taken_at["description"]

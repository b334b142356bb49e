"""The JSON endpoints behind the browser uploader (gallery.views.uploads)."""

import hashlib
import json

import pytest
from django.test import Client
from django.urls import reverse

from gallery.models import Image

from .conftest import stored_files
from .images import SVG, TEXT, noisy_jpeg, png_with_size, truncated_jpeg, upload

pytestmark = pytest.mark.django_db

UPLOAD = reverse("gallery:upload-file")
CHECK = reverse("gallery:upload-check")


def send(client, data, headers=None, **fields):
    data = {"file": upload("photo.jpg", data), **fields}
    return client.post(UPLOAD, data, headers=headers)


def check(client, hashes, data=None, **extra):
    body = json.dumps({"sha256": hashes, **(data or {})})
    return client.post(CHECK, body, content_type="application/json", **extra)


def test_the_same_bytes_asked_private_make_the_image_private(client_for, user):
    data = noisy_jpeg(seed=11)
    send(client_for(user), data, visibility="public")
    response = send(client_for(user), data, visibility="private")
    assert response.status_code == 200
    body = response.json()
    assert (body["outcome"], body["code"]) == ("duplicate", "duplicate_now_private")
    assert body["image"]["visibility"] == "private"
    assert Image.objects.get().visibility == "private"


def test_added_file_answers_201_with_the_image(client_for, user):
    response = send(
        client_for(user),
        noisy_jpeg(),
        title="Harbour",
        description="At dawn",
        visibility="private",
    )
    assert response.status_code == 201
    body = response.json()
    image = Image.objects.get()
    assert body["outcome"] == "created"
    assert body["image"]["id"] == str(image.pk)
    assert body["image"]["page_url"] == image.get_absolute_url()
    assert body["image"]["thumbnail_url"] == image.thumbnail_url
    assert (image.owner, image.title, image.description, image.visibility) == (
        user,
        "Harbour",
        "At dawn",
        "private",
    )


def many_files(count):
    return [upload(f"{n}.jpg", noisy_jpeg((8, 8), seed=n)) for n in range(count)]


@pytest.mark.parametrize(
    ("limit", "body", "content_type", "status", "code"),
    [
        (
            {"DATA_UPLOAD_MAX_NUMBER_FILES": 2},
            {"file": many_files(3)},
            None,
            400,
            "too_many_files",
        ),
        (
            {"DATA_UPLOAD_MAX_NUMBER_FIELDS": 3},
            {f"field{n}": "x" for n in range(5)},
            None,
            413,
            "request_too_large",
        ),
        ({}, b"--x\r\n", "multipart/form-data", 400, "parse_error"),
    ],
    ids=["too many files", "too many fields", "no multipart boundary"],
)
def test_bodies_django_cannot_parse_get_a_json_answer_not_an_html_page(
    client_for, user, settings, limit, body, content_type, status, code
):
    for name, value in limit.items():
        setattr(settings, name, value)
    extra = {"content_type": content_type} if content_type else {}
    response = client_for(user).post(UPLOAD, body, **extra)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == code
    assert not Image.objects.exists()


def test_blank_fields_take_the_file_name_and_private(client_for, user):
    response = send(client_for(user), noisy_jpeg(), title="", visibility="")
    assert response.status_code == 201
    image = Image.objects.get()
    assert (image.title, image.visibility) == ("photo", "private")


def test_same_bytes_again_is_a_duplicate_of_the_first(client_for, user):
    client = client_for(user)
    first = send(client, noisy_jpeg(seed=5)).json()
    response = send(client, noisy_jpeg(seed=5))
    assert response.status_code == 200
    assert response.json()["outcome"] == "duplicate"
    assert response.json()["image"]["id"] == first["image"]["id"]
    assert Image.objects.count() == 1


@pytest.mark.parametrize(
    "data, status, code",
    [
        (TEXT, 422, "not_an_image"),
        (truncated_jpeg(), 422, "corrupt_image"),
        (b"", 422, "empty"),
        (SVG, 422, "unsupported_format"),
        (png_with_size(50_000, 50_000), 422, "too_many_pixels"),
    ],
)
def test_bad_files_are_rejected_with_a_code_and_leave_nothing(
    client_for, user, media_root, data, status, code
):
    response = send(client_for(user), data)
    assert response.status_code == status
    body = response.json()
    assert (body["outcome"], body["code"]) == ("rejected", code)
    assert body["message"]
    assert not Image.objects.exists()
    assert stored_files() == []


def test_file_over_the_limit_is_413(client_for, user, settings):
    settings.IMAGEREPO_MAX_UPLOAD_BYTES = 1000
    response = send(client_for(user), noisy_jpeg())
    assert response.status_code == 413
    assert response.json()["code"] in ("file_too_large", "request_too_large")
    assert not Image.objects.exists()


def test_body_over_the_limit_is_refused_before_it_is_read(client_for, user, settings):
    settings.IMAGEREPO_MAX_UPLOAD_BYTES = 1000
    response = client_for(user).generic(
        "POST", UPLOAD, b"x" * 100_000, content_type="application/octet-stream"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


@pytest.mark.parametrize(
    "fields, code",
    [
        ({}, "required"),
        ({"file": "not a file"}, "required"),
        # The services' and the API's word for it.
        ({"file": "x", "visibility": "friends"}, "invalid_visibility"),
        ({"file": "x", "title": "t" * 201}, "max_length"),
    ],
)
def test_bad_form_data_is_a_400_naming_the_field(client_for, user, fields, code):
    if fields.get("file") == "x":
        fields["file"] = upload("a.jpg", noisy_jpeg())
    response = client_for(user).post(UPLOAD, fields)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not Image.objects.exists()


def test_not_multipart_is_a_400_not_a_500(client_for, user):
    response = client_for(user).post(UPLOAD, "{}", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("url", [UPLOAD, CHECK])
def test_signed_out_gets_401_json(client, url):
    response = client.post(url, {})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("url", [UPLOAD, CHECK])
def test_get_is_not_allowed(client_for, user, url):
    assert client_for(user).get(url).status_code == 405


def test_csrf_token_is_required(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert send(client, noisy_jpeg()).status_code == 403
    assert check(client, []).status_code == 403
    assert not Image.objects.exists()


def test_csrf_token_in_the_header_is_accepted(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(reverse("gallery:upload"))
    token = client.cookies["csrftoken"].value
    response = send(client, noisy_jpeg(), headers={"X-CSRFToken": token})
    assert response.status_code == 201
    assert check(client, [], headers={"X-CSRFToken": token}).status_code == 400


# ---------------------------------------------------------------- check hashes


def test_check_names_only_the_callers_own_hashes(
    client_for, user, other_user, make_image
):
    mine = make_image(user, title="Mine")
    theirs = make_image(other_user)
    unknown = hashlib.sha256(b"never uploaded").hexdigest()
    response = check(client_for(user), [mine.sha256.upper(), theirs.sha256, unknown])
    assert response.status_code == 200
    [known] = response.json()["existing"]
    assert (known["sha256"], known["outcome"], known["code"]) == (
        mine.sha256,
        "duplicate",
        "duplicate",
    )
    assert known["message"] == "You already have this photo."
    assert known["image"]["page_url"] == mine.get_absolute_url()
    assert known["image"]["title"] == "Mine"
    assert response.json()["missing"] == [theirs.sha256, unknown]


def test_check_asked_private_makes_a_public_copy_private(client_for, user, make_image):
    mine = make_image(user, visibility="public")
    response = check(client_for(user), [mine.sha256], data={"visibility": "private"})
    [known] = response.json()["existing"]
    assert (known["code"], known["image"]["visibility"]) == (
        "duplicate_now_private",
        "private",
    )
    mine.refresh_from_db()
    assert mine.visibility == "private"


@pytest.mark.parametrize(
    "body, status, code",
    [
        ("not json", 400, "invalid_json"),
        ("[]", 400, "required"),
        ('{"sha256": "abc"}', 400, "invalid"),
        ('{"sha256": [1, 2]}', 400, "invalid"),
        ('{"sha256": ["abc"]}', 400, "invalid_hash"),
        ('{"sha256": ["' + "g" * 64 + '"]}', 400, "invalid_hash"),
        ('{"sha256": []}', 400, "empty"),
        (
            '{"sha256": ["' + "a" * 64 + '"], "visibility": "secret"}',
            400,
            "invalid_visibility",
        ),
    ],
)
def test_check_refuses_bad_bodies(client_for, user, body, status, code):
    response = client_for(user).post(CHECK, body, content_type="application/json")
    assert response.status_code == status
    assert response.json()["code"] == code


def test_check_answers_deeply_nested_json_with_a_400_not_a_500(client_for, user):
    body = "[" * 2000 + "]" * 2000
    response = client_for(user).post(CHECK, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"


def test_check_refuses_too_many_hashes(client_for, user, settings):
    settings.IMAGEREPO_MAX_HASHES_PER_CHECK = 3
    hashes = [hashlib.sha256(bytes([i])).hexdigest() for i in range(4)]
    response = check(client_for(user), hashes)
    assert response.status_code in (400, 413)
    assert response.json()["code"] in ("too_many_hashes", "request_too_large")
    response = check(client_for(user), hashes[:3])
    assert response.status_code == 200


def test_check_refuses_an_oversized_body_unread(client_for, user, settings):
    settings.IMAGEREPO_MAX_HASHES_PER_CHECK = 2
    response = client_for(user).post(
        CHECK, "[" + " " * 10_000 + "]", content_type="application/json"
    )
    assert response.status_code == 413


def test_check_wants_json(client_for, user):
    response = client_for(user).post(CHECK, {"sha256": "x"})
    assert response.status_code == 415


def test_past_the_hourly_limit_is_429_and_stores_nothing(client_for, user, settings):
    settings.IMAGEREPO_UPLOADS_PER_HOUR = 1
    client = client_for(user)
    assert send(client, noisy_jpeg(seed=1)).status_code == 201
    response = send(client, noisy_jpeg(seed=2))
    assert response.status_code == 429
    assert response.json()["code"] == "upload_rate_limited"
    assert Image.objects.count() == 1

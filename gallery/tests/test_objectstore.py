"""Private means private in the bucket too: objects are only reachable through
the permission-checked views or a valid, unexpired presigned URL.

These run against a real S3 server (``make test-scale``); elsewhere they skip.
"""

import datetime
import re
import urllib.error
import urllib.request
from io import StringIO
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import botocore.auth
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command

from gallery import objectstore
from gallery.models import Image

from .conftest import stored_bytes

pytestmark = [pytest.mark.s3, pytest.mark.django_db]
KINDS = ["original", "display", "thumbnail"]


def fetch(url):
    """GET ``url`` with no credentials at all, as a stranger's browser would."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def unsigned_url(field_file):
    key = objectstore.object_key(field_file.storage, field_file.name)
    return f"{settings.S3_ENDPOINT_URL}/{settings.S3_BUCKET}/{key}"


def with_query(url, **changes):
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


@pytest.fixture
def private_image(make_image, user):
    return make_image(user, visibility="private")


@pytest.mark.parametrize("kind", KINDS)
def test_an_unsigned_get_of_a_private_object_is_refused(private_image, kind):
    field = getattr(private_image, kind)
    url = unsigned_url(field)
    # The very object a presigned URL opens: the refusal is not a wrong key.
    signed = objectstore.presigned_url(field)
    assert urlsplit(signed).path == urlsplit(url).path
    assert fetch(signed)[0] == 200
    status, body, _ = fetch(url)
    assert status == 403
    assert body != stored_bytes(field.name)


@pytest.mark.parametrize("kind", KINDS)
def test_public_images_objects_are_not_public_in_the_bucket(make_image, user, kind):
    # Visibility is enforced by the app; the bucket never serves anonymously.
    image = make_image(user, visibility="public")
    assert fetch(unsigned_url(getattr(image, kind)))[0] == 403


def test_a_valid_presigned_url_serves_the_exact_bytes(private_image):
    field = private_image.original
    status, body, _ = fetch(objectstore.presigned_url(field))
    assert status == 200
    assert body == stored_bytes(field.name)


def test_a_forged_signature_is_refused(private_image):
    url = objectstore.presigned_url(private_image.original)
    signature = dict(parse_qsl(urlsplit(url).query))["X-Amz-Signature"]
    forged = signature[:-4] + ("0000" if signature[-4:] != "0000" else "1111")
    assert fetch(with_query(url, **{"X-Amz-Signature": forged}))[0] == 403


def test_a_signature_for_one_object_does_not_open_another(private_image, make_image):
    other = make_image(private_image.owner, visibility="private")
    url = objectstore.presigned_url(private_image.original)
    own_key = objectstore.object_key(default_storage, private_image.original.name)
    other_key = objectstore.object_key(default_storage, other.original.name)
    assert fetch(url.replace(own_key, other_key))[0] == 403


def test_a_longer_expiry_cannot_be_written_into_the_url(private_image):
    url = objectstore.presigned_url(private_image.original)
    assert fetch(with_query(url, **{"X-Amz-Expires": "604800"}))[0] == 403


def test_an_expired_presigned_url_is_refused(private_image, monkeypatch):
    # Sign as if it were an hour ago: the URL's lifetime (seconds) is long over.
    an_hour_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: an_hour_ago)
    url = objectstore.presigned_url(private_image.original)
    monkeypatch.undo()
    status, body, _ = fetch(url)
    assert status == 403
    assert b"expired" in body.lower()


def test_storing_an_image_is_three_private_puts_and_nothing_else(make_image, user):
    # No existence checks, no separate ACL calls, no multipart for small
    # objects: one request per file (the import's cost per image on a store).
    client = default_storage.bucket.meta.client
    sent = []

    def record(event_name, request, **kwargs):
        sent.append((event_name.rsplit(".", 1)[1], request.headers.get("x-amz-acl")))

    client.meta.events.register("before-send.s3", record, unique_id="count-sends")
    try:
        make_image(user, visibility="public")
    finally:
        client.meta.events.unregister("before-send.s3", unique_id="count-sends")
    assert sent == [("PutObject", b"private")] * 3


# ---------------------------------------------------------------- the views


def test_the_owner_is_streamed_the_original_from_the_bucket(
    client_for, user, private_image
):
    response = client_for(user).get(private_image.original_url)
    assert response.status_code == 200
    assert int(response["Content-Length"]) == private_image.file_size
    assert b"".join(response.streaming_content) == stored_bytes(
        private_image.original.name
    )


@pytest.mark.parametrize("kind", KINDS)
def test_redirect_delivery_sends_the_owner_to_a_working_presigned_url(
    client_for, user, private_image, settings, kind
):
    settings.S3_DELIVERY = "redirect"
    response = client_for(user).get(private_image.file_url(kind))
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-cache"
    status, body, headers = fetch(response["Location"])
    assert status == 200
    assert body == stored_bytes(getattr(private_image, kind).name)
    assert headers["Content-Type"].startswith("image/")


@pytest.mark.parametrize("viewer", ["anonymous", "other"])
def test_redirect_delivery_gives_strangers_no_url(
    client_for, other_user, private_image, settings, viewer
):
    settings.S3_DELIVERY = "redirect"
    client = client_for(other_user if viewer == "other" else None)
    for kind in KINDS:
        response = client.get(private_image.file_url(kind))
        assert response.status_code == 404
        assert "Location" not in response


def test_a_missing_object_is_a_404_not_a_500(client_for, user, private_image):
    default_storage.delete(private_image.display.name)
    assert client_for(user).get(private_image.display_url).status_code == 404


# ---------------------------------------------------------------- check_media


def test_check_media_finds_and_moves_aside_an_orphan_in_the_bucket(make_image, user):
    kept = make_image(user)
    ghost = make_image(user)
    names = ghost.stored_files()
    Image.objects.filter(pk=ghost.pk)._raw_delete(Image.objects.db)  # no signals
    out = StringIO()
    call_command(
        "check_media", "--fix", "--min-age", "0", stdout=out, stderr=StringIO()
    )
    assert "3 files without an image" in out.getvalue()
    folder = re.search(r"orphan files to (\S+)/\.", out.getvalue())[1]
    assert [default_storage.exists(n) for n in names] == [False] * 3
    assert all(default_storage.exists(f"{folder}/{n}") for n in names)
    assert all(default_storage.exists(n) for n in kept.stored_files())

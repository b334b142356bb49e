"""BucketStorage, the S3 storage imagerepo writes with: one PutObject per
object, private, under the storage's prefix, the very request django-storages'
own S3Storage sends. Checked here with botocore's Stubber and its before-send
event (no server; nothing leaves the process); the same requests against a
real store are counted in test_objectstore.py under ``make test-scale``."""

import threading
from unittest import mock

import pytest
from django.core.exceptions import SuspiciousOperation
from django.core.files.base import ContentFile, File

from gallery import objectstore

pytestmark = pytest.mark.skipif(
    objectstore.S3Storage is None, reason="needs django-storages"
)


OPTIONS = {
    "bucket_name": "photos",
    "endpoint_url": "http://127.0.0.1:9",  # never reached: the client is stubbed
    "access_key": "key",
    "secret_key": "secret",
    "region_name": "us-east-1",
    "location": "site",
    "default_acl": "private",
}


@pytest.fixture
def storage():
    return objectstore.BucketStorage(**OPTIONS)


@pytest.fixture
def requests(storage):
    """The stubbed client's requests as (operation, params), the body read."""
    from botocore.stub import Stubber

    client = storage.bucket.meta.client
    sent = []

    def record(params, model, **kwargs):
        params = dict(params)
        if "Body" in params:
            params["Body"] = params["Body"].read()
        sent.append((model.name, params))

    client.meta.events.register("before-parameter-build.s3", record)
    with Stubber(client) as stubber:
        yield stubber, sent


def test_a_small_object_is_one_private_put_under_the_prefix(storage, requests):
    stubber, sent = requests
    stubber.add_response("put_object", {})
    real_start = threading.Thread.start

    with mock.patch.object(
        threading.Thread, "start", autospec=True, side_effect=real_start
    ) as thread_starts:
        name = storage.save("renditions/ab/cd/x-thumbnail.jpg", ContentFile(b"jpeg"))

    # Sent from the caller's thread: no transfer manager and its thread pool,
    # which cost more than the request for an object of this size.
    assert thread_starts.call_count == 0

    assert name == "renditions/ab/cd/x-thumbnail.jpg"
    assert sent == [
        (
            "PutObject",
            {
                "Bucket": "photos",
                "Key": "site/renditions/ab/cd/x-thumbnail.jpg",
                "Body": b"jpeg",
                "ACL": "private",
                "ContentType": "image/jpeg",
            },
        )
    ]
    stubber.assert_no_pending_responses()


def test_an_open_file_is_sent_whole_from_its_start(storage, requests, tmp_path):
    stubber, sent = requests
    stubber.add_response("put_object", {})
    path = tmp_path / "IMG_0001.png"
    path.write_bytes(b"\x89PNG" + bytes(range(256)) * 40)
    with open(path, "rb") as handle:
        handle.read()  # read to the end already, as the import's hash does

        storage.save("originals/ab/cd/x.png", File(handle))

    [(operation, params)] = sent
    assert operation == "PutObject"
    assert params["Body"] == path.read_bytes()
    assert params["ContentType"] == "image/png"
    assert params["ACL"] == "private"


def test_an_object_past_the_multipart_threshold_goes_in_parts(storage, requests):
    from boto3.s3.transfer import TransferConfig

    stubber, sent = requests
    storage.transfer_config = TransferConfig(
        multipart_threshold=5 * 2**20, use_threads=False
    )
    stubber.add_client_error(
        "create_multipart_upload", "SlowDown", http_status_code=503
    )

    with pytest.raises(Exception, match="SlowDown"):
        storage.save("originals/ab/cd/x.jpg", ContentFile(b"x" * (5 * 2**20 + 1)))

    [(operation, params)] = sent
    assert operation == "CreateMultipartUpload"
    assert params["ACL"] == "private"


def wire_request(storage, name, content):
    """What ``storage.save`` puts on the wire, answered here with a 200:
    (method, URL, headers but those of the moment, body)."""
    from botocore.awsrequest import AWSResponse

    sent = []

    def answer(request, **kwargs):
        body = request.body
        body = body.read() if hasattr(body, "read") else body
        momentary = {"authorization", "x-amz-date", "amz-sdk-invocation-id"}
        headers = {
            key.lower(): value
            for key, value in request.headers.items()
            if key.lower() not in momentary | {"user-agent"}
        }
        sent.append((request.method, request.url, headers, body))
        return AWSResponse(request.url, 200, {}, mock.Mock(stream=lambda: [b""]))

    client = storage.bucket.meta.client
    client.meta.events.register("before-send.s3", answer)
    storage.save(name, content)
    return sent


@pytest.mark.parametrize(
    "name, body, options",
    [
        ("renditions/ab/cd/x-thumbnail.jpg", b"jpeg", {}),
        ("originals/ab/cd/x.webp", b"RIFF" * 1000, {}),
        ("originals/ab/cd/x.avif", b"avif", {"default_acl": None}),
        ("exports/x.tar.gz", b"gz", {}),  # a type and an encoding from the name
        (
            "originals/ab/cd/x.png",
            b"png",
            {
                "object_parameters": {
                    "CacheControl": "max-age=60",
                    "ACL": "bucket-owner-read",
                }
            },
        ),
        ("originals/x.bin", b"?", {"object_parameters": {"ContentType": "image/heic"}}),
    ],
)
def test_the_put_is_the_one_s3storage_sends(name, body, options):
    from storages.backends.s3 import S3Storage

    ours = objectstore.BucketStorage(**{**OPTIONS, **options})
    theirs = S3Storage(**{**OPTIONS, **options})

    [sent] = wire_request(ours, name, ContentFile(body))
    assert [sent] == wire_request(theirs, name, ContentFile(body))
    method, url, headers, sent_body = sent
    assert (method, url) == ("PUT", f"http://127.0.0.1:9/photos/site/{name}")
    assert "x-amz-checksum-crc32" in headers
    assert sent_body == body


def test_a_name_outside_the_prefix_is_refused(storage):
    assert objectstore.object_key(storage, "a/../b.jpg") == "site/b.jpg"
    with pytest.raises(SuspiciousOperation):
        objectstore.object_key(storage, "../elsewhere/b.jpg")

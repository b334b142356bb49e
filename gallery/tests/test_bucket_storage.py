"""BucketStorage, the S3 storage imagerepo writes with: one PutObject per
object, private, under the storage's prefix. Checked here on botocore's
Stubber (no server; nothing leaves the process); the same requests against a
real store are counted in test_objectstore.py under ``make test-scale``."""

import threading
from unittest import mock

import pytest
from django.core.files.base import ContentFile, File

from gallery import objectstore

pytestmark = pytest.mark.skipif(
    objectstore.S3Storage is None, reason="needs django-storages"
)


@pytest.fixture
def storage():
    return objectstore.BucketStorage(
        bucket_name="photos",
        endpoint_url="http://127.0.0.1:9",  # never reached: the client is stubbed
        access_key="key",
        secret_key="secret",
        region_name="us-east-1",
        location="site",
        default_acl="private",
    )


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

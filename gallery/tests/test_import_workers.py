"""The import's worker processes are forked from the command: they must not
share what the parent holds open."""

import pytest
from django.core.files.storage import storages

from gallery import objectstore
from gallery.importing.tasks import worker_pool

pytestmark = pytest.mark.skipif(
    objectstore.S3Storage is None, reason="needs django-storages"
)


def bucket_connection_id():
    return id(storages["default"].connection)


def test_a_forked_worker_opens_its_own_bucket_connection(settings):
    # Two processes writing on one inherited keep-alive socket corrupt each
    # other's uploads (the store answered BadDigest): each worker starts fresh.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "gallery.objectstore.BucketStorage",
            "OPTIONS": {
                "bucket_name": "photos",
                "endpoint_url": "http://127.0.0.1:9",
                "access_key": "key",
                "secret_key": "secret",
                "region_name": "us-east-1",
            },
        },
    }
    inherited = bucket_connection_id()  # opened before the fork, as the command does

    with worker_pool(1, None) as pool:
        in_worker = pool.submit(bucket_connection_id).result()

    # A fork copies memory: the inherited session would keep its address.
    assert in_worker != inherited
    assert bucket_connection_id() == inherited  # the parent's is untouched

"""What imagerepo needs from an S3 bucket beyond Django's storage API.

Stored objects are private (no public ACL, no anonymous identity): the only
ways to their bytes are this app's streaming views and short-lived presigned
URLs made here after the view's permission check.
"""

from django.conf import settings

try:
    from botocore.exceptions import ClientError
    from storages.backends.s3 import S3Storage
    from storages.utils import clean_name
except ImportError:  # django-storages is optional for a disk-only install
    S3Storage = None


def is_s3(storage):
    return S3Storage is not None and isinstance(storage, S3Storage)


def forget_connections():
    """Drop the bucket sessions a forked process inherited from its parent.

    django-storages keeps one boto3 session per thread; after a fork the child
    would share its parent's open HTTP connections, and two processes writing
    on one socket corrupt each other's requests (the store answers BadDigest
    or 400). The storage's own pickling state is the clean, connection-free
    copy of it.
    """
    from django.core.files.storage import storages

    for alias in settings.STORAGES:
        storage = storages[alias]
        if is_s3(storage):
            storage.__setstate__(storage.__getstate__())


def object_key(storage, name):
    """The bucket key that ``storage`` keeps ``name`` under (with its prefix)."""
    return storage._normalize_name(clean_name(name))


def open_stream(storage, name):
    """A readable stream of ``name``'s bytes; for a bucket straight from the
    object body, since django-storages' own files download the whole object
    first. ``stream.size`` is its length. Raises ``FileNotFoundError``."""
    if not is_s3(storage):
        stream = storage.open(name, "rb")
        stream.size = storage.size(name)
        return stream
    try:
        got = storage.bucket.Object(object_key(storage, name)).get()
    except ClientError as exc:
        if exc.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
            raise FileNotFoundError(f"No such object: {name}") from None
        raise
    stream = got["Body"]
    stream.size = got["ContentLength"]
    return stream


def presigned_url(field_file, **response_headers):
    """A GET URL for ``field_file`` that works for S3_URL_EXPIRY_SECONDS.

    ``response_headers`` (``ResponseContentType``, ``ResponseCacheControl``,
    ``ResponseContentDisposition``) are signed into the URL, so the store
    answers with our headers rather than whatever the object was saved with.
    """
    return field_file.storage.url(
        field_file.name,
        parameters=response_headers,
        expire=settings.S3_URL_EXPIRY_SECONDS,
    )

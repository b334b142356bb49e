"""What imagerepo needs from an S3 bucket beyond Django's storage API.

Stored objects are private (no public ACL, no anonymous identity): the only
ways to their bytes are this app's streaming views and short-lived presigned
URLs made here after the view's permission check.
"""

import mimetypes

from django.conf import settings
from django.core.exceptions import SuspiciousOperation

try:
    from botocore.exceptions import ClientError
    from storages.backends.s3 import S3Storage
    from storages.utils import ReadBytesWrapper, clean_name, safe_join
except ImportError:  # django-storages is optional for a disk-only install
    S3Storage = None


def is_s3(storage):
    return S3Storage is not None and isinstance(storage, S3Storage)


if S3Storage is not None:

    class BucketStorage(S3Storage):
        """django-storages' S3 storage, sending an object up to the multipart
        threshold as one PutObject from the calling thread.

        ``S3Storage`` hands every object to boto3's transfer manager, whose
        futures and per-object resource class cost more CPU than the request
        itself for the small objects an image is made of (renditions of tens
        of KB, most originals), and no setting of django-storages or boto3
        skips it (BENCHMARKS.md, "S3 writes through django-storages' public
        API"). Larger objects, and gzipped ones, still go through it.

        The request is the one ``S3Storage`` sends: the same key, type, ACL
        and object parameters, and botocore's body checksum.
        """

        def _save(self, name, content):
            size = getattr(content, "size", None)
            threshold = self.transfer_config.multipart_threshold
            if self.gzip or size is None or size > threshold:
                return super()._save(name, content)
            key = object_key(self, name)
            params = self.write_parameters(key, content)
            content.seek(0)  # the import has read it through to hash it
            # The bucket's client, as S3Storage writes with: thread-safe, one
            # per storage, rather than a session per thread.
            self.bucket.meta.client.put_object(
                Bucket=self.bucket_name,
                Key=key,
                # Not the File itself: an unnamed File is falsy, which
                # botocore would take for an empty body.
                Body=ReadBytesWrapper(content),
                **params,
            )
            return clean_name(name)

        def write_parameters(self, key, content):
            """S3Storage's for the same object: the configured object
            parameters, the type (from the file, else the key), the ACL."""
            params = self.get_object_parameters(key)
            if "ContentType" not in params:
                guessed, encoding = mimetypes.guess_type(key)
                params["ContentType"] = (
                    getattr(content, "content_type", None)
                    or guessed
                    or self.default_content_type
                )
                if encoding:
                    params["ContentEncoding"] = encoding
            if "ACL" not in params and self.default_acl:
                params["ACL"] = self.default_acl
            return params


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
    try:
        return safe_join(storage.location, clean_name(name))
    except ValueError:
        raise SuspiciousOperation(f"{name!r} is outside the storage.") from None


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

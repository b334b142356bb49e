"""Faults injected at each step of an upload, and around deletes: whatever
breaks, no file without its row, no row without its files, and a retry works.
Faults are injected at the storage and database boundaries, so these tests
hold however the ingest service is arranged inside."""

import errno
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import OperationalError, connections, transaction
from django.db.backends.utils import CursorWrapper
from PIL import Image as PILImage

from gallery.models import Image
from gallery.services.images import image_purge
from gallery.services.uploads import upload_image

from .conftest import stored_bytes, stored_files
from .images import noisy_jpeg, upload

DATA = noisy_jpeg((300, 200), seed=4)
DB_WRAPPER = type(connections["default"])


def create(user):
    """The upload service's outcome for DATA."""
    return upload_image(owner=user, file=upload("photo.jpg", DATA))


@contextmanager
def storage_failing_at(call, *, partial=False):
    """The ``call``-th file write fails; with ``partial`` it first stores half
    the bytes, as a full disk (or an upload cut off) does. Patched on the
    configured store's class, so it holds on disk and in an S3 bucket alike."""
    calls = []
    backend = type(storages["default"])
    real_save = backend._save

    def save(storage, name, content):
        calls.append(name)
        if len(calls) < call:
            return real_save(storage, name, content)
        if partial:
            content.seek(0)
            half = content.read()[: max(1, content.size // 2)]
            real_save(storage, name, ContentFile(half))
            assert storage.exists(name)
        raise OSError(errno.ENOSPC, "No space left on device")

    with mock.patch.object(backend, "_save", autospec=True, side_effect=save):
        yield calls


@contextmanager
def database_failing_on(sql_start):
    real = CursorWrapper.execute

    def execute(cursor, sql, params=None):
        if sql.lstrip().upper().startswith(sql_start):
            raise OperationalError("disk I/O error")
        return real(cursor, sql, params)

    with mock.patch.object(
        CursorWrapper, "execute", autospec=True, side_effect=execute
    ):
        yield


def assert_nothing_left_and_retry_works(user, media_root):
    assert not Image.objects.exists()
    assert stored_files() == []
    outcome = create(user)
    assert outcome.outcome == "created"
    image = outcome.image
    assert len(stored_files()) == 3
    assert stored_bytes(image.original.name) == DATA


@pytest.mark.django_db
@pytest.mark.parametrize("step", [1, 2, 3], ids=["original", "display", "thumbnail"])
def test_storage_failure_after_earlier_files_were_written(user, media_root, step):
    with storage_failing_at(step) as calls:
        outcome = create(user)
    assert len(calls) == step
    assert (outcome.outcome, outcome.code) == ("rejected", "storage_failed")
    assert_nothing_left_and_retry_works(user, media_root)


@pytest.mark.django_db
@pytest.mark.parametrize("step", [1, 3], ids=["original", "thumbnail"])
def test_disk_full_while_writing_removes_the_partial_file(user, media_root, step):
    with storage_failing_at(step, partial=True):
        outcome = create(user)
    assert outcome.code == "storage_failed"
    assert outcome.message == (
        "The server could not store this file (No space left on device). "
        "Nothing was kept; please try again later."
    )
    assert_nothing_left_and_retry_works(user, media_root)


@pytest.mark.django_db
def test_failure_during_the_rendition(user, media_root):
    real = PILImage.Image.save

    def save(img, fp, format=None, **params):
        if format in ("JPEG", "WEBP") and not isinstance(fp, str):
            raise OSError("encoder error -2")
        return real(img, fp, format, **params)

    patch = mock.patch.object(PILImage.Image, "save", autospec=True, side_effect=save)
    with patch:
        outcome = create(user)
    assert outcome.code == "corrupt_image"
    assert_nothing_left_and_retry_works(user, media_root)


@pytest.mark.django_db
def test_failure_at_the_row_insert(user, media_root):
    with (
        database_failing_on('INSERT INTO "GALLERY_IMAGE"'),
        pytest.raises(OperationalError),
    ):
        create(user)
    assert_nothing_left_and_retry_works(user, media_root)


@pytest.mark.django_db(transaction=True)
def test_failure_at_commit(user, media_root):
    real = DB_WRAPPER._commit
    commits = []

    def commit(conn):
        commits.append(conn)
        raise OperationalError("disk I/O error during commit")

    patch = mock.patch.object(DB_WRAPPER, "_commit", autospec=True, side_effect=commit)
    with patch, pytest.raises(OperationalError):
        create(user)
    assert commits, "the fault was never reached"
    assert DB_WRAPPER._commit is real
    assert_nothing_left_and_retry_works(user, media_root)


# ---------------------------------------------------------------- deletes


@pytest.mark.django_db(transaction=True)
def test_delete_removes_files_only_after_the_commit(user, media_root):
    image = create(user).image
    with transaction.atomic():
        image_purge(image)
        assert not Image.objects.exists()
        assert len(stored_files()) == 3  # still there before commit
    assert stored_files() == []


@pytest.mark.django_db(transaction=True)
def test_delete_that_rolls_back_keeps_the_files(user, media_root):
    image = create(user).image
    pk = image.pk
    with pytest.raises(RuntimeError), transaction.atomic():
        image_purge(image)
        raise RuntimeError("crash after the row delete, before the commit")
    assert Image.objects.get().pk == pk
    assert len(stored_files()) == 3


@pytest.mark.django_db(transaction=True)
def test_delete_whose_commit_fails_keeps_the_files(user, media_root):
    image = create(user).image
    pk = image.pk
    with (
        mock.patch.object(
            DB_WRAPPER,
            "_commit",
            autospec=True,
            side_effect=OperationalError("disk I/O error during commit"),
        ),
        pytest.raises(OperationalError),
    ):
        image_purge(image)
    assert Image.objects.get().pk == pk
    assert len(stored_files()) == 3

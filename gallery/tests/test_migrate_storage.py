"""``migrate_storage``: every file copied, verified, resumable, both ways.

Under ``make test-scale`` the "s3" store is the real SeaweedFS bucket; in the
plain suite a second folder stands in for it, so the copy logic runs in both.
"""

import copy
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def stores(settings, tmp_path):
    """Puts the default store where a test says; returns the two stores."""
    if "s3" not in settings.STORAGES:
        settings.STORAGES = {
            **settings.STORAGES,
            "s3": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": tmp_path / "bucket"},
            },
        }

    def use(alias):
        configured = copy.deepcopy(settings.STORAGES)
        configured["default"] = copy.deepcopy(configured[alias])
        settings.STORAGES = configured
        return storages

    return use


def migrate(*args):
    out, err = StringIO(), StringIO()
    call_command("migrate_storage", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def contents(store, images):
    names = [name for image in images for name in image.stored_files()]
    return {name: store.open(name).read() for name in names if store.exists(name)}


@pytest.fixture
def three_local_images(stores, make_image, user):
    stores("local")
    return [make_image(user, visibility=v) for v in ("public", "private", "private")]


def test_local_to_s3_copies_every_file_and_the_site_serves_them(
    three_local_images, stores, client_for, user
):
    local = storages["local"]
    out, _ = migrate("--from", "local", "--to", "s3")

    assert "local -> s3: 9 copied and verified, 0 already there, 0 failed." in out
    assert contents(storages["s3"], three_local_images) == contents(
        local, three_local_images
    )
    # Switch the site over (MEDIA_STORAGE=s3): the same rows now read the bucket.
    stores("s3")
    image = three_local_images[1]
    response = client_for(user).get(image.original_url)
    assert (
        b"".join(response.streaming_content) == local.open(image.original.name).read()
    )


def test_and_back_from_s3_to_an_empty_media_folder(stores, make_image, user):
    stores("s3")
    images = [make_image(user), make_image(user, visibility="private")]
    out, _ = migrate("--from", "s3", "--to", "local")
    assert "s3 -> local: 6 copied and verified" in out
    assert contents(storages["local"], images) == contents(storages["s3"], images)


def test_a_second_run_copies_nothing(three_local_images):
    migrate("--from", "local", "--to", "s3")
    out, _ = migrate("--from", "local", "--to", "s3")
    assert "0 copied and verified, 9 already there, 0 failed." in out


def test_an_interrupted_run_is_finished_and_bad_copies_replaced(three_local_images):
    migrate("--from", "local", "--to", "s3")
    s3 = storages["s3"]
    lost, damaged = (
        three_local_images[0].original.name,
        three_local_images[1].display.name,
    )
    s3.delete(lost)
    s3.delete(damaged)
    s3.save(damaged, ContentFile(b"half a file"))

    out, _ = migrate("--from", "local", "--to", "s3")

    assert "2 copied and verified, 7 already there, 0 failed." in out
    assert contents(s3, three_local_images) == contents(
        storages["local"], three_local_images
    )


def test_dry_run_writes_nothing(three_local_images):
    out, _ = migrate("--from", "local", "--to", "s3", "--dry-run")
    assert "9 would be copied, 0 already there, 0 failed." in out
    assert contents(storages["s3"], three_local_images) == {}


def test_verbosity_2_lists_every_file(three_local_images):
    out, _ = migrate("--from", "local", "--to", "s3", "--verbosity", "2")
    for name in three_local_images[0].stored_files():
        assert f"copied     {name}" in out


def test_missing_and_tampered_files_fail_and_the_rest_is_copied(three_local_images):
    local = storages["local"]
    missing = three_local_images[0].thumbnail.name
    tampered = three_local_images[2].original.name
    local.delete(missing)
    local.delete(tampered)
    local.save(tampered, ContentFile(b"not what was uploaded"))

    with pytest.raises(CommandError, match="2 file\\(s\\) could not be copied"):
        out, err = migrate("--from", "local", "--to", "s3")

    s3 = storages["s3"]
    assert not s3.exists(missing)
    assert not s3.exists(tampered)
    assert len(contents(s3, three_local_images)) == 7


def test_failures_are_named_on_stderr(three_local_images):
    storages["local"].delete(three_local_images[0].thumbnail.name)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "migrate_storage",
            "--from",
            "local",
            "--to",
            "s3",
            stdout=StringIO(),
            stderr=err,
        )
    assert f"failed     {three_local_images[0].thumbnail.name}:" in err.getvalue()


def test_the_same_store_twice_is_refused():
    with pytest.raises(CommandError, match="same store"):
        migrate("--from", "local", "--to", "local")


def test_without_a_bucket_the_user_is_told_what_to_set(settings):
    configured = {k: v for k, v in settings.STORAGES.items() if k != "s3"}
    configured["default"] = configured["local"]
    settings.STORAGES = configured
    with pytest.raises(CommandError, match="set S3_BUCKET"):
        migrate("--from", "local", "--to", "s3")

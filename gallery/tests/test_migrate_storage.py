"""``migrate_storage``: every file copied, verified, resumable, both ways.

Under ``make test-scale`` the "s3" store is the real SeaweedFS bucket; in the
plain suite a second folder stands in for it, so the copy logic runs in both.
"""

import copy
from io import StringIO
from uuid import UUID

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command

from gallery.models import Image

from .images import noisy_jpeg
from .live import Site, site_env

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
    with pytest.raises(CommandError, match="same store") as refused:
        migrate("--from", "local", "--to", "local")
    assert refused.value.returncode == 2  # a usage error, not "files failed"


def test_without_a_bucket_the_user_is_told_what_to_set(settings):
    configured = {k: v for k, v in settings.STORAGES.items() if k != "s3"}
    configured["default"] = configured["local"]
    settings.STORAGES = configured
    with pytest.raises(CommandError, match="set S3_BUCKET"):
        migrate("--from", "local", "--to", "s3")


# ---------------------------------------------------------------- README's move


@pytest.fixture
def old_install(tmp_path):
    """A running embedded-default install (SQLite file, media folder on disk)
    with a user and two images, one private, imported from the command line."""
    site = Site(url="", root=tmp_path / "old", env=site_env(tmp_path / "old"))
    (site.root / "media").mkdir(parents=True)
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "beach.jpg").write_bytes(noisy_jpeg((90, 60), seed=1))
    (photos / "secret.jpg").write_bytes(noisy_jpeg((60, 90), seed=2))
    site.env["DJANGO_SUPERUSER_PASSWORD"] = "pw-carol-123"
    site.manage("migrate", "--noinput")
    site.manage("createsuperuser", "--noinput", "--username", "carol", "--email", "")
    site.manage("import_images", str(photos / "beach.jpg"), "--owner", "carol")
    site.manage(
        "import_images", str(photos / "secret.jpg"), "--owner", "carol", "--private"
    )
    return site, photos


def test_the_documented_move_keeps_ids_users_and_files(
    old_install, stores, settings, client_for, tmp_path
):
    site, photos = old_install
    dump = tmp_path / "imagerepo-data.jsonl"
    site.manage(
        "dumpdata", "--format", "jsonl", "--natural-foreign",
        "--exclude", "contenttypes", "--exclude", "auth.permission",
        "--exclude", "sessions", "--exclude", "admin.logentry", "-o", str(dump),
    )  # fmt: skip
    # This run's database (PostgreSQL under make test-scale) is the new one.
    call_command("loaddata", str(dump), verbosity=0)
    settings.MEDIA_ROOT = site.media
    out, _ = migrate("--from", "local", "--to", "s3")
    stores("s3")

    assert "6 copied and verified" in out
    old_ids = {UUID(row[0]) for row in site.query("SELECT id FROM gallery_image")}
    assert set(Image.objects.values_list("pk", flat=True)) == old_ids
    carol = User.objects.get(username="carol")
    # The password hash moved as it was: carol signs in as before.
    assert site.query("SELECT password FROM auth_user") == [(carol.password,)]
    secret = Image.objects.get(original_filename="secret.jpg")
    response = client_for(carol).get(secret.original_url)
    assert b"".join(response.streaming_content) == (photos / "secret.jpg").read_bytes()
    assert client_for(None).get(secret.original_url).status_code == 404

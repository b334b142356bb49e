"""The trash: a deleted image is gone at once for everyone, everywhere, but
its owner's Trash page; it comes back as it was, or goes for good (rows and
files together) once purged."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models.signals import post_delete
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.tokens import token_create
from gallery.models import Image, OrphanedFile
from gallery.services.albums import album_add_images, album_create, album_share
from gallery.services.images import image_restore, images_trash, purge_trash
from gallery.services.links import share_link_create
from gallery.services.uploads import upload_image

from .images import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(django_user_model, user, other_user):
    carol = django_user_model.objects.create_user("carol", password="pw-carol-123")
    return {"owner": user, "viewer": carol, "other": other_user, "anonymous": None}


@pytest.fixture
def trashed(people, make_image):
    """alice's album holds a public and a private photo, shared with carol
    (downloads allowed) and by a link; a third photo has a link of its own.
    Then all three go to the trash."""
    owner = people["owner"]
    album = album_create(owner=owner, title="Weekend")
    boat = make_image(owner, title="Boat zebra", visibility="public")
    lake = make_image(owner, title="Lake zebra", visibility="private")
    alone = make_image(owner, title="Alone zebra", visibility="public")
    album_add_images(album, user=owner, images=[boat, lake])
    album_share(album, user=owner, username="carol", allow_download=True)
    _, album_token = share_link_create(user=owner, album=album, allow_download=True)
    _, image_token = share_link_create(user=owner, image=alone, allow_download=True)
    images_trash(Image.objects.filter(pk__in=[boat.pk, lake.pk, alone.pk]))
    return {
        "album": album,
        "images": [boat, lake, alone],
        "links": {album_token: [boat, lake], image_token: [alone]},
    }


def shows(response, images):
    """Whether ``response`` names any of ``images`` (by title or id)."""
    text = response.content.decode()
    return any(image.title in text or str(image.pk) in text for image in images)


def web(person):
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def api(person):
    client = APIClient()
    if person is not None:
        _, key = token_create(user=person)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


# The owner's own file URLs keep working (the Trash page shows thumbnails);
# every page, list and search drops the images, for the owner too.
FILE_STATUS = {"owner": 200, "viewer": 404, "other": 404, "anonymous": 404}


@pytest.mark.parametrize("who", list(FILE_STATUS))
def test_a_trashed_image_is_gone_from_every_page_and_file(people, trashed, who):
    person = people[who]
    client = web(person)
    for page in (
        reverse("gallery:index"),
        reverse("gallery:index") + "?q=zebra",
        reverse("gallery:index") + "?show=shared",
    ):
        assert not shows(client.get(page), trashed["images"]), page
    if person is not None and who != "other":
        album = client.get(trashed["album"].get_absolute_url())
        assert album.status_code == 200
        assert not shows(album, trashed["images"])
    for image in trashed["images"]:
        page = client.get(image.get_absolute_url())
        assert page.status_code == 404
        # Its owner is told where it went and may restore it; nobody else
        # learns that it exists.
        in_trash = f"“{image.title}” is in your trash" in page.content.decode()
        assert in_trash is (who == "owner")
        assert (image.title in page.content.decode()) is (who == "owner")
        # Back to its edit or delete page (after deleting it) leads there too.
        for kind in ("edit", "delete"):
            back = client.get(reverse(f"gallery:{kind}", args=[image.pk]))
            if who == "owner":
                assert back.status_code == 302
                assert back.url == image.get_absolute_url()
            else:
                assert back.status_code == 404
        for kind in ("thumbnail", "display", "original"):
            url = reverse(f"gallery:{kind}", args=[image.pk])
            assert client.get(url).status_code == FILE_STATUS[who], (kind, url)


@pytest.mark.parametrize("who", list(FILE_STATUS))
def test_a_trashed_image_is_gone_from_the_api(people, trashed, who):
    client = api(people[who])
    listed = client.get("/api/v1/images/", {"q": "zebra"})
    assert listed.status_code in (200, 401)
    if listed.status_code == 200:
        assert not shows(listed, trashed["images"])
    for image in trashed["images"]:
        base = f"/api/v1/images/{image.pk}/"
        assert client.get(base).status_code in (401, 404)
        assert client.patch(base, {"title": "x"}, format="json").status_code in (
            401,
            404,
        )


def test_a_trashed_image_is_gone_from_its_links(client, trashed):
    for token, images in trashed["links"].items():
        page = client.get(reverse("gallery:link", args=[token]))
        assert not shows(page, trashed["images"])
        for image in images:
            for kind in ("thumbnail", "display", "original"):
                url = reverse("gallery:link-file", args=[token, image.pk, kind])
                assert client.get(url).status_code == 404, url


def test_restoring_brings_it_back_everywhere_as_it_was(people, trashed):
    boat, lake, alone = trashed["images"]
    for image in trashed["images"]:
        image_restore(image)
    carol = web(people["viewer"])
    album = carol.get(trashed["album"].get_absolute_url()).content.decode()
    assert "Boat zebra" in album and "Lake zebra" in album
    assert carol.get(reverse("gallery:original", args=[lake.pk])).status_code == 200
    anonymous = web(None)
    assert anonymous.get(boat.get_absolute_url()).status_code == 200
    assert anonymous.get(lake.get_absolute_url()).status_code == 404
    [image_token] = [t for t, images in trashed["links"].items() if images == [alone]]
    link_page = anonymous.get(reverse("gallery:link", args=[image_token]))
    assert "Alone zebra" in link_page.content.decode()


def test_file_urls_handed_out_before_the_trash_stop_at_once(client, make_image, user):
    image = make_image(user, visibility="public")
    url = image.thumbnail_url
    first = client.get(url)
    assert first.status_code == 200 and "public" in first["Cache-Control"]
    images_trash(Image.objects.filter(pk=image.pk))
    assert client.get(url).status_code == 404
    # The owner's Trash page asks by another URL, never cached as public.
    image.refresh_from_db()
    assert image.thumbnail_url != url
    owners = web(user).get(image.thumbnail_url)
    assert owners.status_code == 200
    assert owners["Cache-Control"].startswith("private")


def test_trashing_twice_keeps_the_first_date(make_image, user):
    image = make_image(user)
    assert images_trash(Image.objects.filter(pk=image.pk)) == 1
    image.refresh_from_db()
    first = image.trashed_at
    assert images_trash(Image.objects.filter(pk=image.pk)) == 0
    image.refresh_from_db()
    assert image.trashed_at == first


@pytest.mark.parametrize(
    ("asked", "was", "code", "now"),
    [
        ("public", "public", "restored", "public"),
        ("private", "public", "restored_now_private", "private"),
        ("public", "private", "restored_kept_private", "private"),
    ],
)
def test_uploading_trashed_bytes_again_restores_the_image_and_says_so(
    user, make_image, asked, was, code, now
):
    from .images import noisy_jpeg

    data = noisy_jpeg((96, 64), seed=77)
    image = make_image(user, data=data, title="Kept title", visibility=was)
    images_trash(Image.objects.filter(pk=image.pk))
    outcome = upload_image(owner=user, file=upload("again.jpg", data), visibility=asked)
    assert (outcome.outcome, outcome.code) == ("duplicate", code)
    assert "trash" in outcome.message and "back" in outcome.message
    image.refresh_from_db()
    assert not image.in_trash
    assert (image.title, image.visibility) == ("Kept title", now)
    assert Image.objects.filter(owner=user).count() == 1


def test_purge_removes_rows_and_files_after_the_retention_only(
    user, make_image, django_capture_on_commit_callbacks
):
    old, recent, live = (make_image(user) for _ in range(3))
    images_trash(Image.objects.filter(pk__in=[old.pk, recent.pk]))
    Image.objects.filter(pk=old.pk).update(
        trashed_at=timezone.now() - timedelta(days=31)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_trash", stdout=(out := _Output()))
    assert "Purged 1 images" in out.text
    assert set(Image.objects.values_list("pk", flat=True)) == {recent.pk, live.pk}
    assert not any(default_storage.exists(name) for name in old.stored_files())
    for image in (recent, live):
        assert all(default_storage.exists(name) for name in image.stored_files())
    assert not OrphanedFile.objects.exists()


def test_purge_days_zero_empties_every_trash_and_dry_run_changes_nothing(
    user, other_user, make_image, django_capture_on_commit_callbacks
):
    images = [make_image(user), make_image(other_user)]
    images_trash(Image.objects.all())
    call_command("purge_trash", "--days", "0", "--dry-run", stdout=(out := _Output()))
    assert "Would purge 2 images" in out.text
    assert Image.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_trash", "--days", "0", stdout=_Output())
    assert not Image.objects.exists()
    assert not any(
        default_storage.exists(name)
        for image in images
        for name in image.stored_files()
    )


def test_a_crash_inside_the_purge_never_splits_an_image_from_its_files(
    user, make_image, django_capture_on_commit_callbacks
):
    """The purge fails on its second image: the first is gone with all its
    files, the others keep their rows and all their files."""
    images = [make_image(user) for _ in range(3)]
    images_trash(Image.objects.all())
    deletes = []

    def power_cut(sender, instance, **kwargs):
        deletes.append(instance.pk)
        if len(deletes) == 2:
            raise RuntimeError("power cut")

    post_delete.connect(power_cut, sender=Image, dispatch_uid="test-power-cut")
    try:
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(RuntimeError),
        ):
            purge_trash(older_than=timezone.now(), batch_size=1)
    finally:
        post_delete.disconnect(sender=Image, dispatch_uid="test-power-cut")
    kept = set(Image.objects.values_list("pk", flat=True))
    assert len(kept) == 2
    for image in images:
        present = [default_storage.exists(name) for name in image.stored_files()]
        assert present == [image.pk in kept] * 3, image
    assert not OrphanedFile.objects.exists()


def test_a_crash_after_the_commit_leaves_names_the_next_run_finishes(
    user, make_image, django_capture_on_commit_callbacks
):
    """The rows are gone and the process dies before deleting the files:
    the names wait in OrphanedFile, and the next purge deletes them first."""
    images = [make_image(user) for _ in range(2)]
    names = [name for image in images for name in image.stored_files()]
    images_trash(Image.objects.all())
    killed = mock.patch(
        "gallery.services.images.delete_orphaned_files",
        side_effect=[0, SystemExit("killed")],
    )
    with (
        django_capture_on_commit_callbacks(execute=False),  # never ran
        killed,
        pytest.raises(SystemExit),
    ):
        purge_trash(older_than=timezone.now())
    assert not Image.objects.exists()
    assert sorted(OrphanedFile.objects.values_list("name", flat=True)) == sorted(names)
    assert all(default_storage.exists(name) for name in names)

    report = purge_trash(older_than=timezone.now())
    assert report.files_left == 0
    assert not any(default_storage.exists(name) for name in names)
    assert not OrphanedFile.objects.exists()


def test_a_file_that_cannot_be_deleted_stays_queued(
    user, make_image, django_capture_on_commit_callbacks
):
    image = make_image(user)
    images_trash(Image.objects.all())
    with (
        mock.patch.object(default_storage, "delete", side_effect=OSError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("purge_trash", "--days", "0", stdout=(out := _Output()))
    assert not Image.objects.exists()
    assert OrphanedFile.objects.count() == len(image.stored_files())
    assert "could not be deleted yet" in out.text
    purge_trash(older_than=timezone.now())
    assert not OrphanedFile.objects.exists()
    assert not any(default_storage.exists(name) for name in image.stored_files())


def test_purge_removes_a_deleted_account_with_its_images_after_the_retention(
    user, other_user, make_image, django_capture_on_commit_callbacks
):
    from gallery.models import Account

    gone, kept = make_image(user), make_image(other_user)
    images_trash(Image.objects.filter(pk=gone.pk))
    user.is_active = False
    user.save()
    Account.objects.update_or_create(
        user=user, defaults={"deleted_at": timezone.now() - timedelta(days=31)}
    )
    Image.objects.filter(pk=gone.pk).update(
        trashed_at=timezone.now() - timedelta(days=31)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_trash", stdout=(out := _Output()))
    assert "Removed 1 accounts" in out.text
    assert not type(user).objects.filter(pk=user.pk).exists()
    assert list(Image.objects.all()) == [kept]
    assert not any(default_storage.exists(name) for name in gone.stored_files())


def test_a_recently_deleted_account_waits_for_the_retention(user, make_image):
    from gallery.models import Account

    make_image(user)
    images_trash(Image.objects.all())
    Account.objects.update_or_create(user=user, defaults={"deleted_at": timezone.now()})
    call_command("purge_trash", stdout=_Output())
    assert type(user).objects.filter(pk=user.pk).exists()
    assert Image.objects.count() == 1


def test_purge_refuses_negative_days():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="0 or more") as refused:
        call_command("purge_trash", "--days", "-1")
    assert refused.value.returncode == 2  # not 1, "files could not be deleted"


class _Output:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_importing_trashed_bytes_again_restores_the_image(user, make_image, tmp_path):
    from .images import noisy_jpeg
    from .test_commands import read_report, run

    data = noisy_jpeg((96, 64), seed=91)
    image = make_image(user, data=data, title="Back from the trash")
    images_trash(Image.objects.filter(pk=image.pk))
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "copy.jpg").write_bytes(data)
    report = tmp_path / "report.jsonl"
    out, _, status = run(str(folder), "--owner", user.username, "--report", str(report))
    assert status == 0, out
    entry = read_report(report)["copy.jpg"]
    assert entry["outcome"] == "duplicate" and "trash" in str(entry), entry
    image.refresh_from_db()
    assert not image.in_trash
    assert Image.objects.filter(owner=user).count() == 1


def test_trashed_bytes_sent_while_the_purge_takes_their_image_are_refused_clearly(
    user, make_image
):
    """The upload finds the trashed image, the purge deletes it before the
    restore: the file is refused with a reason and nothing is half done."""
    from gallery.services.images import images_purge

    from .images import noisy_jpeg

    data = noisy_jpeg((96, 64), seed=93)
    image = make_image(user, data=data)
    images_trash(Image.objects.filter(pk=image.pk))
    real_restore = images_restore_of_services()

    def purged_first(queryset):
        images_purge(Image.objects.filter(pk=image.pk))
        return real_restore(queryset)

    with mock.patch("gallery.services.images.images_restore", purged_first):
        outcome = upload_image(owner=user, file=upload("again.jpg", data))
    assert (outcome.outcome, outcome.code) == ("rejected", "deleted_meanwhile")
    assert "send it again" in outcome.message
    assert not Image.objects.exists()
    again = upload_image(owner=user, file=upload("again.jpg", data))
    assert again.outcome == "created"


def images_restore_of_services():
    from gallery.services import images as services

    return services.images_restore


def test_a_deleted_account_takes_no_uploads_and_no_imports(user, make_image, tmp_path):
    from gallery.services.accounts import account_delete

    from .images import noisy_jpeg
    from .test_commands import run

    data = noisy_jpeg((96, 64), seed=94)
    image = make_image(user, data=data, visibility="public")
    account_delete(user=user)
    user.refresh_from_db()
    for sent in (data, noisy_jpeg((96, 64), seed=95)):
        outcome = upload_image(owner=user, file=upload("late.jpg", sent))
        assert (outcome.outcome, outcome.code) == ("rejected", "account_closed")
    image.refresh_from_db()
    assert image.in_trash
    assert Image.objects.count() == 1
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "late.jpg").write_bytes(data)
    with pytest.raises(CommandError, match="is switched off") as error:
        run(str(folder), "--owner", user.username)
    assert error.value.returncode == 2
    image.refresh_from_db()
    assert image.in_trash


@pytest.mark.parametrize("who", ["owner", "viewer"])
def test_a_trashed_cover_gives_way_on_the_albums_pages_and_api(people, make_image, who):
    from gallery.services.albums import album_update

    owner = people["owner"]
    album = album_create(owner=owner, title="Holiday")
    cover = make_image(owner, title="Cover zebra", visibility="private")
    other = make_image(owner, title="Other", visibility="private")
    album_add_images(album, user=owner, images=[cover, other])
    album_share(album, user=owner, username="carol")
    album_update(album, user=owner, cover=cover)
    images_trash(Image.objects.filter(pk=cover.pk))
    person = people[who]
    for response in (
        web(person).get(reverse("gallery:albums")),
        api(person).get("/api/v1/albums/"),
        api(person).get(f"/api/v1/albums/{album.pk}/"),
    ):
        assert response.status_code == 200
        assert str(cover.pk) not in response.content.decode()
        assert str(other.pk) in response.content.decode()

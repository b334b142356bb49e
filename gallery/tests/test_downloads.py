"""Download all: an album's or a link's originals in one zip, with exactly
the files the viewer may download one by one, named as those downloads are."""

import io
import zipfile
from contextlib import contextmanager

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.urls import reverse

from gallery.services.albums import album_add_images, album_create, album_share
from gallery.services.images import images_trash
from gallery.services.links import share_link_create, share_link_revoke

from .conftest import stored_bytes
from .images import image_bytes
from .test_metadata import camera_exif

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_user(django_user_model):
    return lambda name: django_user_model.objects.create_user(name, password="pw")


def unzip(response):
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    return {info.filename: archive.read(info) for info in archive.infolist()}


@pytest.fixture
def trip(user, other_user, make_image):
    """Alice's album of two photos with the same file name and one taken in
    2015, and a photo of bob's that he added as a contributor."""
    album = album_create(owner=user, title="Trip to Rome")
    exif = camera_exif(original="2015:06:20 14:30:05")
    photos = [
        make_image(user, name="IMG_1.jpg", title="Colosseum", visibility="private"),
        make_image(user, name="img_1.jpg", title="Colosseum", visibility="public"),
        make_image(
            user,
            name="pier.jpg",
            title="Pier 1/2: dusk",
            data=image_bytes("JPEG", exif=exif),
        ),
    ]
    album_add_images(album, user=user, images=photos)
    album_share(album, user=user, username=other_user.username, role="contributor")
    bobs = make_image(other_user, name="bob.jpg", visibility="private")
    album_add_images(album, user=other_user, images=[bobs])
    return {"album": album, "photos": photos, "bobs": bobs}


def download(client, album):
    return client.get(reverse("gallery:album-download", args=[album.pk]))


def test_the_owner_downloads_their_photos_of_the_album(client_for, user, trip):
    client = client_for(user)
    page = client.get(trip["album"].get_absolute_url()).content.decode()
    url = reverse("gallery:album-download", args=[trip["album"].pk])
    assert f'id="album-download" href="{url}"' in page
    response = download(client, trip["album"])
    assert 'filename="Trip to Rome.zip"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-cache"
    files = unzip(response)
    first, second, pier = trip["photos"]
    # Their own names, one renamed where two are alike but for case; bob's
    # photo is his to let others download, and he has not.
    assert files == {
        "pier.jpg": stored_bytes(pier.original.name),
        "img_1.jpg": stored_bytes(second.original.name),
        "IMG_1 (2).jpg": stored_bytes(first.original.name),
    }


def test_a_file_in_the_zip_is_dated_when_it_was_taken(client_for, user, trip):
    archive = zipfile.ZipFile(
        io.BytesIO(
            b"".join(download(client_for(user), trip["album"]).streaming_content)
        )
    )
    assert archive.getinfo("pier.jpg").date_time == (2015, 6, 20, 14, 30, 4)


def test_people_it_is_shared_with_download_only_what_they_may(
    client_for, user, other_user, make_user, trip
):
    # bob, a contributor without downloads: his own photo alone.
    assert list(unzip(download(client_for(other_user), trip["album"]))) == ["bob.jpg"]
    # carol may see the album but download nothing: no button, and 404.
    carol = make_user("carol")
    album_share(trip["album"], user=user, username="carol", role="viewer")
    page = client_for(carol).get(trip["album"].get_absolute_url()).content.decode()
    assert "album-download" not in page
    assert download(client_for(carol), trip["album"]).status_code == 404
    # Allowed downloads: the owner's photos, by the titles carol sees (their
    # file names may say more), as one by one; bob never agreed to hand his
    # original out.
    album_share(trip["album"], user=user, username="carol", allow_download=True)
    names = set(unzip(download(client_for(carol), trip["album"])))
    assert names == {"Colosseum.jpg", "Colosseum (2).jpg", "Pier 1_2_ dusk.jpg"}


def test_strangers_and_trashed_photos_are_not_in_it(
    client, client_for, user, make_user, trip
):
    assert download(client_for(make_user("dave")), trip["album"]).status_code == 404
    anonymous = download(client, trip["album"])
    assert anonymous.status_code in (302, 404)
    assert "zip" not in anonymous.get("Content-Type", "")
    first, second, pier = trip["photos"]
    images_trash(type(first).objects.filter(pk__in=[first.pk, second.pk]))
    assert list(unzip(download(client_for(user), trip["album"]))) == ["pier.jpg"]


def test_a_link_that_allows_downloads_hands_them_out_in_one_zip(client, user, trip):
    link, token = share_link_create(user=user, album=trip["album"], allow_download=True)
    page = client.get(reverse("gallery:link", args=[token])).content.decode()
    url = reverse("gallery:link-download", args=[token])
    assert f'id="link-download-all" href="{url}"' in page
    files = unzip(client.get(url))
    # The link's photos, the owner's alone, by their titles: no file names.
    assert set(files) == {"Colosseum.jpg", "Colosseum (2).jpg", "Pier 1_2_ dusk.jpg"}
    share_link_revoke(link, user=user)
    assert client.get(url).status_code == 404


def test_a_link_without_downloads_or_still_locked_gives_no_zip(client, user, trip):
    _, plain = share_link_create(user=user, album=trip["album"])
    page = client.get(reverse("gallery:link", args=[plain])).content.decode()
    assert "link-download-all" not in page
    assert client.get(reverse("gallery:link-download", args=[plain])).status_code == 404
    _, locked = share_link_create(
        user=user, album=trip["album"], allow_download=True, password="open sesame"
    )
    url = reverse("gallery:link-download", args=[locked])
    assert client.get(url).status_code == 404
    client.post(reverse("gallery:link", args=[locked]), {"password": "open sesame"})
    assert len(unzip(client.get(url))) == 3


def test_a_file_that_cannot_be_read_is_named_in_the_zip(
    client_for, user, trip, media_root
):
    from django.core.files.storage import default_storage

    first, second, pier = trip["photos"]
    default_storage.delete(second.original.name)
    files = unzip(download(client_for(user), trip["album"]))
    assert set(files) == {"pier.jpg", "IMG_1.jpg", "MISSING.txt"}
    assert files["MISSING.txt"].decode() == (
        "These photos could not be read, so they are not in this zip:\n- Colosseum\n"
    )


def test_the_zip_and_its_files_have_names_every_system_takes(client_for, user, trip):
    from gallery.services.albums import album_update

    album_update(trip["album"], user=user, title="Rome: \u202e2023/24")
    response = download(client_for(user), trip["album"])
    assert 'filename="Rome_ _2023_24.zip"' in response["Content-Disposition"]


def test_a_zip_is_only_sent_for_a_get(client, client_for, user, trip):
    """A HEAD would read every original to send none of it."""
    _, token = share_link_create(user=user, album=trip["album"], allow_download=True)
    album_url = reverse("gallery:album-download", args=[trip["album"].pk])
    link_url = reverse("gallery:link-download", args=[token])
    assert client_for(user).head(album_url).status_code == 405
    assert client.head(link_url).status_code == 405
    assert client_for(user).post(album_url).status_code == 405


@contextmanager
def connection_kept():
    """Close a response by hand as the server would, keeping the test's
    database connection: closing ends the request, and on PostgreSQL that
    closed the connection the test's transaction is on."""
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_finished.connect(close_old_connections)


def test_a_few_zips_at_once_then_wait(client, client_for, user, trip, settings):
    """Each zip holds a web worker while it is sent: one account, or one
    link, downloads a few at once, and its place comes back when one ends,
    sent in full or left half way."""
    settings.IMAGEREPO_ZIPS_AT_ONCE = 2
    owner = client_for(user)
    running = [download(owner, trip["album"]) for _ in range(2)]
    refused = download(owner, trip["album"])
    assert refused.status_code == 429
    assert "Wait for a download to finish" in refused.content.decode()
    # Others are not held up by alice's.
    _, token = share_link_create(user=user, album=trip["album"], allow_download=True)
    link_url = reverse("gallery:link-download", args=[token])
    assert client.get(link_url).status_code == 200
    with connection_kept():
        running[0].close()  # left half way: never read
    assert len(unzip(download(owner, trip["album"]))) == 3
    unzip(running[1])  # sent in full
    with connection_kept():
        running[1].close()
        running[1].close()  # a second close gives nothing back twice
    more = [download(owner, trip["album"]) for _ in range(3)]
    assert [response.status_code for response in more] == [200, 200, 429]

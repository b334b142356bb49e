"""The admin's albums and shares: read-mostly, deleting and unsharing
through the album services."""

import re

import pytest
from django.urls import reverse

from gallery.models import Album, AlbumShare, Image, ShareLink
from gallery.services.albums import album_add_images, album_create, album_share
from gallery.services.links import share_link_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def albums(user, other_user, make_image):
    """Alice's "Summer" (two images, shared with Bob) and Bob's "Winter"."""
    summer = album_create(owner=user, title="Summer", description="by the sea")
    album_add_images(
        summer,
        user=user,
        images=[
            make_image(user, visibility="public"),
            make_image(user, visibility="private"),
        ],
    )
    album_share(summer, user=user, username="bob")
    winter = album_create(owner=other_user, title="Winter")
    return summer, winter


def rows(response, column):
    return re.findall(
        rf'class="field-{column}[^"]*">(?:<a [^>]*>)?([^<]+)<',
        response.content.decode(),
    )


def test_album_list_shows_owner_counts_and_date(client_for, staff_user, albums):
    response = client_for(staff_user).get(reverse("admin:gallery_album_changelist"))
    assert response.status_code == 200
    assert rows(response, "title") == ["Summer", "Winter"]
    assert rows(response, "owner") == ["alice", "bob"]
    assert rows(response, "image_count") == ["2", "0"]
    assert rows(response, "share_count") == ["1", "0"]
    assert len(rows(response, "created_at")) == 2


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "bob"}, ["Winter"]),
        ({"q": "sea"}, ["Summer"]),
        ({"q": "summ"}, ["Summer"]),
        ({"owner__id__exact": "OWNER"}, ["Summer"]),
    ],
)
def test_album_search_and_owner_filter(
    client_for, staff_user, user, albums, params, expected
):
    params = {k: str(user.pk) if v == "OWNER" else v for k, v in params.items()}
    response = client_for(staff_user).get(
        reverse("admin:gallery_album_changelist"), params
    )
    assert rows(response, "title") == expected


def test_album_page_is_read_only_and_lists_its_shares(client_for, staff_user, albums):
    summer, _ = albums
    client = client_for(staff_user)
    response = client.get(reverse("admin:gallery_album_change", args=[summer.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "by the sea" in page and "bob" in page
    assert 'name="title"' not in page  # nothing to edit
    assert client.get(reverse("admin:gallery_album_add")).status_code == 403
    client.post(
        reverse("admin:gallery_album_change", args=[summer.pk]), {"title": "Hacked"}
    )
    summer.refresh_from_db()
    assert summer.title == "Summer"


def test_deleting_an_album_keeps_its_images(client_for, staff_user, albums):
    summer, winter = albums
    response = client_for(staff_user).post(
        reverse("admin:gallery_album_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [str(summer.pk), str(winter.pk)],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not Album.objects.exists() and not AlbumShare.objects.exists()
    assert Image.objects.count() == 2


def test_share_list_search_and_stop_sharing(client_for, staff_user, other_user, albums):
    summer, _ = albums
    private = summer.images.get(visibility="private")
    assert Image.objects.visible_to(other_user).filter(pk=private.pk).exists()
    client = client_for(staff_user)
    url = reverse("admin:gallery_albumshare_changelist")
    listed = client.get(url, {"q": "bob"})
    assert rows(listed, "user") == ["bob"]
    assert rows(listed, "role") == ["Viewer"]
    assert client.get(url, {"q": "nobody"}).content.decode().count("field-user") == 0

    share = AlbumShare.objects.get()
    response = client.post(
        url, {"action": "stop_sharing", "_selected_action": [str(share.pk)]}
    )
    assert response.status_code == 302
    assert not AlbumShare.objects.exists()
    assert not Image.objects.visible_to(other_user).filter(pk=private.pk).exists()


def test_deleting_one_share_stops_it(client_for, staff_user, albums):
    share = AlbumShare.objects.get()
    client = client_for(staff_user)
    delete = reverse("admin:gallery_albumshare_delete", args=[share.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not AlbumShare.objects.exists()
    assert client.get(reverse("admin:gallery_albumshare_add")).status_code == 403


def test_link_list_shows_labels_and_finds_links_by_them(
    client_for, staff_user, user, albums
):
    summer, _ = albums
    share_link_create(user=user, album=summer, label="For Grandma")
    share_link_create(user=user, album=summer, label="Neighbours")
    share_link_create(user=user, album=summer)
    client = client_for(staff_user)
    url = reverse("admin:gallery_sharelink_changelist")
    assert rows(client.get(url), "label") == ["-", "Neighbours", "For Grandma"]
    found = client.get(url, {"q": "grandma"})
    assert rows(found, "label") == ["For Grandma"]
    assert rows(found, "target") == ["Summer"]


def test_an_open_link_is_revoked_before_it_is_deleted(
    client_for, staff_user, user, albums
):
    summer, _ = albums
    link, _ = share_link_create(user=user, album=summer)
    client = client_for(staff_user)
    change = reverse("admin:gallery_sharelink_change", args=[link.pk])
    assert "deletelink" not in client.get(change).content.decode()
    delete = reverse("admin:gallery_sharelink_delete", args=[link.pk])
    assert client.get(delete)["Location"] == change
    refused = client.post(delete, {"post": "yes"}, follow=True)
    assert "This link still works, so it cannot be deleted" in (
        refused.content.decode()
    )
    assert ShareLink.objects.filter(pk=link.pk).exists()

    actions = reverse("admin:gallery_sharelink_changelist")
    client.post(actions, {"action": "revoke", "_selected_action": [link.pk]})
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not ShareLink.objects.exists()


@pytest.mark.parametrize("what", ["album", "image"])
def test_an_open_link_does_not_stop_staff_deleting_what_it_opens(
    client_for, staff_user, user, albums, what
):
    summer, _ = albums
    image = summer.images.first()
    share_link_create(user=user, album=summer)
    share_link_create(user=user, image=image)
    url, gone = {
        "album": (
            reverse("admin:gallery_album_delete", args=[summer.pk]),
            lambda: not Album.objects.filter(pk=summer.pk).exists(),
        ),
        "image": (
            reverse("admin:gallery_image_delete", args=[image.pk]),
            lambda: Image.objects.trashed().filter(pk=image.pk).exists(),
        ),
    }[what]
    client = client_for(staff_user)
    assert client.get(url).status_code == 200
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert gone()

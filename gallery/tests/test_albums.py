"""Albums, and sharing them with accounts: who sees which photo, on every
page and file URL, and that stopping takes effect on the next request."""

import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gallery.forms import AlbumEditForm
from gallery.models import Album, AlbumImage, Image
from gallery.selectors import album_summary
from gallery.services.albums import (
    album_add_images,
    album_create,
    album_for_import,
    album_leave,
    album_remove_images,
    album_share,
    album_unshare,
    album_update,
)
from gallery.services.images import images_restore, images_trash

from .conftest import fault

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(django_user_model, user, other_user):
    """alice owns a weekend album of private photos; carol views it, dave
    contributes to it; bob (other_user) has nothing to do with it."""
    carol = django_user_model.objects.create_user("carol", password="pw-carol-123")
    dave = django_user_model.objects.create_user("dave", password="pw-dave-123")
    return {"owner": user, "viewer": carol, "contributor": dave, "other": other_user}


@pytest.fixture
def weekend(family, make_image):
    owner = family["owner"]
    album = album_create(owner=owner, title="Weekend", description="By the lake")
    private = make_image(owner, title="Lake at dawn", visibility="private")
    public = make_image(owner, title="Boat", visibility="public")
    outside = make_image(owner, title="Tax papers", visibility="private")
    album_add_images(album, user=owner, images=[private, public])
    album_share(album, user=owner, username="carol")
    album_share(album, user=owner, username="dave", role="contributor")
    return {"album": album, "private": private, "public": public, "outside": outside}


def see(client_for, who, url):
    return client_for(who).get(url).status_code


def bulk_message(client, album, action, images):
    """What the page says after ``action`` on ``images`` in Select mode."""
    data = {"action": action, "album": album.pk, "images": [i.pk for i in images]}
    response = client.post(reverse("gallery:bulk"), data, follow=True)
    return re.search(
        r'class="alert alert-\w+[^"]*"[^>]*>(.*?)<', response.content.decode(), re.S
    )[1].strip()


# Who may fetch what of the album's private photo: page and renditions for
# everyone the album is shared with, the original for its owner alone
# (sharing leaves downloads off), nothing for anyone else.
EXPECTED = {
    "owner": {"detail": 200, "thumbnail": 200, "display": 200, "original": 200},
    "viewer": {"detail": 200, "thumbnail": 200, "display": 200, "original": 404},
    "contributor": {"detail": 200, "thumbnail": 200, "display": 200, "original": 404},
    "other": {"detail": 404, "thumbnail": 404, "display": 404, "original": 404},
    "anonymous": {"detail": 404, "thumbnail": 404, "display": 404, "original": 404},
}


@pytest.mark.parametrize("who", list(EXPECTED))
@pytest.mark.parametrize("kind", ["detail", "thumbnail", "display", "original"])
def test_a_private_photo_in_a_shared_album(client_for, family, weekend, who, kind):
    person = family.get(who)
    url = reverse(f"gallery:{kind}", args=[weekend["private"].pk])
    assert see(client_for, person, url) == EXPECTED[who][kind]
    # A private photo outside the album stays its owner's alone.
    outside = reverse(f"gallery:{kind}", args=[weekend["outside"].pk])
    assert see(client_for, person, outside) == (200 if who == "owner" else 404)


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("viewer", 200), ("contributor", 200), ("other", 404)],
)
def test_the_album_page_is_for_its_owner_and_the_people_it_is_shared_with(
    client_for, family, weekend, who, status
):
    url = weekend["album"].get_absolute_url()
    response = client_for(family[who]).get(url)
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Lake at dawn" in page and "Boat" in page
        assert "Tax papers" not in page
        assert ('id="share-form"' in page) == (who == "owner")


def test_signed_out_the_album_page_asks_to_sign_in_or_is_not_found(client, weekend):
    response = client.get(weekend["album"].get_absolute_url())
    assert response.status_code == 404


def test_shared_photos_show_in_the_gallery_search_and_shared_scope(
    client_for, family, weekend, make_image
):
    carol = client_for(family["viewer"])
    assert "Lake at dawn" in carol.get(reverse("gallery:index")).content.decode()
    found = carol.get(reverse("gallery:index"), {"q": "lake"}).content.decode()
    assert "Lake at dawn" in found
    mine = make_image(family["viewer"], title="Carols own")
    shared = carol.get(reverse("gallery:index"), {"show": "shared"}).content.decode()
    assert "Lake at dawn" in shared and "Boat" in shared
    assert "Carols own" not in shared and 'aria-current="page"' in shared
    everything = carol.get(reverse("gallery:index")).content.decode()
    assert mine.title in everything
    bob = client_for(family["other"])
    assert (
        "Lake at dawn"
        not in bob.get(reverse("gallery:index"), {"q": "lake"}).content.decode()
    )


def test_the_owner_sees_a_contributors_private_photo_in_every_listing(
    client_for, family, weekend, make_image
):
    dave = family["contributor"]
    canoe = make_image(dave, title="Daves canoe", visibility="private")
    alice = client_for(family["owner"])
    index = reverse("gallery:index")
    assert canoe.title not in alice.get(index).content.decode()
    # Only the photo's owner can add it: asked by the album's owner, nothing.
    album_add_images(weekend["album"], user=family["owner"], images=[canoe])
    assert canoe.title not in alice.get(index).content.decode()
    album_add_images(weekend["album"], user=dave, images=[canoe])
    for params in ({}, {"q": "canoe"}, {"show": "shared"}, {"order": "uploaded"}):
        assert canoe.title in alice.get(index, params).content.decode(), params
    # The gallery finds others' photos by who added them: always their owner.
    entries = AlbumImage.objects.values_list("added_by", "image__owner")
    assert all(added_by == owner for added_by, owner in entries)


def test_stopping_sharing_takes_effect_on_the_next_request(client_for, family, weekend):
    carol = client_for(family["viewer"])
    thumbnail = weekend["private"].thumbnail_url  # handed out while shared
    assert carol.get(thumbnail).status_code == 200

    album_unshare(weekend["album"], user=family["owner"], person=family["viewer"])

    assert carol.get(thumbnail).status_code == 404
    assert carol.get(weekend["private"].get_absolute_url()).status_code == 404
    assert carol.get(weekend["album"].get_absolute_url()).status_code == 404
    found = carol.get(reverse("gallery:index"), {"q": "lake"}).content.decode()
    assert "Lake at dawn" not in found


def test_taking_a_photo_out_of_the_album_hides_it_from_the_album_people(
    client_for, family, weekend
):
    album_remove_images(
        weekend["album"], user=family["owner"], images=[weekend["private"]]
    )
    url = reverse("gallery:display", args=[weekend["private"].pk])
    assert see(client_for, family["viewer"], url) == 404
    assert see(client_for, family["owner"], url) == 200
    assert Image.objects.filter(pk=weekend["private"].pk).exists()


def test_adding_and_taking_out_count_only_what_changed(family, weekend):
    album, owner = weekend["album"], family["owner"]
    images = [weekend["private"], weekend["public"], weekend["outside"]]
    assert album_add_images(album, user=owner, images=images) == 1
    assert album_add_images(album, user=owner, images=images) == 0

    changed = Album.objects.get(pk=album.pk).updated_at
    assert album_remove_images(album, user=owner, images=[uuid.uuid4()]) == 0
    # Nothing taken out, nothing changed: the album is not newer for it.
    assert Album.objects.get(pk=album.pk).updated_at == changed
    assert album_remove_images(album, user=owner, images=images[1:]) == 2


def test_select_then_new_album_makes_one_of_the_chosen_photos(
    client_for, family, make_image
):
    owner = family["owner"]
    chosen = [make_image(owner, title=f"Picnic {n}") for n in range(3)]
    make_image(owner, title="Not chosen")
    alice = client_for(owner)
    gallery = alice.get(reverse("gallery:index")).content.decode()
    # Among the albums to add to, with no album yet too.
    assert '<option value="new">New album…</option>' in gallery
    data = {"action": "album-add", "album": "new", "next": "/"}
    data["images"] = [i.pk for i in chosen]

    page = alice.post(reverse("gallery:bulk"), data).content.decode()
    assert "A new album of these 3 photos" in page
    assert all(f'value="{i.pk}"' in page for i in chosen)
    assert not Album.objects.exists()  # asked first

    album_create(owner=owner, title="Picnic")
    taken = alice.post(
        reverse("gallery:bulk"), {**data, "confirmed": "1", "title": "picnic"}
    )
    assert "You already have an album called" in taken.content.decode()
    assert Album.objects.count() == 1

    made = alice.post(
        reverse("gallery:bulk"),
        {**data, "confirmed": "1", "title": "Picnic by the lake", "order": "oldest"},
        follow=True,
    )
    album = Album.objects.get(title="Picnic by the lake")
    assert made.redirect_chain == [(album.get_absolute_url(), 302)]
    assert "Album “Picnic by the lake” made with 3 photos." in made.content.decode()
    assert set(album.images.all()) == set(chosen) and album.order == "oldest"

    # "New album…" left chosen while another button is pressed: that action.
    for action in ("public", "private", "date", "delete", "album-remove"):
        other = alice.post(reverse("gallery:bulk"), {**data, "action": action})
        assert other.status_code in (200, 302), action
    assert Album.objects.count() == 2

    # Someone else's photo among them: nothing is made.
    theirs = make_image(family["other"])
    refused = alice.post(
        reverse("gallery:bulk"),
        {**data, "images": [chosen[0].pk, theirs.pk], "confirmed": "1", "title": "X"},
    )
    assert refused.status_code == 302 and not Album.objects.filter(title="X").exists()


def test_downloads_of_originals_only_when_the_share_allows_them(
    client_for, family, weekend
):
    original = reverse("gallery:original", args=[weekend["private"].pk])
    album_share(
        weekend["album"], user=family["owner"], username="carol", allow_download=True
    )
    assert see(client_for, family["viewer"], original) == 200
    assert see(client_for, family["contributor"], original) == 404
    # The photo's page offers the download to whoever may make it.
    page = weekend["private"].get_absolute_url()
    for who, offered in [("viewer", True), ("contributor", False)]:
        html = client_for(family[who]).get(page).content.decode()
        assert (f'href="{original}?download=1"' in html) == offered, who


def test_a_contributor_adds_their_own_photos_which_the_album_people_then_see(
    client_for, family, weekend, make_image
):
    dave = family["contributor"]
    mine = make_image(dave, title="Dave's canoe", visibility="private")
    response = client_for(dave).post(
        reverse("gallery:bulk"),
        {"action": "album-add", "album": weekend["album"].pk, "images": [mine.pk]},
    )
    assert response.status_code == 302
    assert weekend["album"].entries.filter(image=mine).exists()
    for who in ("owner", "viewer"):
        assert see(client_for, family[who], mine.get_absolute_url()) == 200
    assert see(client_for, family["other"], mine.get_absolute_url()) == 404


@pytest.mark.parametrize("who", ["viewer", "other"])
def test_people_who_may_not_add_cannot_add(
    client_for, family, weekend, make_image, who
):
    theirs = make_image(family[who], title="Theirs")
    response = client_for(family[who]).post(
        reverse("gallery:bulk"),
        {"action": "album-add", "album": weekend["album"].pk, "images": [theirs.pk]},
        follow=True,
    )
    assert "not one you can change" in response.content.decode()
    assert not weekend["album"].entries.filter(image=theirs).exists()


def test_nobody_adds_someone_elses_photo(client_for, family, weekend):
    owner_album = album_create(owner=family["other"], title="Bob's")
    response = client_for(family["other"]).post(
        reverse("gallery:bulk"),
        {
            "action": "album-add",
            "album": owner_album.pk,
            "images": [weekend["outside"].pk],
        },
        follow=True,
    )
    assert "not yours" in response.content.decode()
    assert not AlbumImage.objects.filter(album=owner_album).exists()


@pytest.mark.parametrize("page", ["album-edit", "album-delete", "album-share"])
@pytest.mark.parametrize("who", ["viewer", "contributor", "other"])
def test_only_the_owner_changes_shares_or_deletes_an_album(
    client_for, family, weekend, page, who
):
    url = reverse(f"gallery:{page}", args=[weekend["album"].pk])
    client = client_for(family[who])
    assert client.post(url, {"title": "Mine now", "username": "bob"}).status_code == 404
    weekend["album"].refresh_from_db()
    assert weekend["album"].title == "Weekend"
    assert weekend["album"].shares.count() == 2


def test_a_deleted_accounts_albums_are_shared_no_more(
    client_for, family, weekend, make_image
):
    from gallery.services.accounts import account_delete, account_undelete

    contributor = family["contributor"]
    theirs = make_image(contributor, title="Dave's hut", visibility="private")
    album_add_images(weekend["album"], user=contributor, images=[theirs])
    viewer = client_for(family["viewer"])
    album_url = weekend["album"].get_absolute_url()
    assert viewer.get(album_url).status_code == 200
    assert viewer.get(theirs.get_absolute_url()).status_code == 200

    account_delete(user=family["owner"])
    # Neither the album, its title, nor a contributor's photo through it.
    assert viewer.get(album_url).status_code == 404
    assert "Weekend" not in viewer.get(reverse("gallery:albums")).content.decode()
    assert viewer.get(theirs.get_absolute_url()).status_code == 404
    assert viewer.get(reverse("gallery:thumbnail", args=[theirs.pk])).status_code == 404
    # The contributor keeps their own photo, and sees it; the album is gone.
    dave = client_for(contributor)
    assert dave.get(theirs.get_absolute_url()).status_code == 200
    assert dave.get(album_url).status_code == 404

    account_undelete(user=family["owner"])
    assert viewer.get(album_url).status_code == 200


def test_a_switched_off_accounts_originals_are_shared_no_more(
    client_for, family, weekend
):
    album, owner = weekend["album"], family["owner"]
    album_share(album, user=owner, username="carol", allow_download=True)
    original = reverse("gallery:original", args=[weekend["private"].pk])
    carol = client_for(family["viewer"])
    assert carol.get(original).status_code == 200
    owner.is_active = False  # an administrator switched the account off
    owner.save(update_fields=["is_active"])
    assert carol.get(original).status_code == 404
    assert carol.get(weekend["private"].get_absolute_url()).status_code == 404


def test_a_switched_off_contributors_photos_are_shared_no_more(
    client_for, family, weekend, make_image
):
    album, dave = weekend["album"], family["contributor"]
    canoe = make_image(dave, title="Dave's canoe", visibility="private")
    album_add_images(album, user=dave, images=[canoe])
    # Dave's own album, shared with carol too: closed with his account.
    daves = album_create(owner=dave, title="Dave's")
    album_add_images(daves, user=dave, images=[canoe])
    album_share(daves, user=dave, username="carol")
    files = [
        canoe.get_absolute_url(),
        reverse("gallery:thumbnail", args=[canoe.pk]),
        reverse("gallery:display", args=[canoe.pk]),
    ]

    def seen_by(who):
        client = client_for(family[who])
        shown = client.get(album.get_absolute_url()).context["page"].items
        return (
            [client.get(url).status_code for url in files],
            canoe in shown,
            canoe in client.get("/?show=shared").context["page"].items,
        )

    assert seen_by("viewer") == ([200] * 3, True, True)
    assert seen_by("owner")[1] is True
    assert Image.objects.shared_with(family["owner"]) is not None
    dave.is_active = False  # an administrator switched the account off
    dave.save(update_fields=["is_active"])
    # Through anyone's album: the page, its files, the lists and the counts.
    assert seen_by("viewer") == ([404] * 3, False, False)
    assert seen_by("owner")[1] is False
    # The owner's pages leave out the part of others' photos altogether.
    assert Image.objects.shared_with(family["owner"]) is None
    # A cover chosen among its photos is kept, not shown.
    album_update(album, user=family["owner"], cover=canoe)
    edit = client_for(family["owner"]).get(
        reverse("gallery:album-edit", args=[album.pk])
    )
    assert "Keep the chosen cover (its owner’s account is switched off)" in (
        edit.content.decode()
    )
    assert files[1] not in edit.content.decode()
    assert album_summary(viewer=family["viewer"], album=album).image_count == 2
    assert client_for(family["viewer"]).get(daves.get_absolute_url()).status_code == 404
    dave.is_active = True
    dave.save(update_fields=["is_active"])
    assert seen_by("viewer") == ([200] * 3, True, True)
    assert album_summary(viewer=family["viewer"], album=album).image_count == 3


def test_a_contributor_made_a_viewer_may_still_take_their_photos_out(
    client_for, family, weekend, make_image
):
    album, dave = weekend["album"], family["contributor"]
    canoe = make_image(dave, title="Dave's canoe", visibility="private")
    album_add_images(album, user=dave, images=[canoe])
    album_share(album, user=family["owner"], username="dave", role="viewer")
    client = client_for(dave)
    page = client.get(album.get_absolute_url()).content.decode()
    assert f'name="images" value="{canoe.pk}"' in page
    assert 'value="album-remove"' in page

    def bulk(action, images):
        return bulk_message(client, album, action, images)

    assert bulk("album-add", [canoe]).startswith("That album is not one you can")
    assert bulk("album-remove", [weekend["public"]]).startswith("Some of")
    assert bulk("album-remove", [canoe]) == (
        "1 photo taken out of “Weekend” (it stays in your library)."
    )
    assert see(client_for, family["viewer"], canoe.get_absolute_url()) == 404
    assert not album.entries.filter(image=canoe).exists()
    with pytest.raises(PermissionDenied):  # not shared with them at all
        album_remove_images(album, user=family["other"], images=[canoe])


def listed_shares(client, album):
    response = client.get(album.get_absolute_url())
    section = re.search(
        r'<section id="sharing".*?</section>', response.content.decode(), re.S
    )[0]
    return [share.user.username for share in response.context["shares"]], section


def test_the_sharing_section_names_the_roles_in_the_pages_words(
    client_for, family, weekend
):
    _, section = listed_shares(client_for(family["owner"]), weekend["album"])
    shares = re.findall(
        r'<span class="text-body-secondary small">(.*?)</span>', section
    )
    assert shares == ["Viewer", "Contributor (may add their own photos)"]
    options = re.findall(r'<option value="(\w+)"[^>]*>(.*?)</option>', section)
    assert options == [
        ("viewer", "Viewer"),
        ("contributor", "Contributor (may add their own photos)"),
    ]


def test_adding_and_taking_out_says_how_many_photos(
    client_for, family, weekend, make_image
):
    owner, album = family["owner"], weekend["album"]
    client = client_for(owner)
    canoe, tent = make_image(owner, title="Canoe"), make_image(owner, title="Tent")

    def bulk(action, images):
        return bulk_message(client, album, action, images)

    assert bulk("album-add", [canoe]) == "1 photo added to “Weekend”."
    assert bulk("album-add", [canoe, tent]) == (
        "1 photo added to “Weekend” (1 already in it)."
    )
    assert bulk("album-remove", [canoe, tent]) == (
        "2 photos taken out of “Weekend” (they stay in your library)."
    )


def test_a_search_names_the_albums_whose_titles_hold_its_words(
    client_for, family, weekend
):
    owner = family["owner"]
    album_create(owner=owner, title="Summer 2019")
    album_create(owner=family["other"], title="Bob's summer")  # not shared

    def named(who, query):
        page = client_for(who).get(reverse("gallery:index"), {"q": query})
        section = re.search(r'id="search-albums".*?</nav>', page.content.decode(), re.S)
        return (
            re.findall(r'<a href="[^"]+" class="text-break">(.*?)</a>', section[0])
            if section
            else []
        )

    assert named(owner, "summer") == ["Summer 2019"]
    assert named(owner, "SUMMER 2019") == ["Summer 2019"]
    assert named(owner, "winter") == []
    assert named(family["viewer"], "week") == ["Weekend (alice’s)"]
    assert named(family["other"], "weekend") == []
    assert named(None, "summer") == []
    # However many words: only a search's first words are looked for.
    assert named(owner, "summer " * 2000) == ["Summer 2019"]


def test_a_photos_page_names_its_albums_and_adds_it_to_one(client_for, family, weekend):
    owner, public = family["owner"], weekend["public"]
    trips = album_create(owner=owner, title="Trips")
    client = client_for(owner)
    page = client.get(public.get_absolute_url()).content.decode()
    assert re.search(r'id="info-albums"><a href="[^"]+">Weekend</a></dd>', page)
    assert f'<option value="{trips.pk}">Trips</option>' in page
    assert f'<option value="{weekend["album"].pk}">' not in page  # in it already

    data = {"action": "album-add", "album": trips.pk, "images": [public.pk]}
    data["next"] = public.get_absolute_url()
    done = client.post(reverse("gallery:bulk"), data, follow=True)
    assert done.redirect_chain == [(public.get_absolute_url(), 302)]
    page = done.content.decode()
    assert "1 photo added to “Trips”." in page
    assert re.search(r'id="info-albums">.*>Trips</a>, <a .*>Weekend</a>', page)

    # Others see the albums they may open, and nothing to add it with.
    carol = client_for(family["viewer"]).get(public.get_absolute_url())
    page = carol.content.decode()
    assert re.search(r'id="info-albums"><a [^>]+>Weekend \(alice’s\)</a></dd>', page)
    assert "detail-add-album" not in page
    bob = client_for(family["other"]).get(public.get_absolute_url()).content.decode()
    assert "info-albums" not in bob and "detail-add-album" not in bob


def test_the_owner_selects_and_takes_out_a_contributors_photos(
    client_for, family, weekend, make_image
):
    owner, dave, album = family["owner"], family["contributor"], weekend["album"]
    canoe = make_image(dave, title="Canoe", visibility="private")
    album_add_images(album, user=dave, images=[canoe])
    checkbox = f'name="images" value="{canoe.pk}"'
    page = client_for(owner).get(album.get_absolute_url()).content.decode()
    assert checkbox in page
    assert page.count('title="Added by dave"') == 1
    # Others see it without a box to tick: neither theirs nor their album.
    for who in ("viewer", "contributor"):
        page = client_for(family[who]).get(album.get_absolute_url()).content.decode()
        assert (checkbox in page) == (who == "contributor")

    def bulk(who, action, images):
        return bulk_message(client_for(who), album, action, images)

    # Only out of the album: nothing else is the album owner's to change.
    assert bulk(owner, "private", [canoe, weekend["public"]]) == (
        "Some of the selected photos are not yours or are gone; nothing was changed."
    )
    # A contributor takes out their own photos alone.
    assert bulk(dave, "album-remove", [weekend["public"]]).startswith("Some of")
    assert album.entries.filter(image=weekend["public"]).exists()
    assert bulk(owner, "album-remove", [canoe, weekend["public"]]) == (
        "2 photos taken out of “Weekend” (they stay in their library)."
    )
    assert not album.entries.filter(image=canoe).exists()
    assert Image.objects.filter(pk=canoe.pk, owner=dave).exists()


@pytest.mark.parametrize("how", ["deleted", "switched off"])
def test_a_closed_account_is_no_longer_listed_among_the_shares(
    client_for, family, weekend, how
):
    from gallery.services.accounts import account_delete, account_undelete

    album, dave = weekend["album"], family["contributor"]
    album_share(
        album,
        user=family["owner"],
        username="dave",
        role="contributor",
        allow_download=True,
    )
    alice = client_for(family["owner"])
    assert listed_shares(alice, album)[0] == ["carol", "dave"]

    if how == "deleted":
        account_delete(user=dave)
    else:  # by an administrator
        dave.is_active = False
        dave.save(update_fields=["is_active"])
    names, section = listed_shares(alice, album)
    assert names == ["carol"]
    assert "dave" not in section and "carol" in section
    # As sharing with it again says, there is no such account now.
    share = reverse("gallery:album-share", args=[album.pk])
    again = alice.post(share, {"username": "dave", "role": "viewer"}, follow=True)
    assert "There is no account called “dave”" in again.content.decode()
    assert listed_shares(alice, album)[0] == ["carol"]

    # The share is kept, as it was, for when the account is back.
    if how == "deleted":
        account_undelete(user=dave)
    else:
        dave.is_active = True
        dave.save(update_fields=["is_active"])
    names, section = listed_shares(alice, album)
    assert names == ["carol", "dave"]
    assert "Contributor (may add their own photos) · may download originals" in (
        section
    )


def test_the_cover_is_picked_from_the_albums_photos_shown_as_such(
    client_for, family, weekend, make_image
):
    album, owner = weekend["album"], family["owner"]
    theirs = make_image(family["contributor"], title="Dave's hut")
    album_add_images(album, user=family["contributor"], images=[theirs])
    gone = make_image(owner, title="Gone")
    album_add_images(album, user=owner, images=[gone])
    images_trash(Image.objects.filter(pk=gone.pk))
    alice = client_for(owner)
    edit = reverse("gallery:album-edit", args=[album.pk])

    page = alice.get(edit).content.decode()
    choices = re.findall(r'<label class="cover-choice"[^>]*>\s*(<input[^>]*>)', page)
    values = [re.search(r'value="([^"]*)"', tag)[1] for tag in choices]
    # Each photo still in the album, by its thumbnail, and "the newest" first.
    assert values[0] == "" and "checked" in choices[0]
    assert sorted(values[1:]) == sorted(
        str(image.pk) for image in (weekend["private"], weekend["public"], theirs)
    )
    for image in (weekend["private"], weekend["public"], theirs):
        assert f'src="{image.thumbnail_url}"' in page

    data = {"title": "Weekend", "description": ""}
    alice.post(edit, {**data, "cover": theirs.pk})
    assert re.search(
        rf'value="{theirs.pk}"[^>]*checked', alice.get(edit).content.decode()
    )
    for refused in (gone.pk, weekend["outside"].pk):
        response = alice.post(edit, {**data, "cover": refused})
        assert "That photo is not in this album: choose one that is." in (
            response.content.decode()
        )
    response = alice.post(edit, {**data, "cover": "nonsense"})
    assert "is not a valid UUID" in response.content.decode()
    album.refresh_from_db()
    assert album.cover == theirs


def test_a_big_albums_cover_is_picked_from_its_newest_photos_and_says_so(
    client_for, family, weekend, monkeypatch
):
    from datetime import UTC, datetime

    from gallery import forms

    monkeypatch.setattr(forms, "COVER_CHOICES", 2)
    album, owner = weekend["album"], family["owner"]
    oldest, middle, newest = weekend["private"], weekend["public"], weekend["outside"]
    for year, image in ((1999, oldest), (2005, middle), (2010, newest)):
        Image.objects.filter(pk=image.pk).update(
            taken_at=datetime(year, 1, 1, tzinfo=UTC)
        )
    edit = reverse("gallery:album-edit", args=[album.pk])
    alice = client_for(owner)

    def picker():
        page = alice.get(edit).content.decode()
        offered = re.findall(r'name="cover" value="([^"]+)"', page)
        return [Image.objects.get(pk=pk) for pk in offered], page

    offered, page = picker()
    assert offered == [middle, oldest]
    assert "are offered here" not in page  # every photo is
    album_add_images(album, user=owner, images=[newest])
    offered, page = picker()
    assert offered == [newest, middle]  # the oldest, past 2, is not
    assert "Only the newest 2 photos are offered here." in page
    # The present cover is offered however old it is, and first: in sight.
    album_update(album, user=owner, cover=oldest)
    offered, page = picker()
    assert offered == [oldest, newest, middle]
    assert checked_covers(page) == [str(oldest.pk)]
    assert "Only the newest 2 photos and the present cover are offered here." in (page)
    album_update(album, user=owner, cover=middle)
    assert picker()[0] == [middle, newest]


def checked_covers(page):
    return re.findall(r'name="cover" value="([^"]*)"[^>]*checked', page)


@pytest.mark.parametrize("whose", ["owner", "contributor"])
def test_a_cover_in_the_trash_stays_chosen_for_when_it_comes_back(
    client_for, family, weekend, make_image, whose
):
    album, owner = weekend["album"], family["owner"]
    chosen = make_image(family[whose], title="Chosen", visibility="private")
    album_add_images(album, user=family[whose], images=[chosen])
    newest = weekend["public"]
    Image.objects.filter(pk=chosen.pk).update(
        taken_at=newest.taken_at - timedelta(days=1)
    )
    alice = client_for(owner)
    edit = reverse("gallery:album-edit", args=[album.pk])
    alice.post(edit, {"title": "Weekend", "description": "", "cover": chosen.pk})
    images_trash(Image.objects.filter(pk=chosen.pk))

    # Meanwhile the album shows its newest photo.
    albums = alice.get(reverse("gallery:albums"))
    assert albums.context["own"][0].cover == newest
    assert newest.thumbnail_url in albums.content.decode()
    assert chosen.thumbnail_url not in albums.content.decode()
    page = alice.get(edit).content.decode()
    assert checked_covers(page) == [str(chosen.pk)]
    trash = "your trash" if whose == "owner" else "the trash"
    assert f"Keep the chosen cover (in {trash})" in page
    assert "until it is restored, the album shows its newest photo" in page

    # Saving other changes sends the choice the page holds, and keeps it.
    alice.post(edit, {"title": "Lake", "description": "", "cover": chosen.pk})
    album.refresh_from_db()
    assert (album.title, album.cover_id) == ("Lake", chosen.pk)

    images_restore(Image.objects.filter(pk=chosen.pk))
    assert alice.get(reverse("gallery:albums")).context["own"][0].cover == chosen
    page = alice.get(edit).content.decode()
    assert checked_covers(page) == [str(chosen.pk)]
    assert f'src="{chosen.thumbnail_url}"' in page
    assert "Keep the chosen cover" not in page and "is in the trash" not in page


def test_the_cover_form_offers_the_present_cover_alone_from_the_trash(
    family, weekend, make_image
):
    album, owner = weekend["album"], family["owner"]
    chosen, gone = weekend["private"], make_image(owner, title="Gone")
    album_add_images(album, user=owner, images=[gone])
    album_update(album, user=owner, cover=chosen)
    images_trash(Image.objects.filter(pk__in=[chosen.pk, gone.pk]))

    form = AlbumEditForm(instance=album, viewer=owner)
    assert form.cover_in_trash == chosen
    assert form["cover"].value() == chosen.pk
    assert set(form.fields["cover"].queryset) == {chosen, weekend["public"]}
    data = {"title": "Weekend", "description": ""}
    kept = AlbumEditForm({**data, "cover": chosen.pk}, instance=album, viewer=owner)
    assert kept.is_valid(), kept.errors
    assert kept.cleaned_data["cover"] == chosen
    other = AlbumEditForm({**data, "cover": gone.pk}, instance=album, viewer=owner)
    assert other.errors["cover"] == [
        "That photo is not in this album: choose one that is."
    ]
    # Only the owner picks the cover: what waits in the trash is theirs to know.
    with pytest.raises(PermissionDenied):
        AlbumEditForm(instance=album, viewer=family["viewer"])


def test_only_the_present_cover_may_be_kept_from_the_trash(family, weekend, make_image):
    album, owner = weekend["album"], family["owner"]
    chosen, gone = weekend["private"], make_image(owner, title="Gone")
    album_add_images(album, user=owner, images=[gone])
    album_update(album, user=owner, cover=chosen)
    images_trash(Image.objects.filter(pk__in=[chosen.pk, gone.pk]))

    album_update(album, user=owner, title="Renamed")
    album_update(album, user=owner, title="Weekend", cover=chosen.pk)
    album.refresh_from_db()
    assert album.cover == chosen
    # Another photo in the trash is refused, even set on the instance (as a
    # model form does) before the service is asked.
    album.cover = gone
    with pytest.raises(ValidationError) as refused:
        album_update(album, user=owner, cover=gone)
    assert fault(refused.value) == ("cover", "cover_not_in_album")
    album.refresh_from_db()
    assert album.cover == chosen
    # Once the choice is given up, the photo in the trash is no cover to pick.
    album_update(album, user=owner, cover=False)
    with pytest.raises(ValidationError):
        album_update(album, user=owner, cover=chosen)
    album.refresh_from_db()
    assert album.cover is None


def test_album_titles_are_one_album_in_any_case(family):
    owner = family["owner"]
    christmas = album_create(owner=owner, title="Christmas 2020")
    easter = album_create(owner=owner, title="Easter")
    for make in (
        lambda: album_create(owner=owner, title="christmas 2020"),
        lambda: album_update(easter, user=owner, title="CHRISTMAS 2020"),
    ):
        with pytest.raises(ValidationError) as refused:
            make()
        assert fault(refused.value) == ("title", "album_exists")
    # A case change of its own title is a rename like any other.
    album_update(christmas, user=owner, title="Christmas 2020 ")
    album_update(christmas, user=owner, title="CHRISTMAS 2020")
    # The importer and the upload page's "New album…" find it so too.
    assert album_for_import(owner=owner, title="christmas 2020") == christmas
    # Titles alike from before: the one written so, else the oldest.
    twin = Album.objects.create(owner=owner, title="Christmas 2020")
    assert album_for_import(owner=owner, title="Christmas 2020") == twin
    assert album_for_import(owner=owner, title="christmas 2020") == christmas
    # Beyond A to Z too, as a person reads them.
    ete = album_create(owner=owner, title="Été 2021")
    for title in ("été 2021", "ÉTÉ 2021"):
        with pytest.raises(ValidationError):
            album_create(owner=owner, title=title)
        assert album_for_import(owner=owner, title=title) == ete
    street = album_create(owner=owner, title="Straße")
    assert album_for_import(owner=owner, title="STRASSE") == street
    # Someone else's title is no matter.
    other = family["other"]
    assert album_for_import(owner=other, title="christmas 2020").owner == other


def test_making_renaming_sharing_and_deleting_an_album_in_pages(
    client_for, family, make_image
):
    alice = client_for(family["owner"])
    response = alice.post(
        reverse("gallery:albums"), {"title": "Picnic", "description": ""}
    )
    album = Album.objects.get(title="Picnic")
    assert response.url == album.get_absolute_url()
    assert album.order == "newest"  # a page from before the choice
    alice.post(reverse("gallery:albums"), {"title": "Trip", "order": "oldest"})
    assert Album.objects.get(title="Trip").order == "oldest"
    again = alice.post(reverse("gallery:albums"), {"title": "Picnic"})
    assert "You already have an album called “Picnic”" in again.content.decode()

    photo = make_image(family["owner"], title="Sandwiches")
    alice.post(
        reverse("gallery:bulk"),
        {"action": "album-add", "album": album.pk, "images": [photo.pk]},
    )
    edit = reverse("gallery:album-edit", args=[album.pk])
    alice.post(
        edit, {"title": "Picnic 2024", "description": "Sunny", "cover": photo.pk}
    )
    album.refresh_from_db()
    assert (album.title, album.description, album.cover) == (
        "Picnic 2024",
        "Sunny",
        photo,
    )

    share = reverse("gallery:album-share", args=[album.pk])
    nobody = alice.post(share, {"username": "nobody", "role": "viewer"}, follow=True)
    assert "There is no account called “nobody”" in nobody.content.decode()
    itself = alice.post(share, {"username": "alice", "role": "viewer"}, follow=True)
    assert "This is your own album" in itself.content.decode()
    alice.post(share, {"username": "carol", "role": "viewer"})
    assert list(album.shares.values_list("user__username", flat=True)) == ["carol"]
    listing = (
        client_for(family["viewer"]).get(reverse("gallery:albums")).content.decode()
    )
    assert "Picnic 2024" in listing and "from alice" in listing

    delete = reverse("gallery:album-delete", args=[album.pk])
    assert "Delete the album “Picnic 2024”?" in alice.get(delete).content.decode()
    alice.post(delete)
    assert not Album.objects.filter(pk=album.pk).exists()
    assert Image.objects.filter(pk=photo.pk).exists()  # the photos stay


def test_the_album_page_pages_in_date_taken_order(
    client_for, family, bulk_images, settings
):
    from datetime import UTC, datetime

    settings.IMAGEREPO_GALLERY_PAGE_SIZE = 2
    owner = family["owner"]
    album = album_create(owner=owner, title="Years")
    for year in (2001, 2003, 2002):
        (image,) = bulk_images(
            owner, [f"Year {year}"], taken_at=datetime(year, 1, 1, tzinfo=UTC)
        )
        AlbumImage.objects.create(album=album, image=image, added_by=owner)
    page = client_for(owner).get(album.get_absolute_url()).content.decode()
    assert page.index("Year 2003") < page.index("Year 2002")
    assert "Year 2001" not in page and 'rel="next"' in page


def test_an_album_set_to_oldest_first_reads_forwards_on_every_page(
    client, client_for, family, bulk_images, settings
):
    from datetime import UTC, datetime

    from gallery.pagination import ORDERS, encode_cursor
    from gallery.services.links import share_link_create

    settings.IMAGEREPO_GALLERY_PAGE_SIZE = 2
    owner = family["owner"]
    album = album_create(owner=owner, title="Trip")
    for year in (2004, 2001, 2003, 2002, 2005):
        (image,) = bulk_images(
            owner, [f"Day {year}"], taken_at=datetime(year, 1, 1, tzinfo=UTC)
        )
        AlbumImage.objects.create(album=album, image=image, added_by=owner)
    alice = client_for(owner)
    edit = reverse("gallery:album-edit", args=[album.pk])
    response = alice.post(edit, {"title": "Trip", "description": "", "order": "oldest"})
    assert response.status_code == 302
    album.refresh_from_db()
    assert album.order == "oldest"

    def read(client, url):
        page = client.get(url)
        days = [image.title for image in page.context["page"].items]
        return days, page.context["page"], page.content.decode()

    days, page, text = read(alice, album.get_absolute_url())
    assert days == ["Day 2001", "Day 2002"]
    assert "Later »" in text and "Older" not in text
    url = f"{album.get_absolute_url()}?after={page.next_cursor}"
    days, second, text = read(alice, url)
    assert days == ["Day 2003", "Day 2004"]
    assert "‹ Earlier" in text and "« First" in text
    back = f"{album.get_absolute_url()}?before={second.newer_cursor}"
    assert read(alice, back)[0] == ["Day 2001", "Day 2002"]
    # Whoever it is shared with, and a link to it, read it the same way.
    first = ["Day 2001", "Day 2002"]
    album_share(album, user=owner, username="carol")
    assert read(client_for(family["viewer"]), album.get_absolute_url())[0] == first
    _, token = share_link_create(user=owner, album=album)
    assert read(client, reverse("gallery:link", args=[token]))[0] == first
    # A cursor of the newest-first order is not this one's: the first page.
    newest = encode_cursor(ORDERS["taken"].key(Image.objects.get(title="Day 2004")))
    assert read(alice, f"{album.get_absolute_url()}?after={newest}")[0] == first
    # An edit page from before the choice leaves it as it is.
    alice.post(edit, {"title": "Trip 2", "description": ""})
    album.refresh_from_db()
    assert (album.title, album.order) == ("Trip 2", "oldest")
    # An order the form does not offer changes nothing and says so.
    refused = alice.post(edit, {"title": "Trip 3", "order": "sideways"})
    assert "Select a valid choice" in refused.content.decode()
    album.refresh_from_db()
    assert (album.title, album.order) == ("Trip 2", "oldest")


def test_a_share_allowing_downloads_hands_out_the_owners_originals_only(
    client_for, family, weekend, make_image
):
    dave = family["contributor"]
    canoe = make_image(dave, title="Canoe", visibility="private")
    album_add_images(weekend["album"], user=dave, images=[canoe])
    album_share(
        weekend["album"], user=family["owner"], username="carol", allow_download=True
    )
    carol = family["viewer"]
    assert (
        see(
            client_for, carol, reverse("gallery:original", args=[weekend["private"].pk])
        )
        == 200
    )
    assert see(client_for, carol, reverse("gallery:display", args=[canoe.pk])) == 200
    assert see(client_for, carol, reverse("gallery:original", args=[canoe.pk])) == 404


def test_a_contributors_photos_leave_with_them_when_sharing_stops(
    client_for, family, weekend, make_image
):
    dave = family["contributor"]
    canoe = make_image(dave, title="Canoe", visibility="private")
    album_add_images(weekend["album"], user=dave, images=[canoe])
    album_update(weekend["album"], user=family["owner"], cover=canoe)
    album_unshare(weekend["album"], user=family["owner"], person=dave)
    assert not weekend["album"].entries.filter(image=canoe).exists()
    for who in ("owner", "viewer"):
        assert see(client_for, family[who], canoe.get_absolute_url()) == 404
    # Nor is it the cover any more, to come back if dave added it again.
    weekend["album"].refresh_from_db()
    assert weekend["album"].cover is None


@pytest.mark.parametrize("who", ["viewer", "contributor"])
def test_stopping_a_share_asks_first(client_for, family, weekend, who):
    album, person = weekend["album"], family[who]
    url = reverse("gallery:album-share", args=[album.pk])
    owner = client_for(family["owner"])
    asked = owner.post(url, {"stop": str(person.pk)})
    assert asked.status_code == 200
    page = " ".join(asked.content.decode().split())
    assert f"Stop sharing “Weekend” with {person.username}?" in page
    assert ("The photos they added leave it" in page) == (who == "contributor")
    assert album.shares.count() == 2

    done = owner.post(url, {"stop": str(person.pk), "confirmed": "1"})
    assert done.status_code == 302
    assert not album.shares.filter(user=person).exists()
    assert album.shares.count() == 1
    # The question again, from Back: said, not a "not found".
    again = owner.post(url, {"stop": str(person.pk), "confirmed": "1"}, follow=True)
    assert "The album is not shared with them any more." in again.content.decode()


@pytest.mark.parametrize("who", ["viewer", "contributor"])
def test_someone_an_album_is_shared_with_may_leave_it(
    client_for, family, weekend, make_image, who
):
    album, person = weekend["album"], family[who]
    own = make_image(person, title="Mine", visibility="private")
    if who == "contributor":
        album_add_images(album, user=person, images=[own])
    client = client_for(person)
    page = client.get(album.get_absolute_url()).content.decode()
    url = reverse("gallery:album-leave", args=[album.pk])
    assert f'href="{url}"' in page

    asked = client.get(url)
    assert asked.status_code == 200
    text = " ".join(asked.content.decode().split())
    assert "Leave “Weekend”?" in text
    assert "Only alice can share it with you again." in text
    assert ("The photos you added leave it" in text) == (who == "contributor")
    assert album.shares.filter(user=person).exists()

    left = client.post(url, {"confirmed": "1"}, follow=True)
    assert left.redirect_chain == [(reverse("gallery:albums"), 302)]
    assert "You left “Weekend”." in left.content.decode()
    assert not album.shares.filter(user=person).exists()
    assert album.shares.count() == 1
    assert not album.entries.filter(image=own).exists()
    assert client.get(album.get_absolute_url()).status_code == 404
    url = reverse("gallery:display", args=[weekend["private"].pk])
    assert client.get(url).status_code == 404
    # Their photo is theirs still.
    assert client.get(own.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("who", ["owner", "other", "anonymous"])
def test_only_someone_it_is_shared_with_may_leave_an_album(
    client_for, family, weekend, who
):
    album = weekend["album"]
    client = client_for(family.get(who))
    url = reverse("gallery:album-leave", args=[album.pk])
    assert client.get(url).status_code == 404
    posted = client.post(url, {"confirmed": "1"}, follow=True)
    if who == "anonymous":
        assert posted.status_code == 404
    else:  # as for a question answered already, come back to with Back
        assert posted.redirect_chain == [(reverse("gallery:albums"), 302)]
        assert "That album is not shared with you." in posted.content.decode()
    assert album.shares.count() == 2
    if who == "owner":
        assert url not in client.get(album.get_absolute_url()).content.decode()
        with pytest.raises(PermissionDenied):
            album_leave(album, user=family["owner"])


@pytest.mark.parametrize("value", ["abc", "1e3", "", "²", "99999999999999999999999"])
def test_stop_sharing_with_nonsense_is_not_found(client_for, family, weekend, value):
    url = reverse("gallery:album-share", args=[weekend["album"].pk])
    response = client_for(family["owner"]).post(url, {"stop": value})
    assert response.status_code == 404
    assert weekend["album"].shares.count() == 2


def test_stop_sharing_with_a_switched_off_account_is_not_found(
    client_for, family, weekend
):
    # Not listed among the shares, so not one to stop (as in the API).
    viewer = family["viewer"]
    type(viewer).objects.filter(pk=viewer.pk).update(is_active=False)
    url = reverse("gallery:album-share", args=[weekend["album"].pk])
    response = client_for(family["owner"]).post(url, {"stop": str(viewer.pk)})
    assert response.status_code == 404
    assert weekend["album"].shares.count() == 2


def test_the_albums_page_asks_the_same_queries_for_one_album_or_many(
    client_for, family, bulk_images
):
    owner, viewer = family["owner"], family["viewer"]
    old, new, trashed = bulk_images(
        owner, ["Old", "New", "Trashed"], visibility="private"
    )
    Image.objects.filter(pk=old.pk).update(taken_at=new.taken_at - timedelta(days=1))

    client = client_for(viewer)
    client.get(reverse("gallery:albums"))  # signed in before counting

    def queries_for_albums_page():
        with CaptureQueriesContext(connection) as ran:
            response = client.get(reverse("gallery:albums"))
        assert response.status_code == 200
        return len(ran.captured_queries), response.context

    album = album_create(owner=owner, title="First")
    album_add_images(album, user=owner, images=[old, new, trashed])
    Image.objects.filter(pk=trashed.pk).update(trashed_at=timezone.now())
    album_share(album, user=owner, username=viewer.username)
    one, _ = queries_for_albums_page()
    for n in "DCBA":
        more = album_create(owner=owner, title=f"More {n}")
        album_add_images(more, user=owner, images=[old])
        album_share(more, user=owner, username=viewer.username, role="contributor")
        album_create(owner=viewer, title=f"Own {n}")
    many, context = queries_for_albums_page()
    assert many == one
    assert [a.title for a in context["own"]] == ["Own A", "Own B", "Own C", "Own D"]
    shared = context["shared"]
    assert [a.title for a in shared] == ["First", *(f"More {n}" for n in "ABCD")]
    # The trashed image counts nowhere; without a cover the newest taken leads.
    assert (shared[0].image_count, shared[0].cover) == (2, new)
    assert [a.role for a in shared] == ["viewer", *["contributor"] * 4]
    assert {a.role for a in context["own"]} == {"owner"}


@pytest.fixture
def everyone(family, django_user_model):
    stranger = django_user_model.objects.create_user("erin", password="pw-erin-123")
    return {**family, "stranger": stranger, "anonymous": AnonymousUser()}


@pytest.mark.parametrize(
    ("who", "opens"),
    [
        ("owner", True),
        ("viewer", True),
        ("contributor", True),
        ("other", False),
        ("stranger", False),
        ("anonymous", False),
    ],
)
def test_an_albums_images_are_all_its_live_ones_for_those_who_may_open_it(
    everyone, weekend, make_image, who, opens
):
    album = weekend["album"]
    mine = make_image(everyone["contributor"], title="Dave's", visibility="private")
    album_add_images(album, user=everyone["contributor"], images=[mine])
    gone = make_image(everyone["owner"], title="Gone", visibility="public")
    album_add_images(album, user=everyone["owner"], images=[gone])
    images_trash(Image.objects.filter(pk=gone.pk))
    viewer = everyone[who]

    found = set(Image.objects.in_album(album, viewer=viewer))
    if opens:
        assert found == set(Image.objects.visible_to(viewer).filter(albums=album))
        assert found == {weekend["private"], weekend["public"], mine}
    else:
        assert found == set()
    summary = album_summary(viewer=viewer, album=album)
    expected = (3, "owner" if who == "owner" else who) if opens else (0, None)
    assert (summary.image_count, summary.role) == expected


def test_sharing_finds_the_account_whatever_the_case_unless_that_is_ambiguous(
    family, weekend, django_user_model
):
    owner, album = family["owner"], weekend["album"]
    share = album_share(album, user=owner, username=" CAROL ")
    assert share.user == family["viewer"]
    django_user_model.objects.create_user("Sam", password="pw-sam-123")
    django_user_model.objects.create_user("sam", password="pw-sam-456")
    assert album_share(album, user=owner, username="Sam").user.username == "Sam"
    with pytest.raises(ValidationError) as refused:
        album_share(album, user=owner, username="SAM")
    assert fault(refused.value) == ("username", "unknown_user")
    # A closed account's exact name never reaches another account's.
    closed = django_user_model.objects.create_user("lee", is_active=False)
    django_user_model.objects.create_user("Lee", password="pw-lee-123")
    with pytest.raises(ValidationError) as refused:
        album_share(album, user=owner, username=closed.username)
    assert fault(refused.value) == ("username", "unknown_user")
    assert not album.shares.filter(user__username__iexact="lee").exists()

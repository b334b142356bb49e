"""Share links: an album or a photo opened to whoever holds the address,
checked on every request, and nothing else of the owner's."""

import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime

from gallery.models import Image, ShareLink
from gallery.services.albums import album_add_images, album_create
from gallery.services.images import images_trash
from gallery.services.links import (
    share_link_create,
    share_link_remove,
    share_link_revoke,
)

from .images import image_bytes
from .test_metadata import camera_exif
from .test_security_privacy import without_csrf_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def trip(user, make_image):
    album = album_create(owner=user, title="Weekend", description="By the lake")
    exif = camera_exif(latitude=("N", 48, 51, 29.6), longitude=("E", 2, 17, 40.2))
    lake = make_image(
        user,
        title="Lake",
        visibility="private",
        name="IMG_0042-secret-name.jpg",
        data=image_bytes("JPEG", exif=exif),
    )
    boat = make_image(user, title="Boat", visibility="private")
    other = make_image(user, title="Tax papers", visibility="private")
    album_add_images(album, user=user, images=[lake, boat])
    return {"album": album, "lake": lake, "boat": boat, "other": other}


def link_urls(token, image):
    page = reverse("gallery:link", args=[token])
    files = {
        kind: reverse("gallery:link-file", args=[token, image.pk, kind])
        for kind in ("thumbnail", "display", "original")
    }
    return page, files


@pytest.mark.parametrize("target", ["album", "lake"])
def test_the_owner_makes_a_link_and_its_address_is_shown_once_where_made(
    client_for, user, trip, target
):
    owner = client_for(user)
    page_url = trip[target].get_absolute_url()
    response = owner.post(page_url, {"expires_in_days": "7"})
    assert response.status_code == 200  # the page itself, not a redirect
    text = response.content.decode()
    new = re.search(r'<li [^>]*id="new-link".*?</li>', text, re.S)[0]
    url = re.search(r'id="new-link-url"[^>]*value="([^"]+)"', new)[1]
    token = re.fullmatch(r"http://testserver/s/([\w-]+)/", url)[1]
    assert 'data-copy-target="new-link-url"' in new and "list-group-item-success" in new
    link = ShareLink.objects.get()
    assert len(token) >= 43  # 32 random bytes
    assert link.token_hash == ShareLink.hash_token(token) != token
    assert timedelta(days=6) < link.expires_at - timezone.now() <= timedelta(days=7)
    # In that one response only: no cache keeps it, no address carries it, and
    # neither the database, the session nor a cookie holds it for later.
    assert "no-store" in response["Cache-Control"]
    for address in re.findall(r'(?:href|src|action)="([^"]*)"', text):
        assert token not in address
    assert token not in str(ShareLink.objects.values_list().get())
    assert token not in str(dict(owner.session)) + str(owner.cookies)
    again = owner.get(page_url).content.decode()
    assert token not in again and 'id="new-link"' not in again
    assert "Made " in " ".join(link_list(again))


def test_no_saved_sign_in_is_offered_in_the_sharing_forms(client_for, user, trip):
    page = client_for(user).get(trip["album"].get_absolute_url()).content.decode()
    [password] = re.findall(r'<input type="password"[^>]*>', page)
    assert 'autocomplete="new-password"' in password
    [username] = re.findall(r'<input [^>]*name="username"[^>]*>', page)
    assert 'autocomplete="off"' in username


def test_a_link_pages_back_and_forth_as_its_album_does(client, user, trip, settings):
    settings.IMAGEREPO_GALLERY_PAGE_SIZE = 1
    _, token = share_link_create(user=user, album=trip["album"])
    page_url = reverse("gallery:link", args=[token])

    def step(response, rel):
        link = re.search(rf'rel="{rel}"\s+href="\?([^"]+)"', response.content.decode())
        return client.get(f"{page_url}?{link[1].replace('&amp;', '&')}")

    def shown(response):
        return re.findall(r'data-title="([^"]+)"', response.content.decode())

    first = client.get(page_url)
    second = step(first, "next")
    assert shown(second) != shown(first) and 'rel="next"' not in second.content.decode()
    assert shown(step(second, "prev")) == shown(first)
    assert "Newer</a>" in second.content.decode()
    trip["album"].order = "oldest"
    trip["album"].save()
    assert "Earlier</a>" in step(client.get(page_url), "next").content.decode()


def test_a_link_form_with_a_choice_not_offered_makes_nothing(client_for, user, trip):
    page_url = trip["album"].get_absolute_url()
    response = client_for(user).post(page_url, {"expires_in_days": "365"})
    assert "Select a valid choice" in response.content.decode()
    assert not ShareLink.objects.exists()
    # Open again, the keyboard at the field to mend.
    page = response.content.decode()
    assert '<details id="link-maker" open>' in page
    [expiry] = re.findall(r'<select [^>]*name="expires_in_days"[^>]*>', page)
    assert "autofocus" in expiry


def test_a_link_page_shows_the_album_and_nothing_else_of_the_owner(client, user, trip):
    _, token = share_link_create(user=user, album=trip["album"])
    page_url, files = link_urls(token, trip["lake"])
    response = client.get(page_url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Weekend" in page and "By the lake" in page
    assert "Lake" in page and "Boat" in page and "Tax papers" not in page
    for secret in ("secret-name", "48.85", "Canon", user.username, "/images/"):
        assert secret not in page, secret
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"
    assert client.get(files["thumbnail"]).status_code == 200
    assert client.get(files["display"]).status_code == 200
    assert client.get(files["original"]).status_code == 404  # downloads off
    other = reverse("gallery:link-file", args=[token, trip["other"].pk, "display"])
    assert client.get(other).status_code == 404
    bogus = reverse("gallery:link-file", args=[token, trip["lake"].pk, "owner"])
    assert client.get(bogus).status_code == 404
    assert ShareLink.objects.get().view_count == 1
    assert 'id="link-expiry"' not in page  # a link that never expires


def test_whoever_holds_a_link_sees_until_when_it_works(client, user, trip):
    link, token = share_link_create(user=user, album=trip["album"], expires_in_days=7)
    page = client.get(reverse("gallery:link", args=[token])).content.decode()
    until = date_format(localtime(link.expires_at), "DATETIME_FORMAT")
    assert f"This link works until {until}." in page


def test_a_link_pages_photos_offer_no_page_of_their_own(client, user, trip):
    _, token = share_link_create(user=user, album=trip["album"])
    page = client.get(reverse("gallery:link", args=[token])).content.decode()
    tiles = re.findall(r'<a [^>]*class="tile-link"[^>]*>', page)
    assert len(tiles) == 2
    assert all("data-no-page" in tile for tile in tiles)  # the lightbox's Details


def test_originals_only_when_the_link_allows_them(client, user, trip):
    _, token = share_link_create(user=user, album=trip["album"], allow_download=True)
    _, files = link_urls(token, trip["lake"])
    assert client.get(files["original"]).status_code == 200


def test_a_link_to_one_photo_opens_that_photo_only(client, user, trip):
    _, token = share_link_create(user=user, image=trip["lake"])
    page = client.get(reverse("gallery:link", args=[token])).content.decode()
    assert "Lake" in page and "Boat" not in page
    _, lake = link_urls(token, trip["lake"])
    _, boat = link_urls(token, trip["boat"])
    assert client.get(lake["display"]).status_code == 200
    assert client.get(boat["display"]).status_code == 404


@pytest.mark.parametrize("allow_download", [False, True])
def test_a_link_to_one_photo_shows_that_photo_large(client, user, trip, allow_download):
    lake = trip["lake"]
    lake.description = "Early morning, before the boats."
    lake.save(update_fields=["description"])
    _, token = share_link_create(user=user, image=lake, allow_download=allow_download)
    page = client.get(reverse("gallery:link", args=[token])).content.decode()
    _, files = link_urls(token, lake)
    photo = re.search(r'<figure class="detail-figure.*?</figure>', page, re.S)[0]
    assert f'src="{files["display"]}"' in photo  # the link-checked address
    assert f'width="{lake.display_width}" height="{lake.display_height}"' in photo
    assert "data-no-page" in photo
    assert 'id="gallery"' not in page  # not a grid of one thumbnail
    assert "Lake" in page and "Early morning, before the boats." in page
    assert (files["original"] in page) is allow_download


def states(user, trip):
    """A link in each state, with its token."""
    now = timezone.now()
    made = {}
    for name, options in {
        "valid": {},
        "expired": {"expires_in_days": 1},
        "revoked": {},
        "removed": {},
        "password, not yet typed": {"password": "lakeside"},
    }.items():
        link, token = share_link_create(user=user, album=trip["album"], **options)
        made[name] = token
        if name == "expired":
            ShareLink.objects.filter(pk=link.pk).update(expires_at=now)
        if name in ("revoked", "removed"):
            share_link_revoke(link, user=user)
        if name == "removed":
            share_link_remove(link, user=user)
    made["never existed"] = "x" * 43
    return made


EXPECTED = {
    "valid": {"page": 200, "thumbnail": 200, "display": 200, "original": 404},
    "expired": {"page": 404, "thumbnail": 404, "display": 404, "original": 404},
    "revoked": {"page": 404, "thumbnail": 404, "display": 404, "original": 404},
    "removed": {"page": 404, "thumbnail": 404, "display": 404, "original": 404},
    "never existed": {"page": 404, "thumbnail": 404, "display": 404, "original": 404},
    "password, not yet typed": {
        "page": 200,
        "thumbnail": 404,
        "display": 404,
        "original": 404,
    },
}


@pytest.mark.parametrize("state", list(EXPECTED))
def test_every_link_state_on_every_address(user, trip, state):
    token = states(user, trip)[state]
    page_url, files = link_urls(token, trip["lake"])
    client = Client()
    got = {"page": client.get(page_url).status_code}
    got |= {kind: client.get(url).status_code for kind, url in files.items()}
    assert got == EXPECTED[state]
    if state == "password, not yet typed":
        assert "Lake" not in client.get(page_url).content.decode()


def test_gone_links_all_look_the_same(client, user, trip):
    made = states(user, trip)
    answers = {
        (response.status_code, without_csrf_token(response, made[name]))
        for name in ("expired", "revoked", "removed", "never existed")
        for response in [client.get(reverse("gallery:link", args=[made[name]]))]
    }
    assert len(answers) == 1


def test_a_link_that_does_not_work_says_so_to_whoever_holds_it(client, user, trip):
    made = states(user, trip)
    for name in ("expired", "revoked", "removed", "never existed"):
        page_url, files = link_urls(made[name], trip["lake"])
        for url in (page_url, files["display"]):
            response = client.get(url)
            text = response.content.decode()
            assert response.status_code == 404
            assert "This link does not work" in text, (name, url)
            assert "one of your private photos" not in text
            # As every answer under a link: not indexed, no Referer, and
            # the token in no other address (the Sign in link included).
            assert response["X-Robots-Tag"] == "noindex, nofollow"
            assert response["Referrer-Policy"] == "same-origin"
            assert made[name] not in text
    mistyped = client.get("/s/no/such/address/")
    assert "This link does not work" in mistyped.content.decode()
    elsewhere = client.get(f"/images/{trip['other'].pk}/").content.decode()
    assert "one of your private photos" in elsewhere
    assert "This link does not work" not in elsewhere


def test_revoking_stops_addresses_handed_out_before(client, user, trip):
    link, token = share_link_create(user=user, album=trip["album"])
    _, files = link_urls(token, trip["lake"])
    assert client.get(files["display"]).status_code == 200
    share_link_revoke(link, user=user)
    assert client.get(files["display"]).status_code == 404
    assert client.get(files["thumbnail"]).status_code == 404


def test_a_password_is_typed_in_a_form_and_opens_that_link_only(client, user, trip):
    _, first = share_link_create(user=user, album=trip["album"], password="lakeside")
    _, second = share_link_create(user=user, image=trip["boat"], password="lakeside")
    page_url, files = link_urls(first, trip["lake"])

    wrong = client.post(page_url, {"password": "seaside"})
    assert wrong.status_code == 403
    assert "That is not the password." in wrong.content.decode()
    right = client.post(page_url, {"password": "lakeside"})
    assert right.status_code == 302 and "lakeside" not in right["Location"]
    assert "Lake" in client.get(page_url).content.decode()
    assert client.get(files["display"]).status_code == 200
    # The same password on another link still has to be typed there.
    _, boat = link_urls(second, trip["boat"])
    assert client.get(boat["display"]).status_code == 404
    stored = ShareLink.objects.get(album=trip["album"]).password
    assert "lakeside" not in stored and identify_hasher(stored)


def test_guessing_tokens_or_passwords_is_stopped(client, user, trip, settings):
    settings.IMAGEREPO_SHARE_LINK_FAILURES_PER_HOUR = 5
    _, token = share_link_create(user=user, album=trip["album"], password="lakeside")
    page_url = reverse("gallery:link", args=[token])
    for n in range(3):
        assert (
            client.get(reverse("gallery:link", args=[f"guess{n}"])).status_code == 404
        )
    for guess in ("a", "b"):
        assert client.post(page_url, {"password": guess}).status_code == 403
    # Now even the right password, on a real link, waits.
    assert client.post(page_url, {"password": "lakeside"}).status_code == 429
    assert client.get(page_url).status_code == 429


@pytest.mark.parametrize(
    "target, status", [("album", 404), ("image", 405), ("public image", 405)]
)
def test_nobody_links_or_revokes_what_is_not_theirs(
    client_for, other_user, user, trip, target, status, make_image
):
    thing = {
        "album": trip["album"],
        "image": trip["lake"],
        "public image": make_image(user, title="Pier", visibility="public"),
    }[target]
    intruder = client_for(other_user)
    assert intruder.post(thing.get_absolute_url()).status_code == status
    assert Client().post(thing.get_absolute_url()).status_code == status
    assert not ShareLink.objects.exists()
    link, _ = share_link_create(user=user, album=trip["album"])
    revoke = reverse("gallery:link-revoke", args=[link.pk])
    assert intruder.post(revoke).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_a_link_form_left_open_on_a_photo_moved_to_the_trash_says_so(
    client_for, user, trip
):
    owner = client_for(user)
    images_trash(Image.objects.filter(pk=trip["lake"].pk))
    response = owner.post(trip["lake"].get_absolute_url(), {"label": "Late"})
    assert response.status_code == 404
    assert "in your trash" in response.content.decode()
    assert not ShareLink.objects.exists()


def test_the_owner_sees_and_revokes_links_on_the_page(client_for, user, trip):
    link, _ = share_link_create(user=user, image=trip["lake"], password="pw")
    owner = client_for(user)
    page = owner.get(trip["lake"].get_absolute_url()).content.decode()
    assert "password · no originals · 0 views" in " ".join(page.split())
    revoke = reverse("gallery:link-revoke", args=[link.pk])
    asked = owner.post(revoke)
    assert asked.status_code == 200
    made = date_format(localtime(link.created_at), "DATETIME_FORMAT")
    assert f"Revoke the link made {made} to “{trip['lake'].title}”?" in (
        asked.content.decode()
    )
    link.refresh_from_db()
    assert link.revoked_at is None
    owner.post(revoke, {"confirmed": "1"})
    link.refresh_from_db()
    assert link.revoked_at is not None
    # Pressed again (a second tab): nothing left to ask about.
    again = owner.post(revoke)
    assert again.status_code == 302


def test_revoking_a_labelled_link_names_it(client_for, user, trip):
    link, _ = share_link_create(user=user, album=trip["album"], label="For Grandma")
    asked = client_for(user).post(reverse("gallery:link-revoke", args=[link.pk]))
    album = trip["album"].title
    assert f"Revoke the link “For Grandma” to “{album}”?" in asked.content.decode()


def link_list(page):
    """The owner's list of links on a page, one line of the text it shows
    per link (not what is there for screen readers alone)."""
    listing = re.search(r'id="link-list">(.*?)</ul>', page, re.S)[1]
    listing = re.sub(r'<span class="visually-hidden">.*?</span>', "", listing)
    entries = re.findall(r"<li.*?</li>", listing, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", entry).split()) for entry in entries]


def test_the_list_says_which_links_expired_or_were_revoked(client_for, user, trip):
    made = states(user, trip)
    expired = ShareLink.objects.get(token_hash=ShareLink.hash_token(made["expired"]))
    when = date_format(localtime(expired.expires_at), "DATETIME_FORMAT")
    page = client_for(user).get(trip["album"].get_absolute_url()).content.decode()
    entries = link_list(page)
    assert len(entries) == 4
    [gone] = [entry for entry in entries if "expired" in entry]
    assert f"expired {when} ·" in gone and "Revoke" not in gone
    [revoked] = [entry for entry in entries if "revoked" in entry]
    assert "Revoke" not in revoked
    assert sum("Revoke" in entry for entry in entries) == 2  # the open ones


def test_a_revoked_album_page_costs_one_failure_not_one_per_image(
    client, user, trip, settings
):
    settings.IMAGEREPO_SHARE_LINK_FAILURES_PER_HOUR = 3
    link, token = share_link_create(user=user, album=trip["album"])
    _, other = share_link_create(user=user, image=trip["other"])
    share_link_revoke(link, user=user)
    for image in (trip["lake"], trip["boat"]) * 5:
        _, files = link_urls(token, image)
        assert client.get(files["thumbnail"]).status_code == 404
    # The client still opens the other link it holds.
    assert client.get(reverse("gallery:link", args=[other])).status_code == 200


def test_an_album_link_opens_the_owners_photos_never_a_contributors(
    client, user, other_user, trip, make_image
):
    from gallery.services.albums import album_share

    album_share(
        trip["album"], user=user, username=other_user.username, role="contributor"
    )
    theirs = make_image(
        other_user, title="Contributors home", visibility="private", name="home.jpg"
    )
    album_add_images(trip["album"], user=other_user, images=[theirs])
    _, token = share_link_create(user=user, album=trip["album"], allow_download=True)
    page = client.get(reverse("gallery:link", args=[token])).content.decode()
    assert "Lake" in page and "Contributors home" not in page
    _, files = link_urls(token, theirs)
    assert {client.get(url).status_code for url in files.values()} == {404}


def test_the_owners_pages_give_each_field_an_id_of_its_own(client_for, user, trip):
    for target in ("album", "lake"):
        page = client_for(user).get(trip[target].get_absolute_url()).content.decode()
        ids = re.findall(r'\sid="([^"]+)"', page)
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
        # Each label names its own field.
        for target_id in re.findall(r'<label[^>]*\sfor="([^"]+)"', page):
            assert target_id in ids


def test_the_album_page_tells_its_owner_what_a_link_leaves_out(
    client_for, user, other_user, trip, make_image, settings
):
    from gallery.services.albums import album_share
    from gallery.services.images import image_trash

    def note(account):
        page = client_for(account).get(trip["album"].get_absolute_url())
        found = re.search(r'<p[^>]*id="links-leave-out">([^<]*)', page.content.decode())
        return found and found[1]

    assert note(user) is None  # all the owner's own
    album_share(
        trip["album"], user=user, username=other_user.username, role="contributor"
    )
    theirs = [make_image(other_user, title=f"Theirs {n}") for n in range(3)]
    album_add_images(trip["album"], user=other_user, images=theirs)
    image_trash(theirs[0])  # gone from the album for everyone
    assert note(user).startswith("2 photos in this album were added by others")
    assert note(other_user) is None  # the contributor makes no links to it
    # Made a viewer, they keep their photos in it: still said.
    album_share(trip["album"], user=user, username=other_user.username)
    assert note(user).startswith("2 photos in this album were added by others")
    # Counted up to the cap, as a search's results are.
    settings.IMAGEREPO_RESULT_COUNT_CAP = 1
    assert note(user).startswith("1+ photos in this album were added by others")


def test_an_original_goes_out_under_its_title_to_anyone_but_its_owner(
    client, user, trip
):
    _, token = share_link_create(user=user, album=trip["album"], allow_download=True)
    _, files = link_urls(token, trip["lake"])
    response = client.get(files["original"] + "?download=1")
    assert response.status_code == 200
    assert "secret-name" not in response["Content-Disposition"]
    assert f'filename="{trip["lake"].title}.jpg"' in response["Content-Disposition"]


def test_a_link_page_with_a_cursor_not_ours_shows_its_first_page(client, user, trip):
    _, token = share_link_create(user=user, album=trip["album"])
    response = client.get(reverse("gallery:link", args=[token]), {"after": "garbage"})
    assert response.status_code == 200 and "Lake" in response.content.decode()


def test_many_addresses_together_cannot_keep_guessing_one_password(
    user, trip, settings
):
    settings.IMAGEREPO_SHARE_LINK_FAILURES_PER_HOUR = 100
    settings.IMAGEREPO_SHARE_LINK_PASSWORD_FAILURES_PER_HOUR = 4
    _, token = share_link_create(user=user, album=trip["album"], password="lakeside")
    page_url = reverse("gallery:link", args=[token])
    for n in range(4):  # each guess from an address of its own
        guesser = Client(REMOTE_ADDR=f"203.0.113.{n}")
        assert guesser.post(page_url, {"password": f"guess{n}"}).status_code == 403
    latecomer = Client(REMOTE_ADDR="198.51.100.7")
    assert latecomer.post(page_url, {"password": "lakeside"}).status_code == 429
    # Another link's password is still taken.
    _, other = share_link_create(user=user, image=trip["boat"], password="boat")
    assert (
        latecomer.post(
            reverse("gallery:link", args=[other]), {"password": "boat"}
        ).status_code
        == 302
    )


def test_a_link_page_hands_its_token_to_no_other_address(client, user, trip):
    link, token = share_link_create(user=user, album=trip["album"])
    page = client.get(reverse("gallery:link", args=[token])).content.decode()
    assert 'href="/accounts/login/"' in page
    assert "next=" not in page


@pytest.mark.parametrize("error", ["csrf", "zips", "body"])
def test_error_pages_under_a_link_keep_it_private_too(user, trip, settings, error):
    """Pages that other layers answer (a CSRF check, a limit) carry the
    link's headers and hand its token to no other address either."""
    _, token = share_link_create(
        user=user, album=trip["album"], password="boat", allow_download=True
    )
    if error == "csrf":
        client = Client(enforce_csrf_checks=True)
        response = client.post(reverse("gallery:link", args=[token]), {"password": "x"})
        assert response.status_code == 403
    elif error == "zips":
        settings.IMAGEREPO_ZIPS_AT_ONCE = 0
        client = Client()
        client.post(reverse("gallery:link", args=[token]), {"password": "boat"})
        response = client.get(reverse("gallery:link-download", args=[token]))
        assert response.status_code == 429
    else:
        settings.IMAGEREPO_MAX_REQUEST_BYTES = 10
        response = Client().post(
            reverse("gallery:link", args=[token]), {"password": "x" * 20}
        )
        assert response.status_code == 413
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"
    page = response.content.decode()
    assert token not in page and "next=" not in page
    assert '<meta name="robots" content="noindex, nofollow">' in page


def test_a_label_tells_the_owners_links_apart(client_for, user, trip):
    owner = client_for(user)
    page_url = trip["album"].get_absolute_url()
    for label in ("  For   Grandma\n", "<b>Neighbours</b>", ""):
        response = owner.post(page_url, {"label": label, "expires_in_days": "7"})
        assert response.status_code == 200
    labels = sorted(ShareLink.objects.values_list("label", flat=True))
    assert labels == ["", "<b>Neighbours</b>", "For Grandma"]
    page = owner.get(page_url).content.decode()
    assert [re.match(r"(.*?) ?Made ", entry)[1] for entry in link_list(page)] == [
        "",  # no label: nothing before the date
        "&lt;b&gt;Neighbours&lt;/b&gt;",
        "For Grandma",
    ]
    # Each button says which link it revokes, to a screen reader too.
    assert 'Revoke<span class="visually-hidden"> the link “For Grandma”</span>' in page


@pytest.mark.parametrize(
    "label, error",
    [
        ("x" * 101, "Ensure this value has at most 100 characters (it has 101)."),
        ("Gran\x00ma", "Null characters are not allowed."),
    ],
)
def test_a_label_the_form_cannot_keep_is_refused_with_a_message(
    client_for, user, trip, label, error
):
    page_url = trip["album"].get_absolute_url()
    response = client_for(user).post(page_url, {"label": label})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ShareLink.objects.exists()


def test_the_service_trims_a_label_and_refuses_a_long_one(user, trip):
    link, _ = share_link_create(user=user, album=trip["album"], label=" a \t b\n")
    assert link.label == "a b"
    longest = "x" * 100
    link, _ = share_link_create(user=user, album=trip["album"], label=longest)
    assert link.label == longest
    with pytest.raises(ValidationError) as refused:
        share_link_create(user=user, album=trip["album"], label=longest + "x")
    assert refused.value.error_dict["label"][0].code == "max_length"
    assert ShareLink.objects.count() == 2


def everything_a_holder_gets(client, token, trip):
    """Every answer a link's holder can have, before and after its password."""
    page_url = reverse("gallery:link", args=[token])
    answers = [client.get(page_url), client.post(page_url, {"password": "wrong"})]
    answers.append(client.post(page_url, {"password": "lakeside"}))
    answers += [client.get(page_url), client.get(page_url, {"after": "garbage"})]
    for image in (trip["lake"], trip["boat"]):
        _, files = link_urls(token, image)
        answers += [client.get(url) for url in files.values()]
        answers.append(client.get(files["original"] + "?download=1"))
    answers.append(client.get(reverse("gallery:link-download", args=[token])))
    return answers


@pytest.mark.parametrize("target", ["album", "lake"])
def test_whoever_opens_a_link_never_learns_its_label(user, trip, target, settings):
    link, token = share_link_create(
        user=user,
        **{"album" if target == "album" else "image": trip[target]},
        password="lakeside",
        allow_download=True,
        label="For Grandma",
    )
    client = Client()
    answers = everything_a_holder_gets(client, token, trip)
    share_link_revoke(link, user=user)
    answers += everything_a_holder_gets(client, token, trip)
    settings.IMAGEREPO_SHARE_LINK_FAILURES_PER_HOUR = 0
    answers.append(client.get(reverse("gallery:link", args=[token])))
    statuses = {response.status_code for response in answers}
    assert {200, 302, 403, 404, 429} <= statuses  # pages, files, zip and refusals
    for response in answers:
        body = b"".join(response) if response.streaming else response.content
        headers = str(response.headers)
        assert b"Grandma" not in body and "Grandma" not in headers, response


@pytest.mark.parametrize("target", ["album", "lake"])
def test_the_owner_removes_closed_links_from_the_list(client_for, user, trip, target):
    on = {"album" if target == "album" else "image": trip[target]}
    link_open, _ = share_link_create(user=user, **on, label="Open")
    expired, _ = share_link_create(user=user, **on, label="Expired")
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    revoked, _ = share_link_create(user=user, **on, label="Revoked")
    share_link_revoke(revoked, user=user)
    owner = client_for(user)
    page_url = trip[target].get_absolute_url()
    entries = link_list(owner.get(page_url).content.decode())
    assert [entry.split()[0] for entry in entries if entry.endswith("Remove")] == [
        "Revoked",
        "Expired",
    ]
    assert [entry.split()[0] for entry in entries if entry.endswith("Revoke")] == [
        "Open"
    ]
    for link in (expired, revoked):
        response = owner.post(reverse("gallery:link-remove", args=[link.pk]))
        assert response.status_code == 302
        assert response["Location"] == page_url + "#links"
    page = owner.get(page_url).content.decode()
    assert "The link is removed from the list." in page
    assert [entry.split()[0] for entry in link_list(page)] == ["Open"]
    assert list(ShareLink.objects.all()) == [link_open]


def test_an_open_link_is_not_removed_and_its_owner_is_told_why(client_for, user, trip):
    link, token = share_link_create(user=user, album=trip["album"])
    owner = client_for(user)
    response = owner.post(reverse("gallery:link-remove", args=[link.pk]), follow=True)
    text = response.content.decode()
    assert "This link still works, so it cannot be removed: revoke it first." in text
    assert "The link is removed" not in text
    assert ShareLink.objects.filter(pk=link.pk).exists()
    assert Client().get(reverse("gallery:link", args=[token])).status_code == 200


def test_nobody_removes_a_link_that_is_not_theirs(
    client_for, user, other_user, trip, django_user_model
):
    link, _ = share_link_create(user=user, album=trip["album"])
    share_link_revoke(link, user=user)
    remove = reverse("gallery:link-remove", args=[link.pk])
    intruder = client_for(other_user)
    assert intruder.post(remove).status_code == 404
    unknown = reverse("gallery:link-remove", args=[uuid.uuid4()])
    assert client_for(user).post(unknown).status_code == 404
    assert intruder.post(unknown).status_code == 404
    anonymous = Client().post(remove)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert client_for(user).get(remove).status_code == 405
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(user)
    assert forged.post(remove).status_code == 403
    with pytest.raises(PermissionDenied):
        share_link_remove(link, user=other_user)
    assert ShareLink.objects.filter(pk=link.pk).exists()


def test_a_removed_links_address_is_unknown_for_good(client, user, trip):
    link, token = share_link_create(user=user, album=trip["album"])
    page_url, files = link_urls(token, trip["lake"])
    never_page, never_files = link_urls("x" * 43, trip["lake"])
    share_link_revoke(link, user=user)
    share_link_remove(link, user=user)
    assert not ShareLink.objects.filter(token_hash=ShareLink.hash_token(token))
    for url, never in [
        (page_url, never_page),
        *zip(files.values(), never_files.values(), strict=True),
    ]:
        response, baseline = client.get(url), client.get(never)
        assert response.status_code == baseline.status_code == 404
        assert without_csrf_token(response, token) == without_csrf_token(
            baseline, "x" * 43
        )


def test_a_label_the_service_refuses_comes_back_on_the_form(
    client_for, user, trip, monkeypatch
):
    # The form and the service share one limit; should they drift
    # apart, the service's refusal is still a message beside the field.
    monkeypatch.setattr("gallery.services.links.LABEL_MAX_LENGTH", 5)
    page_url = trip["album"].get_absolute_url()
    response = client_for(user).post(page_url, {"label": "For Grandma"})
    assert response.status_code == 200
    assert "A label is at most 5 characters." in response.content.decode()
    assert not ShareLink.objects.exists()


def test_a_switched_off_accounts_links_open_nothing(client, user, trip):
    """An administrator switching an account off stops its links as
    deleting it does: the account shares nothing any more."""
    _, token = share_link_create(user=user, album=trip["album"], allow_download=True)
    page, files = link_urls(token, trip["lake"])
    assert client.get(page).status_code == 200
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    download = reverse("gallery:link-download", args=[token])
    for url in [page, *files.values(), download]:
        assert client.get(url).status_code == 404, url
    type(user).objects.filter(pk=user.pk).update(is_active=True)
    assert client.get(page).status_code == 200

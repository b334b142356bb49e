"""Share links in real browsers: the owner makes one on the album's or the
photo's page and copies its address from there; a friend with no account
opens it (typing its password if it has one), sees the album or the photo
itself but not the owner's label for the link, and after revocation a page
that says the link does not work; the owner then removes it from the list."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from ..images import noisy_jpeg
from .test_browser import close_lightbox, make_album, sign_up, upload_plainly

pytestmark = pytest.mark.e2e

LINK = r"http://\S+/s/[\w-]+/"


def album_of_new_photos(owner, title, photos, private=False):
    """On ``owner``'s page (without JavaScript): ``photos`` uploaded, and
    put in a new album called ``title``, whose page it ends on."""
    upload_plainly(owner, photos, private=private)
    album = make_album(owner, title)
    owner.goto("/?show=mine")
    owner.get_by_text("Select", exact=True).click()
    for n in range(len(photos)):
        owner.locator(".tile-check").nth(n).check()
    owner.locator("#bulk-album").select_option(label=title)
    owner.get_by_role("button", name="Add to album").click()
    owner.goto(album)
    return album


def test_a_friend_opens_a_password_link_until_it_is_revoked(new_page, screenshots):
    owner = new_page(javascript=False)
    sign_up(owner, "e2e_linker")
    album = album_of_new_photos(owner, "Pier", {"pier.jpg": 777}, private=True)
    # Closed until wanted.
    expect(owner.locator("#link-form")).to_be_hidden()
    owner.locator("#link-maker summary").click()
    owner.locator("#link-form").get_by_label("Label", exact=True).fill("For Grandma")
    owner.locator("#link-form").get_by_label("Password").fill("sea breeze")
    owner.get_by_role("button", name="Make a link", exact=True).click()
    expect(owner.locator("#new-link")).to_contain_text("For Grandma")
    # The new address is where it was made, in view, and in no address.
    field = owner.locator("#new-link #new-link-url")
    expect(field).to_be_in_viewport(ratio=1)
    link = field.input_value()
    assert re.fullmatch(LINK, link)
    assert link.split("/")[-2] not in owner.url
    owner.locator("#links").screenshot(path=screenshots / "share-link-made.png")
    owner.goto(album)
    expect(owner.locator("#link-list li")).to_have_count(1)
    expect(owner.locator("#new-link-url")).to_have_count(0)  # shown once

    friend = new_page(width=390, height=844)
    friend.goto(link)
    friend.get_by_label("Password").fill("sea breeze")
    friend.get_by_role("button", name="Open").click()
    expect(friend.get_by_role("heading", name="Pier")).to_be_visible()
    expect(friend.locator("#gallery img")).to_have_count(1)
    expect(friend.locator("body")).not_to_contain_text("Grandma")  # the owner's
    friend.screenshot(path=screenshots / "share-link-friend.png")
    thumbnail = friend.locator("#gallery img").first.get_attribute("src")
    # Full screen, with no Details: a linked photo has no page of its own.
    friend.wait_for_load_state()  # the lightbox's script
    friend.locator(".tile-link").first.click()
    lightbox = friend.locator("#lightbox")
    expect(lightbox).to_be_visible()
    expect(lightbox.get_by_role("link", name="Details")).to_be_hidden()
    expect(lightbox.get_by_role("link", name="Download")).to_be_hidden()
    close_lightbox(friend)

    owner.locator("#link-list").get_by_role("button", name="Revoke").click()
    owner.get_by_role("button", name="Revoke link").click()
    assert friend.request.get(thumbnail).status == 404
    friend.reload()
    expect(friend.get_by_role("heading", name="Pier")).to_have_count(0)
    expect(
        friend.get_by_role("heading", name="This link does not work")
    ).to_be_visible()
    friend.screenshot(path=screenshots / "share-link-gone.png")

    # Closed, it can leave the owner's list; its address stays dead.
    owner.locator("#links").screenshot(path=screenshots / "share-link-closed.png")
    owner.locator("#link-list").get_by_role("button", name="Remove").click()
    expect(owner.get_by_text("The link is removed from the list.")).to_be_visible()
    expect(owner.locator("#link-list")).to_have_count(0)
    friend.reload()
    expect(
        friend.get_by_role("heading", name="This link does not work")
    ).to_be_visible()


def test_a_link_to_one_photo_shows_the_photo_itself(new_page, screenshots):
    owner = new_page(permissions=["clipboard-read", "clipboard-write"])
    sign_up(owner, "e2e_one_photo")
    owner.goto("/upload/")
    owner.set_input_files(
        "#pick-files",
        files=[
            {
                "name": "lighthouse.jpg",
                "mimeType": "image/jpeg",
                "buffer": noisy_jpeg((1200, 800), seed=778),
            }
        ],
    )
    expect(owner.locator(".upload-row[data-state=created]")).to_have_count(1)
    owner.goto("/?show=mine")
    owner.goto(owner.locator(".tile-link").first.get_attribute("href"))
    owner.locator("#link-maker summary").click()
    owner.get_by_label("Allow downloading the originals").check()
    owner.get_by_role("button", name="Make a link", exact=True).click()
    field = owner.locator("#new-link-url")
    expect(field).to_be_in_viewport(ratio=1)
    owner.wait_for_load_state()  # the new page's, with its Copy script
    owner.locator("#new-link").get_by_role("button", name="Copy").click()
    expect(
        owner.locator("#new-link").get_by_role("button", name="Copied")
    ).to_be_visible()
    link = owner.evaluate("navigator.clipboard.readText()")
    assert re.fullmatch(LINK, link) and link == field.input_value()
    # Reloading shows the page again; it does not post the form a second time.
    owner.reload()
    expect(owner.locator("#link-list li")).to_have_count(1)
    expect(owner.locator("#new-link-url")).to_have_count(0)

    held = []  # the photo's request, until it is measured without it
    for width, height in ((1280, 800), (390, 844)):
        friend = new_page(width=width, height=height)
        # The photo's box is the same before it arrives as after: nothing moves.
        friend.route("**/display/", lambda route: held.append(route))
        friend.goto(link, wait_until="domcontentloaded")
        photo = friend.locator("#detail-open img")
        before = photo.bounding_box()
        while held:
            held.pop().continue_()
        friend.unroute("**/display/")
        expect(photo).not_to_have_js_property("naturalWidth", 0)
        box = photo.bounding_box()
        assert box == before
        assert 0.9 * (width - 24) <= box["width"] <= width  # large, and on screen
        assert box["y"] + box["height"] <= height
        assert "/s/" in photo.get_attribute("src")  # the link-checked address
        expect(friend.get_by_role("heading", name="lighthouse")).to_be_visible()
        expect(friend.get_by_role("link", name="Download original")).to_be_visible()
        expect(friend.locator("#gallery")).to_have_count(0)
        friend.screenshot(path=screenshots / f"share-link-one-photo-{width}.png")
        photo.click()
        lightbox = friend.locator("#lightbox")
        expect(lightbox).to_be_visible()
        expect(lightbox.get_by_role("link", name="Details")).to_be_hidden()


def test_a_link_that_allows_downloads_offers_each_photo_full_screen(new_page):
    owner = new_page(javascript=False)
    sign_up(owner, "e2e_link_downloads")
    album_of_new_photos(owner, "Beach day", {"dune.jpg": 781, "kite.jpg": 782})
    owner.locator("#link-maker summary").click()
    owner.get_by_label("Allow downloading the originals").check()
    owner.get_by_role("button", name="Make a link", exact=True).click()
    link = owner.locator("#new-link-url").input_value()

    friend = new_page()
    friend.goto(link)
    friend.wait_for_load_state()  # the lightbox's script
    friend.get_by_role("link", name="kite").click()
    lightbox = friend.locator("#lightbox")
    expect(lightbox.get_by_role("heading", name="kite")).to_be_visible()
    with friend.expect_download() as download:
        lightbox.get_by_role("link", name="Download").click()
    assert download.value.suggested_filename == "kite.jpg"
    lightbox.get_by_role("button", name="Next photo (right arrow)").click()
    expect(lightbox.get_by_role("heading", name="dune")).to_be_visible()
    href = lightbox.get_by_role("link", name="Download").get_attribute("href")
    # Through the link, checked on each request as its page is.
    assert href.startswith(urlsplit(link).path)
    assert href.endswith("/original/?download=1")

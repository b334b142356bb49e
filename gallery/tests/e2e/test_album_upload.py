"""Uploading straight into an album from the album's page, with the
drag-and-drop uploader: new files and ones already there both land in it."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from ..images import noisy_jpeg
from .test_browser import make_album, sign_up, upload_plainly

pytestmark = pytest.mark.e2e


def test_upload_into_an_album_from_its_page(new_page):
    page = new_page()
    sign_up(page, "e2e_albumist")
    album = make_album(page, "Garden")
    page.get_by_role("link", name="Upload into it").click()
    expect(page.get_by_label("Album", exact=True)).to_have_value(
        album.rstrip("/").rsplit("/", 1)[1]
    )
    page.locator("input[name=visibility][value=private]").check()
    # The drop zone shows once the uploader's script is listening.
    expect(page.locator("#dropzone")).to_be_visible()
    photo = {
        "name": "rose.jpg",
        "mimeType": "image/jpeg",
        "buffer": noisy_jpeg(seed=4242),
    }
    page.set_input_files("#pick-files", files=[photo])
    page.wait_for_selector(".upload-row[data-state=created]")
    # Its row leads to the photo's page.
    opened = page.locator(".upload-row").get_by_role("link", name="Open “rose”")
    assert re.fullmatch(r"/images/[0-9a-f-]{36}/", opened.get_attribute("href"))
    # The summary leads to the album they went into.
    expect(page.get_by_role("link", name="See the album")).to_have_attribute(
        "href", urlsplit(album).path
    )
    # The same bytes again, after taking the photo out: a duplicate, back in.
    page.goto(album)
    expect(page.locator("#gallery .tile")).to_have_count(1)
    page.get_by_text("Select", exact=True).click()
    page.locator(".tile-check").first.check()
    page.get_by_role("button", name="Remove from album").click()
    expect(page.locator("#gallery .tile")).to_have_count(0)
    page.goto("/upload/?album=" + album.rstrip("/").rsplit("/", 1)[1])
    expect(page.locator("#dropzone")).to_be_visible()
    page.set_input_files("#pick-files", files=[photo])
    page.wait_for_selector(".upload-row[data-state=duplicate]")
    page.goto(album)
    expect(page.locator("#gallery .tile")).to_have_count(1)


def test_upload_into_a_new_album_named_on_the_upload_page(new_page):
    page = new_page()
    sign_up(page, "e2e_newalbum")
    page.goto("/upload/")
    expect(page.locator("#dropzone")).to_be_visible()
    title = page.get_by_label("New album’s title")
    expect(title).to_be_hidden()
    page.get_by_label("Album", exact=True).select_option("new")
    expect(title).to_be_visible()
    photo = {
        "name": "tulip.jpg",
        "mimeType": "image/jpeg",
        "buffer": noisy_jpeg(seed=4343),
    }
    page.set_input_files("#pick-files", files=[photo])
    # No title yet: the page asks for one instead of sending the file.
    assert page.evaluate("document.activeElement.id") == "id_album_title"
    expect(page.locator(".upload-row")).to_have_count(0)
    title.fill("Spring")
    page.set_input_files("#pick-files", files=[photo])
    page.wait_for_selector(".upload-row[data-state=created]")
    page.get_by_role("link", name="See your albums").click()
    page.get_by_role("link", name="Spring").first.click()
    expect(page.locator("#gallery .tile")).to_have_count(1)


def test_the_album_owner_takes_a_contributors_photo_out(new_page):
    helper = new_page(javascript=False)
    sign_up(helper, "e2e_helper")
    owner = new_page()
    sign_up(owner, "e2e_owner")
    album = make_album(owner, "Picnic")
    owner.locator("#sharing").get_by_label("Username").fill("e2e_helper")
    owner.locator("#sharing").get_by_label("Role").select_option("contributor")
    owner.locator("#sharing").get_by_role("button", name="Share").click()
    album_id = album.rstrip("/").rsplit("/", 1)[1]
    photos = {"basket.jpg": 4301, "blanket.jpg": 4302}
    upload_plainly(helper, photos, to=f"?album={album_id}")

    owner.goto(album)
    tiles = owner.locator("#gallery .tile")
    expect(tiles).to_have_count(2)
    expect(
        owner.locator("#gallery .badge", has_text="Added by e2e_helper")
    ).to_have_count(2)
    owner.get_by_text("Select", exact=True).click()
    owner.locator(".tile-check").first.check()
    bar = owner.locator(".bulk-actions")
    # Not hers to change: only taking it out of her album applies.
    expect(bar.get_by_role("button", name="Make public")).to_be_disabled()
    expect(bar.get_by_role("button", name="Move to trash…")).to_be_disabled()
    expect(owner.locator("#bulk-count")).to_have_text(
        "1 selected · others' photos can only leave the album"
    )
    # The toggle says how to stop selecting.
    expect(owner.locator("label[for=select-mode]")).to_have_text("SelectDone")
    expect(owner.get_by_text("Done", exact=True)).to_be_visible()
    bar.get_by_role("button", name="Remove from album").click()
    expect(owner.locator(".alert-success")).to_contain_text(
        "1 photo taken out of “Picnic” (it stays in their library)."
    )
    expect(tiles).to_have_count(1)
    # Back to the page before: no box is ticked again on the photo left.
    owner.go_back()
    expect(owner.locator(".tile-check:checked")).to_have_count(0)

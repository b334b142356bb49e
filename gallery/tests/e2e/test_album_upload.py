"""Uploading straight into an album from the album's page, with the
drag-and-drop uploader: new files and ones already there both land in it."""

import pytest
from playwright.sync_api import expect

from ..images import noisy_jpeg
from .test_browser import sign_up

pytestmark = pytest.mark.e2e


def test_upload_into_an_album_from_its_page(new_page):
    page = new_page()
    sign_up(page, "e2e_albumist")
    page.goto("/albums/")
    page.locator("#id_title").fill("Garden")
    page.get_by_role("button", name="Make album").click()
    album = page.url
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
    page.goto("/albums/")
    page.get_by_role("link", name="Spring").first.click()
    expect(page.locator("#gallery .tile")).to_have_count(1)

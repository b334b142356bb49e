"""A share link in real browsers: the owner makes one with a password on
the album page; a friend with no account opens it, types the password, sees
the album, and after revocation sees nothing."""

import re

import pytest
from playwright.sync_api import expect

from ..images import noisy_jpeg
from .test_browser import sign_up

pytestmark = pytest.mark.e2e


def test_a_friend_opens_a_password_link_until_it_is_revoked(new_page, screenshots):
    owner = new_page(javascript=False)
    sign_up(owner, "e2e_linker")
    owner.goto("/upload/")
    owner.get_by_label("Private").check()
    owner.set_input_files(
        "#id_images",
        files=[
            {
                "name": "pier.jpg",
                "mimeType": "image/jpeg",
                "buffer": noisy_jpeg(seed=777),
            }
        ],
    )
    owner.locator("main").get_by_role("button", name="Upload").click()
    owner.goto("/albums/")
    owner.locator("#id_title").fill("Pier")
    owner.get_by_role("button", name="Make album").click()
    album = owner.url
    owner.goto("/?show=mine")
    owner.get_by_text("Select", exact=True).click()
    owner.locator(".tile-check").first.check()
    owner.get_by_role("button", name="Add to album").click()
    owner.goto(album)
    owner.locator("#link-form").get_by_label("Password").fill("sea breeze")
    owner.get_by_role("button", name="Make a link").click()
    link = owner.locator("#new-link-url").input_value()
    assert re.fullmatch(r"http://\S+/s/[\w-]+/", link)

    friend = new_page(width=390, height=844)
    friend.goto(link)
    friend.get_by_label("Password").fill("sea breeze")
    friend.get_by_role("button", name="Open").click()
    expect(friend.get_by_role("heading", name="Pier")).to_be_visible()
    expect(friend.locator("#gallery img")).to_have_count(1)
    friend.screenshot(path=screenshots / "share-link-friend.png")
    thumbnail = friend.locator("#gallery img").first.get_attribute("src")

    owner.goto(album + "#links")
    owner.locator("#link-list").get_by_role("button", name="Revoke").click()
    assert friend.request.get(thumbnail).status == 404
    friend.reload()
    expect(friend.get_by_role("heading", name="Pier")).to_have_count(0)

"""Deleting the wrong photos and getting them back, in a real browser: select
several in the gallery, move them to the trash, then Undo; again, then
Trash › Restore all; and deleting for good from the Trash page, after a
confirmation that says it cannot be undone."""

import re

import pytest
from playwright.sync_api import expect

from ..images import noisy_jpeg
from .test_browser import close_lightbox, sign_up

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def owner(browser, site_url):
    """Dana, signed up with six private photos (nobody else's counts
    change): her browser state (cookies)."""
    context = browser.new_context(base_url=site_url)
    page = context.new_page()
    sign_up(page, "e2e_trash_dana")
    page.goto("/upload/")
    page.locator("input[name=visibility][value=private]").check()
    page.set_input_files(
        "#pick-files",
        files=[
            {
                "name": f"dana {n}.jpg",
                "mimeType": "image/jpeg",
                "buffer": noisy_jpeg((320, 240), seed=700 + n),
            }
            for n in range(6)
        ],
    )
    expect(page.locator(".upload-row[data-state=created]")).to_have_count(6)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def page(new_page, owner):
    """Dana's page, failing the test on any script error or CSP refusal."""
    page = new_page(storage_state=owner)
    errors = []
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    assert errors == []


def move_four_to_the_trash(page):
    """Select four photos in the gallery and move them to the trash; returns
    how many photos the gallery showed before."""
    page.goto("/?show=mine")
    tiles = page.locator(".gallery-grid .tile")
    before = tiles.count()
    assert before >= 4
    page.get_by_text("Select", exact=True).click()
    for n in range(4):
        page.locator(".tile-check").nth(n).check()
    expect(page.locator("#bulk-count")).to_have_text("4 selected")
    page.get_by_role("button", name="Move to trash…").click()
    expect(
        page.get_by_role("heading", name="Move 4 photos to the trash?")
    ).to_be_visible()
    page.get_by_role("button", name="Move to trash", exact=True).click()
    page.wait_for_url("**/?show=mine")
    expect(page.locator(".alert-success")).to_contain_text(
        "4 photos moved to the trash."
    )
    expect(tiles).to_have_count(before - 4)
    return before


def test_undo_gets_them_back_in_one_click(page, screenshots):
    before = move_four_to_the_trash(page)
    page.screenshot(path=screenshots / "trash-moved-with-undo.png")
    page.get_by_role("button", name="Undo").click()
    page.wait_for_url("**/?show=mine")
    expect(page.locator(".alert-success")).to_have_text("4 photos restored.")
    expect(page.locator(".gallery-grid .tile")).to_have_count(before)


def test_trash_then_restore_all_gets_them_back_in_two_clicks(page, screenshots):
    before = move_four_to_the_trash(page)
    page.get_by_role("navigation", name="Show").get_by_role(
        "link", name="Trash"
    ).click()
    page.wait_for_url("**/trash/")
    expect(page.locator("#trash-summary")).to_contain_text(re.compile(r"^4 photos, "))
    expect(page.locator(".gallery-grid .tile")).to_have_count(4)
    expect(page.locator(".timeline-heading")).to_contain_text("kept until")
    page.screenshot(path=screenshots / "trash-page.png")
    page.get_by_role("button", name="Restore all").click()
    page.wait_for_url("**/trash/")
    expect(page.locator(".alert-success")).to_have_text("4 photos restored.")
    expect(page.locator("#trash-empty")).to_contain_text("Your trash is empty.")
    page.screenshot(path=screenshots / "trash-empty.png")
    page.goto("/?show=mine")
    expect(page.locator(".gallery-grid .tile")).to_have_count(before)


def test_from_the_trash_restore_some_and_delete_some_for_good(page, screenshots):
    before = move_four_to_the_trash(page)
    page.goto("/trash/")
    # A trashed photo opens full screen, with no page to go to.
    page.locator(".tile-link").first.click()
    lightbox = page.locator("#lightbox")
    expect(lightbox).to_be_visible()
    expect(lightbox.get_by_role("link", name="Details")).to_be_hidden()
    close_lightbox(page)

    page.get_by_text("Select", exact=True).click()
    checks = page.locator(".tile-check")
    checks.nth(0).check()
    page.get_by_role("button", name="Restore", exact=True).click()
    expect(page.locator(".alert-success")).to_have_text("1 photo restored.")
    expect(page.locator(".gallery-grid .tile")).to_have_count(3)

    page.get_by_text("Select", exact=True).click()
    for n in range(2):
        checks.nth(n).check()
    page.get_by_role("button", name="Delete for good…").click()
    expect(
        page.get_by_role("heading", name="Delete 2 photos for good?")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("This cannot be undone.")
    page.screenshot(path=screenshots / "trash-delete-for-good.png")
    page.get_by_role("button", name="Delete 2 photos for good").click()
    page.wait_for_url("**/trash/")
    expect(page.locator(".alert-success")).to_have_text("2 photos deleted for good.")
    expect(page.locator(".gallery-grid .tile")).to_have_count(1)

    page.get_by_role("button", name="Restore all").click()
    expect(page.locator(".alert-success")).to_have_text("1 photo restored.")
    page.goto("/?show=mine")
    expect(page.locator(".gallery-grid .tile")).to_have_count(before - 2)


def test_on_a_phone_the_trash_and_its_actions_fit_the_screen(
    new_page, owner, screenshots
):
    page = new_page(width=390, height=844, storage_state=owner)
    page.goto("/?show=mine")
    page.get_by_text("Select", exact=True).click()
    page.locator(".tile-check").first.check()
    page.get_by_role("button", name="Move to trash…").click()
    page.get_by_role("button", name="Move to trash", exact=True).click()
    page.locator("#menu-toggle").click()
    page.locator("#nav-menu").get_by_role("link", name="Trash").click()
    page.wait_for_url("**/trash/")
    page.get_by_text("Select", exact=True).click()
    page.locator(".tile-check").first.check()
    # The actions are pinned to the bottom of the screen, as in the gallery.
    box = page.locator(".bulk-bar").bounding_box()
    assert box["y"] + box["height"] == pytest.approx(844, abs=1)
    for name in ("Restore", "Delete for good…"):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshots / "trash-phone-selecting.png")
    page.get_by_role("button", name="Restore", exact=True).click()
    expect(page.locator(".alert-success")).to_have_text("1 photo restored.")

"""The timeline in a real browser: photos in the order they were taken, by
month, and a jump to a year, with and without JavaScript."""

import pytest
from playwright.sync_api import expect

from ..images import image_bytes
from ..test_metadata import camera_exif
from .test_browser import sign_up

pytestmark = pytest.mark.e2e

# Uploaded in this order; taken in another.
PHOTOS = [
    ("holiday.jpg", "2019:03:10 10:00:00", (1, 2, 3)),
    ("honeymoon.jpg", "2015:06:20 14:30:05", (4, 5, 6)),
    ("wedding.jpg", "2015:05:02 16:00:00", (7, 8, 9)),
]


def photo(name, taken, color):
    data = image_bytes("JPEG", (120, 80), color=color, exif=camera_exif(original=taken))
    return {"name": name, "mimeType": "image/jpeg", "buffer": data}


def test_photos_line_up_by_when_they_were_taken(new_page, screenshots):
    page = new_page(javascript=False)
    sign_up(page, "e2e_timeline")
    page.goto("/upload/")
    # Private, so the other tests' counts of public images stay as they were.
    page.get_by_label("Private").check()
    page.set_input_files("#id_images", files=[photo(*p) for p in PHOTOS])
    page.locator("main").get_by_role("button", name="Upload").click()
    expect(page.locator("#upload-results [data-outcome=created]")).to_have_count(3)

    page.goto("/?show=mine")
    headings = page.locator("#gallery .timeline-heading")
    expect(headings).to_have_text(["March 2019", "June 2015", "May 2015"])
    titles = page.locator("#gallery .tile-link")
    assert [titles.nth(i).get_attribute("data-title") for i in range(3)] == [
        "holiday",
        "honeymoon",
        "wedding",
    ]

    # The year jump: a form, so it works without JavaScript too.
    page.get_by_label("Jump to year").select_option("2015")
    page.get_by_role("button", name="Go").click()
    expect(headings.first).to_have_text("June 2015")
    expect(page.get_by_role("link", name="‹ Newer")).to_be_visible()
    page.screenshot(path=screenshots / "timeline-year-jump.png")

    page.get_by_label("Order").select_option("uploaded")
    page.get_by_label("Jump to year").select_option("")
    page.get_by_role("button", name="Go").click()
    expect(headings).to_have_count(0)
    assert titles.first.get_attribute("data-title") == "wedding"

    page.get_by_role("link", name="honeymoon").first.click()
    info = page.locator("#info-taken")
    expect(info).to_contain_text("20 June 2015, 14:30")
    expect(page.locator("#info-camera")).to_have_text("Canon EOS 5D Mark IV")

"""A person's first session, in a real browser: sign up, drop 50 files (some
bad), search, browse with the keyboard, go private, and stay private."""

import base64
import re

import pytest
from playwright.sync_api import expect

from ..images import SVG, TEXT, image_bytes, noisy_jpeg, truncated_jpeg

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-e2e-password-42"

# Drop the files as a browser does: a DataTransfer handed to the page's drop
# handler. (Playwright cannot drag from the desktop; this is the same event.)
DROP_JS = """
(files) => {
  const transfer = new DataTransfer();
  for (const {name, type, data} of files) {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], name, {type}));
  }
  const zone = document.getElementById("dropzone");
  for (const kind of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(kind, {bubbles: true, cancelable: true,
                                            dataTransfer: transfer}));
  }
}
"""


def as_drop(name, data, type_="image/jpeg"):
    return {"name": name, "type": type_, "data": base64.b64encode(data).decode()}


def sign_up(page, username):
    page.goto("/accounts/signup/")
    page.locator("#id_username").fill(username)
    page.locator("#id_email").fill(f"{username}@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/")


def upload_plainly(page, photos, private=False, to=""):
    """``photos`` ({file name: seed}) sent with the plain upload form (a
    page without JavaScript), to the upload page's address plus ``to``."""
    page.goto(f"/upload/{to}")
    if private:
        page.get_by_label("Private").check()
    files = [
        {"name": name, "mimeType": "image/jpeg", "buffer": noisy_jpeg(seed=seed)}
        for name, seed in photos.items()
    ]
    page.set_input_files("#id_images", files=files)
    page.locator("main").get_by_role("button", name="Upload").click()


def make_album(page, title):
    """A new album of ``page``'s user; its address."""
    page.goto("/albums/")
    page.locator("#id_title").fill(title)
    page.get_by_role("button", name="Make album").click()
    return page.url


def close_lightbox(page):
    """Esc, then wait for the lightbox's history entry to be taken back: a
    navigation started while that traversal is pending is aborted."""
    page.keyboard.press("Escape")
    expect(page.locator("#lightbox")).to_be_hidden()
    # A function, not an expression: Playwright evaluates an expression it
    # polls as a string, which the site's CSP refuses ('unsafe-eval').
    page.wait_for_function("() => !history.state?.lightbox")


def row(page, name):
    return page.locator(".upload-row", has=page.get_by_text(name, exact=True))


def throttle_uploads(page, bytes_per_second):
    """Slow the browser's uploads so a screenshot catches them mid-way."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 20,
            "downloadThroughput": -1,
            "uploadThroughput": bytes_per_second,
        },
    )
    return cdp


def test_a_new_user_uploads_browses_and_keeps_things_private(new_page, screenshots):
    page = new_page()
    errors = []  # script errors and CSP violations ("Refused to ...")
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_up(page, "e2e_alice")

    # One photo first, through the file picker: it will come back as a duplicate.
    # Nobody chose yet, so it goes up private.
    page.goto("/upload/")
    # The uploader took over: drop zone shown, the plain file field hidden.
    assert page.locator("#dropzone").is_visible()
    assert not page.locator("#id_images").is_visible()
    expect(page.locator("input[name=visibility][value=private]")).to_be_checked()
    first = noisy_jpeg((320, 240), seed=1000)
    page.set_input_files(
        "#pick-files",
        files=[{"name": "first.jpg", "mimeType": "image/jpeg", "buffer": first}],
    )
    page.wait_for_selector(".upload-row[data-state=created]")

    good = {f"photo-{i:02d}.jpg": noisy_jpeg((480, 360), seed=i) for i in range(42)}
    good["graphic.png"] = image_bytes("PNG", (300, 200), (10, 120, 200))
    good["harbour sunset.jpg"] = noisy_jpeg((400, 300), seed=77)
    bad = {
        "notes.jpg": (TEXT, "not an image we can read"),
        "cut.jpg": (truncated_jpeg(), "damaged"),
        "empty.jpg": (b"", "empty"),
        "drawing.svg": (SVG, "SVG files are not accepted"),
    }
    dropped = [as_drop(name, data) for name, data in good.items()]
    dropped += [as_drop(name, data) for name, (data, _) in bad.items()]
    dropped += [
        as_drop("first again.jpg", first),  # already on the server
        as_drop("photo-00 copy.jpg", good["photo-00.jpg"]),  # twice in this drop
    ]
    assert len(dropped) == 50

    posted = []
    page.on(
        "request",
        lambda r: posted.append(r) if r.url.endswith("/upload/file/") else None,
    )
    page.locator("input[name=visibility][value=public]").check()
    page.locator("#id_description").fill("Trip to the coast")
    cdp = throttle_uploads(page, 256 * 1024)
    page.evaluate(DROP_JS, dropped)
    # One file gets its own title and visibility while it waits in the queue.
    graphic = row(page, "graphic.png")
    graphic.get_by_role("button", name=re.compile("Title, description")).click()
    graphic.get_by_label("Title", exact=True).fill("Blue graphic")
    graphic.get_by_label("Visibility", exact=True).select_option("private")
    page.wait_for_selector(".upload-row[data-state=created] ~ .upload-row")
    page.wait_for_function(
        "() => document.querySelectorAll('.upload-row[data-state=uploading]')"
        ".length >= 2"
    )
    page.screenshot(path=screenshots / "upload-in-progress.png", full_page=False)
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": -1,
        },
    )

    page.wait_for_function(
        "() => document.querySelectorAll('.upload-row').length === 51 && "
        "!document.querySelector('.upload-row:is([data-state=queued],"
        "[data-state=hashing],[data-state=checking],[data-state=uploading])')",
        timeout=90_000,
    )
    for name in good:
        assert row(page, name).get_attribute("data-state") == "created", name
    for name, (_, reason) in bad.items():
        assert row(page, name).get_attribute("data-state") == "rejected", name
        # text_content: rows off screen are not laid out (content-visibility).
        assert reason in row(page, name).locator(".upload-message").text_content()
    for name in ("first again.jpg", "photo-00 copy.jpg"):
        assert row(page, name).get_attribute("data-state") == "duplicate", name
    # Duplicates and files refused in the browser never sent their bytes.
    assert len(posted) == 50 - 3 + 1 - 1  # 47 minus empty and 2 duplicates, +first
    # The summary line is redrawn on a timer after the rows: wait for it.
    expect(page.locator("#upload-counts")).to_contain_text(
        "51 of 51 files done · 45 added · 2 duplicates · 4 rejected"
    )
    page.screenshot(path=screenshots / "upload-finished.png", full_page=False)
    page.get_by_text("Problems", exact=True).click()
    assert page.locator(".upload-row:visible").count() == 4
    # The batch's choice is offered next time (the graphic's own was not).
    page.reload()
    expect(page.locator("input[name=visibility][value=public]")).to_be_checked()

    # Search, then open the lightbox from the keyboard and step through it.
    page.get_by_label("Search photos").fill("harbour")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=harbour"))
    tiles = page.locator(".gallery-grid .tile")
    assert tiles.count() == 1
    page.goto("/?q=coast")  # the batch description reached every dropped file
    assert tiles.count() == 44
    page.goto("/?q=blue+graphic")
    assert tiles.locator(".badge", has_text="Private").count() == 1
    page.goto("/?show=mine")
    page.screenshot(path=screenshots / "gallery.png", full_page=False)
    page.locator(".tile-link").first.focus()
    page.keyboard.press("Enter")
    lightbox = page.locator("#lightbox")
    assert lightbox.is_visible()
    first_title = lightbox.locator(".lightbox-title").inner_text()
    page.keyboard.press("ArrowRight")
    assert lightbox.locator(".lightbox-title").inner_text() != first_title
    page.screenshot(path=screenshots / "lightbox.png", full_page=False)
    close_lightbox(page)
    assert page.evaluate("document.activeElement.classList.contains('tile-link')")

    # Make the harbour photo private from its page, and three more in bulk.
    page.goto("/?q=harbour")
    page.locator(".tile-link").first.click()  # a click opens the lightbox
    page.locator("#lightbox").get_by_role("link", name="Details").click()
    page.wait_for_url("**/images/*/")
    page.get_by_role("button", name="Make private").click()
    assert page.locator(".badge", has_text="Private").is_visible()
    assert page.get_by_role("button", name="Make public").is_visible()
    page.screenshot(path=screenshots / "detail-private.png")
    harbour_url = page.url

    page.goto("/?show=public")
    page.get_by_text("Select", exact=True).click()
    checks = page.locator(".tile-check")
    for i in range(3):
        checks.nth(i).check()
    page.get_by_role("button", name="Make private").click()
    assert "3 photos made private" in page.locator(".alert").inner_text()
    page.goto("/?show=private")
    # The first photo, the graphic, the harbour and the three just made private.
    assert page.locator(".gallery-grid .tile").count() == 6

    # Someone else sees none of the private ones, anywhere.
    other = new_page(width=360, height=740)
    sign_up(other, "e2e_bob")
    for query in ("harbour", "graphic"):
        other.goto(f"/?q={query}")
        assert other.locator(".gallery-grid .tile").count() == 0
    assert other.goto(harbour_url).status == 404
    other.goto("/")
    assert other.locator(".gallery-grid .tile").count() == 45 - 6
    other.screenshot(path=screenshots / "gallery-360px-other-user.png")
    other.goto("/upload/")
    # Alice's choice is hers: a new account is offered private.
    expect(other.locator("input[name=visibility][value=private]")).to_be_checked()
    other.screenshot(path=screenshots / "upload-360px.png")
    assert errors == []


def test_without_javascript_the_plain_form_still_uploads(new_page, screenshots):
    page = new_page(javascript=False)
    sign_up(page, "e2e_carol")
    page.goto("/upload/")
    assert not page.locator("#dropzone").is_visible()
    page.set_input_files(
        "#id_images",
        files=[
            {"name": "a.jpg", "mimeType": "image/jpeg", "buffer": noisy_jpeg(seed=501)},
            {"name": "b.txt", "mimeType": "text/plain", "buffer": TEXT},
        ],
    )
    page.locator("main").get_by_role("button", name="Upload").click()
    outcomes = page.locator("#upload-results [data-outcome]")
    assert [outcomes.nth(i).get_attribute("data-outcome") for i in range(2)] == [
        "created",
        "rejected",
    ]
    page.screenshot(path=screenshots / "upload-without-javascript.png")


def test_on_a_phone_the_queue_shows_up_clear_of_the_navigation_bar(
    new_page, screenshots
):
    page = new_page(width=360, height=780)
    sign_up(page, "e2e_dave")
    page.goto("/upload/")
    photos = [
        {
            "name": f"p{i}.jpg",
            "mimeType": "image/jpeg",
            "buffer": noisy_jpeg(seed=900 + i),
        }
        for i in range(12)
    ]
    page.set_input_files("#pick-files", files=photos)
    expect(page.locator("#upload-counts")).to_have_text(
        "12 of 12 files done · 12 added"
    )
    summary = page.locator(".sticky-summary")

    def clear_of_the_navigation_bar():
        nav_bottom = page.locator("nav.sticky-top").bounding_box()["height"]
        top = summary.bounding_box()["y"]  # from the viewport's top
        return nav_bottom - 1 <= top <= 780 - 100

    # Below the whole form on a phone: choosing files brings the queue up.
    assert clear_of_the_navigation_bar()
    page.evaluate(
        "window.scrollTo({top: document.body.scrollHeight, behavior: 'instant'})"
    )
    # Stuck while the list scrolls by, under the navigation bar, not behind it.
    assert clear_of_the_navigation_bar()
    page.screenshot(path=screenshots / "upload-360px-scrolled.png", full_page=False)


def test_the_upload_summary_writes_large_counts_as_people_read_them(new_page):
    page = new_page()
    page.goto("/")
    parts = page.evaluate(
        """async () => (await import("/static/js/upload/format.js")).summaryParts(
             {done: 2005, total: 2005, created: 1998, duplicate: 2, rejected: 5,
              failed: 1200})"""
    )
    assert parts == [
        "2,005 of 2,005 files done",
        "1,998 added",
        "2 duplicates",
        "5 rejected",
        "1,200 failed",
    ]


def test_retry_is_offered_only_where_trying_again_can_help(new_page):
    page = new_page()
    sign_up(page, "e2e_erin")
    page.goto("/upload/")
    limited = {
        "outcome": "rejected",
        "code": "upload_rate_limited",
        "message": "You have sent many files this hour; try again later.",
    }
    # What gallery.views.uploads answers once the session has ended.
    signed_out = {
        "outcome": "failed",
        "code": "not_authenticated",
        "message": "You are signed out. Sign in again, then retry.",
    }

    def answer(route):
        body = route.request.post_data_buffer or b""
        if b'filename="busy.jpg"' in body:
            route.fulfill(status=429, json=limited)
        elif b'filename="away.jpg"' in body:
            route.fulfill(status=401, json=signed_out)
        elif b'filename="down.jpg"' in body:
            route.fulfill(status=503, body="Service Unavailable")
        else:
            route.continue_()

    page.route("**/upload/file/", answer)
    files = {
        "busy.jpg": noisy_jpeg(seed=610),
        "down.jpg": noisy_jpeg(seed=611),
        "away.jpg": noisy_jpeg(seed=612),
        "notes.jpg": TEXT,
    }
    page.set_input_files(
        "#pick-files",
        files=[
            {"name": name, "mimeType": "image/jpeg", "buffer": data}
            for name, data in files.items()
        ],
    )
    expect(page.locator("#upload-counts")).to_contain_text(
        "4 of 4 files done", timeout=30_000
    )
    expect(row(page, "busy.jpg")).to_have_attribute("data-state", "rejected")
    expect(row(page, "down.jpg")).to_have_attribute("data-state", "failed")
    expect(row(page, "away.jpg")).to_have_attribute("data-state", "failed")
    expect(row(page, "notes.jpg")).to_have_attribute("data-state", "rejected")
    retry = page.locator(".upload-retry:visible")
    expect(retry).to_have_count(3)
    expect(row(page, "notes.jpg").locator(".upload-retry")).to_be_hidden()

    page.unroute("**/upload/file/")
    page.get_by_role("button", name="Retry failed").click()
    expect(row(page, "busy.jpg")).to_have_attribute("data-state", "created")
    expect(row(page, "down.jpg")).to_have_attribute("data-state", "created")
    expect(row(page, "away.jpg")).to_have_attribute("data-state", "created")
    expect(retry).to_have_count(0)
    expect(page.get_by_role("button", name="Retry failed")).to_be_disabled()


def test_the_finished_line_counts_only_the_bytes_sent(new_page):
    page = new_page()
    sign_up(page, "e2e_frank")
    page.goto("/upload/")

    def pick(*photos):
        page.set_input_files(
            "#pick-files",
            files=[
                {"name": f"p{seed}.jpg", "mimeType": "image/jpeg", "buffer": data}
                for seed, data in photos
            ],
        )

    def size_as_shown(data):
        return page.evaluate(
            """async (n) => (await import("/static/js/upload/format.js"))
                 .formatBytes(n)""",
            len(data),
        )

    kept = [(seed, noisy_jpeg((640, 480), seed=seed)) for seed in (720, 721)]
    pick(*kept)
    expect(page.locator("#upload-counts")).to_have_text("2 of 2 files done · 2 added")
    sent = size_as_shown(kept[0][1] + kept[1][1])
    expect(page.locator("#upload-rate")).to_contain_text(f"Finished {sent} in ")

    page.reload()
    pick(*kept)  # hashed in the browser: nothing goes up
    expect(page.locator("#upload-rate")).to_have_text(
        "Nothing to send: 2 files you already have."
    )
    new = noisy_jpeg((320, 240), seed=722)
    pick((722, new))
    expect(page.locator("#upload-counts")).to_contain_text("3 of 3 files done")
    expect(page.locator("#upload-rate")).to_contain_text(
        f"Finished {size_as_shown(new)} in "
    )


def test_a_phone_is_offered_no_drop_and_no_folder(new_page, screenshots):
    desktop = new_page(width=1280, height=800)
    sign_up(desktop, "e2e_gina")
    desktop.goto("/upload/")
    zone = desktop.locator("#dropzone")
    expect(zone.get_by_text("Drop photos or whole folders here")).to_be_visible()
    expect(zone.get_by_text("Choose a folder…")).to_be_visible()
    expect(zone.get_by_text("Add photos from this device")).to_be_hidden()

    phone = new_page(
        width=390,
        height=844,
        is_mobile=True,
        has_touch=True,
        storage_state=desktop.context.storage_state(),
    )
    phone.goto("/upload/")
    zone = phone.locator("#dropzone")
    expect(zone.get_by_text("Add photos from this device")).to_be_visible()
    expect(zone.get_by_text("Drop photos or whole folders here")).to_be_hidden()
    expect(zone.get_by_text("Choose a folder…")).to_be_hidden()
    expect(zone.get_by_text("Choose files…")).to_be_visible()
    phone.screenshot(path=screenshots / "upload-phone.png")

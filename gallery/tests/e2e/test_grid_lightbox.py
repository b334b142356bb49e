"""The gallery as people know it, in a real browser: justified rows that keep
each photo's shape (with JavaScript or without), thumbnails only, a dozen
photos on a phone's first screen, captions on demand, and a lightbox that
swipes and pinches, closes on Back or a swipe down, runs on past the page
and gives focus back to the photo it showed last."""

import re

import pytest
from playwright.sync_api import expect

from ..images import noisy_jpeg
from ..live import Visitor, prepare_site, served
from .test_browser import close_lightbox

pytestmark = pytest.mark.e2e

OWNER, PASSWORD = "grid_owner", "a-long-pass-phrase"
# Small pictures: only their shapes matter to the grid.
SHAPES = {
    "shape panorama": (900, 150),
    "shape square": (400, 400),
    "shape wide": (640, 360),
    "shape tall": (200, 400),
    "shape portrait": (300, 400),
    "shape classic": (600, 400),
    "shape twice": (600, 300),
    "shape upright": (400, 600),
    "shape print": (500, 400),
    "shape screen": (400, 300),
}
# Newer than the shapes, so the gallery's first page is all 4:3 photos.
FIELDS = {f"field {n:02d}": (400, 300) for n in range(24)}
PAGE_SIZE = 20  # site_settings.py
SECRET = "field secret"  # private: its owner's newest photo


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """34 public photos (two gallery pages) and one private."""
    root = tmp_path_factory.mktemp("grid-site")
    site = prepare_site(root, DJANGO_SETTINGS_MODULE="gallery.tests.e2e.site_settings")
    with served(site, workers=1) as site:
        owner = Visitor(site.url).sign_up(OWNER, PASSWORD)
        for seed, photos in ((0, SHAPES), (100, FIELDS)):
            files = [
                (f"{title}.jpg", noisy_jpeg(size, seed=seed + i))
                for i, (title, size) in enumerate(photos.items())
            ]
            assert owner.upload(files) == ["created"] * len(files)
        secret = [(f"{SECRET}.jpg", noisy_jpeg((400, 300), seed=999))]
        assert owner.upload(secret, visibility="private") == ["created"]
        yield site


@pytest.fixture
def open_page(browser, site):
    """``open_page(width, height, ...)``: a page in a fresh browser context
    on the grid site, failing the test on any script error or CSP refusal."""
    contexts, errors = [], []

    def make(width=1280, height=800, javascript=True, phone=False):
        context = browser.new_context(
            base_url=site.url,
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
            device_scale_factor=3 if phone else 1,
            is_mobile=phone,
            has_touch=phone,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda m: (
                errors.append(m.text)
                if m.type == "error"
                and not m.text.startswith("Failed to load resource")
                else None
            ),
        )
        page.on("pageerror", lambda e: errors.append(str(e)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == []


def sign_in(page):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(OWNER)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


# ---------------------------------------------------------------- the grid

GEOMETRY = """() => {
  const grid = document.getElementById("gallery").getBoundingClientRect();
  const tiles = Array.from(document.querySelectorAll("#gallery > .tile"), (tile) => {
    const box = tile.getBoundingClientRect();
    const style = getComputedStyle(tile);
    return {
      title: tile.querySelector(".tile-link").dataset.title,
      top: box.top, bottom: box.bottom, right: box.right,
      width: box.width, height: box.height,
      base: parseFloat(style.flexBasis), most: parseFloat(style.maxWidth),
    };
  });
  return {right: grid.right, width: grid.width, tiles};
}"""


def rows_of(tiles):
    rows = {}
    for tile in tiles:
        rows.setdefault(round(tile["top"]), []).append(tile)
    return [rows[top] for top in sorted(rows)]


def assert_justified(geometry, shapes):
    tiles = geometry["tiles"]
    assert tiles
    for tile in tiles:
        width, height = shapes[tile["title"]]
        drawn = tile["width"] / tile["height"]
        # Within the half percent of the shape classes, and a pixel's rounding.
        assert drawn == pytest.approx(width / height, rel=0.02), tile
    rows = rows_of(tiles)
    assert len(rows) >= 3
    filled = 0
    for row in rows:
        heights = [tile["height"] for tile in row]
        assert max(heights) - min(heights) <= 1, row
    for row in rows[:-1]:
        # Each row fills the width, unless the photo after it was too wide to
        # join and the row has grown as tall as rows may.
        fills = abs(row[-1]["right"] - geometry["right"]) <= 1.5
        capped = all(tile["width"] >= tile["most"] - 1 for tile in row)
        assert fills or capped, row
        filled += fills
    assert filled >= len(rows) // 2
    for tile in rows[-1]:  # the last row is not stretched to the edge
        base = min(tile["base"], geometry["width"])  # a panorama may not fit
        assert tile["width"] == pytest.approx(base, abs=1), rows[-1]


@pytest.mark.parametrize(
    ("width", "height", "javascript"),
    [(1280, 800, True), (390, 844, True), (1280, 800, False)],
    ids=["desktop", "phone", "desktop-no-javascript-no-images-yet"],
)
def test_rows_are_justified_and_every_photo_keeps_its_shape(
    open_page, screenshots, width, height, javascript
):
    page = open_page(width, height, javascript=javascript)
    if not javascript:
        # The boxes come from the page alone: nothing waits for an image.
        page.route(re.compile(r"/thumbnail/"), lambda route: route.abort())
    page.goto("/?q=shape")  # the search results, with their captions
    assert page.locator("#gallery .tile mark").count() == len(SHAPES)
    assert_justified(page.evaluate(GEOMETRY), SHAPES)
    name = "desktop" if width > 800 else "phone"
    page.screenshot(path=screenshots / f"grid-shapes-{name}-js-{javascript}.png")
    page.goto("/")
    assert_justified(page.evaluate(GEOMETRY), {**SHAPES, **FIELDS})


def test_a_phone_shows_a_dozen_photos_from_thumbnails_alone(open_page, screenshots):
    page = open_page(390, 844, phone=True)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/", wait_until="networkidle")
    on_screen = page.evaluate(
        """() => Array.from(document.querySelectorAll("#gallery .tile"))
             .filter((tile) => {
               const box = tile.getBoundingClientRect();
               return box.top >= 0 && box.bottom <= innerHeight;
             }).length"""
    )
    assert on_screen >= 12
    page.screenshot(path=screenshots / "grid-phone-first-screen.png")
    images = page.locator("#gallery img")
    assert images.count() == PAGE_SIZE
    for i in range(PAGE_SIZE):
        srcset = images.nth(i).get_attribute("srcset")
        for candidate in srcset.split(","):
            assert "/thumbnail/" in candidate, srcset
        assert images.nth(i).get_attribute("sizes")
    assert any("/thumbnail/" in url for url in requested)
    assert not [url for url in requested if "/display/" in url]


def test_captions_and_badges_show_on_hover_focus_and_while_selecting(open_page):
    page = open_page()
    sign_in(page)
    page.goto("/?show=mine")
    captions = page.locator("#gallery .tile-caption")
    secret = page.locator(".tile", has_text=SECRET)
    for i in range(3):
        expect(captions.nth(i)).to_have_css("opacity", "0")
    # Hidden from the eye only: the link still says what it is.
    expect(secret.locator(".tile-link")).to_have_accessible_name(
        re.compile(f"{SECRET}.*Private")
    )

    page.locator(".tile").nth(2).hover()
    expect(captions.nth(2)).to_have_css("opacity", "1")
    expect(captions.nth(1)).to_have_css("opacity", "0")

    page.mouse.move(0, 0)
    page.locator("#select-mode").focus()  # just before the tiles
    for _ in range(10):  # the keyboard reaches the private one's link
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.tile-link') !== null"):
            break
    expect(secret.locator(".tile-link")).to_be_focused()
    expect(secret.locator(".tile-caption")).to_have_css("opacity", "1")
    expect(secret.locator(".badge", has_text="Private")).to_be_visible()
    expect(captions.nth(2)).to_have_css("opacity", "0")

    page.get_by_text("Select", exact=True).click()
    for i in range(3):
        expect(captions.nth(i)).to_have_css("opacity", "1")


def test_while_selecting_a_click_or_shift_click_on_photos_selects_them(open_page):
    page = open_page()
    sign_in(page)
    page.goto("/?show=mine")
    page.get_by_text("Select", exact=True).click()
    tiles = page.locator(".tile .tile-link")
    tiles.nth(1).click()
    tiles.nth(4).click(modifiers=["Shift"])
    expect(page.locator("#bulk-count")).to_have_text("4 selected")
    checks = page.locator(".tile-check")
    assert [checks.nth(n).is_checked() for n in range(6)] == [
        False, True, True, True, True, False,
    ]  # fmt: skip
    assert len(page.context.pages) == 1  # no window opened
    tiles.nth(2).click()
    expect(page.locator("#bulk-count")).to_have_text("3 selected")
    expect(page.locator("#lightbox")).not_to_be_visible()


# ---------------------------------------------------------------- the lightbox


def touch(cdp, kind, *points):
    cdp.send(
        "Input.dispatchTouchEvent",
        {"type": kind, "touchPoints": [{"x": x, "y": y} for x, y in points]},
    )


def swipe(cdp, from_x, to_x, y=420, to_y=None):
    """One finger, sideways (or to ``to_y``), as a person swipes."""
    to_y = y if to_y is None else to_y
    touch(cdp, "touchStart", (from_x, y))
    for step in range(1, 6):
        touch(
            cdp,
            "touchMove",
            (from_x + (to_x - from_x) * step / 5, y + (to_y - y) * step / 5),
        )
    touch(cdp, "touchEnd")


def pinch(cdp, centre, spread_from, spread_to, y=420):
    """Two fingers moving apart around ``centre``."""
    for step in range(6):
        half = spread_from + (spread_to - spread_from) * step / 5
        kind = "touchStart" if step == 0 else "touchMove"
        touch(cdp, kind, (centre - half, y), (centre + half, y))
    touch(cdp, "touchEnd")


def test_on_a_phone_the_lightbox_swipes_pinches_and_closes(open_page, screenshots):
    page = open_page(390, 844, phone=True)
    page.goto("/")
    titles = page.locator("#gallery .tile-link").evaluate_all(
        "links => links.map((link) => link.dataset.title)"
    )
    page.locator("#gallery .tile-link").first.tap()
    lightbox = page.locator("#lightbox")
    title = lightbox.locator(".lightbox-title")
    expect(title).to_have_text(titles[0])
    # The photo spans the screen's width or height, the buttons over its edges.
    image = lightbox.locator(".lightbox-image")
    expect(image).to_have_js_property("complete", True)
    box, stage = (
        image.bounding_box(),
        lightbox.locator(".lightbox-stage").bounding_box(),
    )
    assert box["width"] == pytest.approx(390, abs=1) or box["height"] == pytest.approx(
        stage["height"], abs=1
    )
    # The buttons on the stage still take taps.
    lightbox.get_by_role("button", name=re.compile("Next photo")).tap()
    expect(title).to_have_text(titles[1])
    cdp = page.context.new_cdp_session(page)

    swipe(cdp, 320, 80)  # to the left: the next photo
    expect(title).to_have_text(titles[2])
    swipe(cdp, 80, 320)
    expect(title).to_have_text(titles[1])
    swipe(cdp, 200, 180)  # a wobble, not a swipe
    expect(title).to_have_text(titles[1])

    image = lightbox.locator(".lightbox-image")
    expect(image).to_have_js_property("complete", True)
    before = image.bounding_box()["width"]
    pinch(cdp, 195, 40, 120)
    assert image.bounding_box()["width"] > 2 * before
    page.screenshot(path=screenshots / "lightbox-phone-pinched.png")
    swipe(cdp, 320, 80)  # zoomed in, a finger looks around the photo
    expect(title).to_have_text(titles[1])
    page.keyboard.press("ArrowRight")  # the next photo comes whole
    expect(title).to_have_text(titles[2])
    expect(image).to_have_js_property("complete", True)
    assert image.bounding_box()["width"] == pytest.approx(before, abs=1)

    swipe(cdp, 200, 205, y=300, to_y=340)  # a little down: a wobble
    expect(lightbox).to_be_visible()
    swipe(cdp, 200, 210, y=300, to_y=600)  # down: closed, as Back would
    expect(lightbox).to_be_hidden()
    page.wait_for_function("() => !history.state?.lightbox")
    expect(page.locator("#gallery .tile-link").nth(2)).to_be_focused()


def test_back_closes_the_lightbox_and_stays_on_the_gallery(open_page):
    page = open_page()
    page.goto("/")
    page.goto("/?q=field")
    lightbox = page.locator("#lightbox")
    page.locator("#gallery .tile-link").nth(3).click()
    expect(lightbox).to_be_visible()
    page.go_back()
    expect(lightbox).to_be_hidden()
    assert page.url.endswith("/?q=field")
    expect(page.locator("#gallery .tile-link").nth(3)).to_be_focused()

    # Closed by its button, it takes its history entry along: Back then
    # leaves the search for the page before it.
    page.locator("#gallery .tile-link").nth(3).click()
    lightbox.get_by_role("button", name="Close").click()
    expect(lightbox).to_be_hidden()
    # Its own step back first: a Back pressed while that one is pending is
    # folded into it.
    page.wait_for_function("() => !history.state?.lightbox")
    page.go_back()
    page.wait_for_url(re.compile(r"/$"))


def test_the_lightbox_runs_on_past_the_page_and_focus_follows(open_page, screenshots):
    page = open_page()
    page.goto("/")
    tiles = page.locator("#gallery > .tile")
    expect(tiles).to_have_count(PAGE_SIZE)
    lightbox = page.locator("#lightbox")
    title = lightbox.locator(".lightbox-title")
    tiles.last.locator(".tile-link").click()
    total = len(SHAPES) + len(FIELDS)
    # The gallery's count is the lightbox's: the page's own photos and more.
    expect(page.locator("#result-count")).to_contain_text(f"{total} photos")
    expect(lightbox.locator(".lightbox-count")).to_have_text(f"{PAGE_SIZE} / {total}")

    page.keyboard.press("ArrowRight")  # past the page: the next one joins
    expect(tiles).to_have_count(total)
    expect(lightbox.locator(".lightbox-count")).to_have_text(
        f"{PAGE_SIZE + 1} / {total}"
    )
    joined = tiles.nth(PAGE_SIZE)
    expect(title).to_have_text(joined.locator(".tile-link").get_attribute("data-title"))
    # One month on both pages: its heading once.
    expect(page.locator("#gallery > .timeline-heading")).to_have_count(1)
    ids = tiles.evaluate_all("tiles => tiles.map((tile) => tile.dataset.imageId)")
    assert len(set(ids)) == total
    expect(page.get_by_role("link", name="Older »")).to_have_count(0)  # no page 3
    page.keyboard.press("ArrowRight")
    expect(lightbox.locator(".lightbox-count")).to_have_text(
        f"{PAGE_SIZE + 2} / {total}"
    )
    page.screenshot(path=screenshots / "lightbox-next-page.png")

    close_lightbox(page)
    expect(tiles.nth(PAGE_SIZE + 1).locator(".tile-link")).to_be_focused()

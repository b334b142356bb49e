"""Every page a person uses, checked by axe-core in a real browser: light and
dark, desktop and phone, with the theme coming from the system setting or
from the switch in the navigation. Also the phone's one-row header, the
theme switch's memory, and what must stay on a phone's screen."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from ..images import noisy_jpeg
from .test_accounts import confirm_link
from .test_browser import PASSWORD, sign_up

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
axe = Axe()  # axe-core's script as the package ships it: nothing fetched


def serious_violations(page):
    """axe-core's serious and critical findings on the page as it is now,
    one readable line each (an empty list when there are none)."""
    found = []
    for rule in axe.run(page).response["violations"]:
        if rule["impact"] not in ("serious", "critical"):
            continue
        for node in rule["nodes"][:5]:
            checks = node["any"] or node["all"] or node["none"] or [{}]
            found.append(
                f"{page.url} {rule['id']} ({rule['impact']}) {node['target']}: "
                f"{checks[0].get('message', rule['help'])}"
            )
    return found


def open_menu(page):
    """On a phone, open the navigation's menu; elsewhere it is always open."""
    toggle = page.locator("#menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
        expect(page.locator("#nav-menu")).to_have_class(re.compile(r"\bshow\b"))


def choose_theme(page, name):
    """Pick "Auto", "Light" or "Dark" with the navigation's theme switch."""
    open_menu(page)
    page.locator("#theme-toggle").click()
    choice = page.locator("#theme-menu").get_by_role(
        "button", name=re.compile(f"^{name}")
    )
    choice.click()
    expect(page.locator("#theme-toggle")).to_have_accessible_name(f"Theme: {name}")


@pytest.fixture(scope="module")
def member(browser, site_url):
    """A signed-up person with one private photo (the other modules' counts
    of public images stay as they are): their browser state (cookies) and
    the photo's page, shared by the tests of this module."""
    context = browser.new_context(base_url=site_url, viewport=DESKTOP)
    page = context.new_page()
    sign_up(page, "a11y_erin")
    page.goto("/upload/")
    page.locator("#id_title").fill("Lighthouse at dusk")
    page.locator("input[name=visibility][value=private]").check()
    page.set_input_files(
        "#pick-files",
        files=[{"name": "l.jpg", "mimeType": "image/jpeg", "buffer": noisy_jpeg()}],
    )
    page.wait_for_selector(".upload-row[data-state=created]")
    page.goto("/?q=lighthouse")
    detail = page.locator("main a[href*='/images/']").first.get_attribute("href")
    # An album with the photo in it, made as a person would.
    page.goto("/albums/")
    page.locator("#id_title").fill("Coast")
    page.get_by_role("button", name="Make album").click()
    album = page.url
    page.goto("/?show=mine")
    page.get_by_text("Select", exact=True).click()
    page.locator(".tile-check").first.check()
    page.locator("#bulk-album").select_option(label="Coast")
    page.get_by_role("button", name="Add to album").click()
    page.wait_for_selector(".alert-success")
    # Two labelled links to it, one revoked: the album's Links list shows
    # both the Revoke and the Remove button.
    page.goto(album)
    for label in ("For the neighbours", "For Grandma"):
        page.locator("#link-maker summary").click()
        page.locator("#link-form").get_by_label("Label", exact=True).fill(label)
        page.get_by_role("button", name="Make a link", exact=True).click()
    page.goto(album)
    page.locator("#link-list").get_by_role("button", name="Revoke").first.click()
    page.get_by_role("button", name="Revoke link").click()
    page.wait_for_selector("#link-list button:text('Remove')")
    # A second photo, moved to the trash: the Trash page has something.
    page.goto("/upload/")
    page.locator("#id_title").fill("Blurred gull")
    page.locator("input[name=visibility][value=private]").check()
    page.set_input_files(
        "#pick-files",
        files=[
            {"name": "g.jpg", "mimeType": "image/jpeg", "buffer": noisy_jpeg(seed=3)}
        ],
    )
    page.wait_for_selector(".upload-row[data-state=created]")
    page.goto("/?q=gull")
    page.goto(page.locator("main a[href*='/images/']").first.get_attribute("href"))
    page.get_by_role("link", name="Move to trash").click()
    page.get_by_role("button", name="Move to trash").click()
    page.wait_for_selector(".alert-success")
    state = context.storage_state()
    context.close()
    return {"storage_state": state, "detail": detail, "album": album}


# Both themes on both screens; the system setting gives the theme on the
# desktop, the switch overrides the opposite system setting on the phone.
THEMES = [
    pytest.param(DESKTOP, "light", None, id="desktop-light-system"),
    pytest.param(DESKTOP, "dark", None, id="desktop-dark-system"),
    pytest.param(PHONE, "dark", "Light", id="phone-light-switch"),
    pytest.param(PHONE, "light", "Dark", id="phone-dark-switch"),
]


@pytest.mark.parametrize(("screen", "system", "switch"), THEMES)
def test_no_serious_accessibility_violations_on_any_page(
    new_page, member, screenshots, screen, system, switch, server_log, site_url
):
    theme = switch.lower() if switch else system
    tag = f"{screen['width']}px-{theme}{'-switch' if switch else ''}"
    found = []

    def check(page, name):
        assert page.evaluate("document.documentElement.dataset.bsTheme") == theme
        found.extend(serious_violations(page))
        page.screenshot(path=screenshots / f"a11y-{name}-{tag}.png")

    # Without transitions axe never sees a colour half-way from one theme
    # (or one button state) to the next.
    calm = {"color_scheme": system, "reduced_motion": "reduce"}
    page = new_page(**screen, **calm, storage_state=member["storage_state"])
    page.goto("/")
    if switch:
        choose_theme(page, switch)
    check(page, "gallery")
    # The parts that only show on demand: the open menu and theme switch on
    # a phone, and the bulk actions while selecting.
    if screen == PHONE:
        open_menu(page)
        page.locator("#theme-toggle").click()
        found.extend(serious_violations(page))
        page.screenshot(path=screenshots / f"a11y-menu-{tag}.png")
        page.goto("/")
    page.get_by_text("Select", exact=True).click()
    page.locator(".tile-check").first.check()
    found.extend(serious_violations(page))
    # The second pages of Set date… and of Add to album › New album….
    page.get_by_role("button", name="Set date…").click()
    page.wait_for_url("**/bulk/")
    check(page, "bulk-date")
    page.go_back()
    page.get_by_text("Select", exact=True).click()
    page.locator(".tile-check").first.check()
    page.locator("#bulk-album").select_option("new")
    page.get_by_role("button", name="Add to album").click()
    page.wait_for_url("**/bulk/")
    check(page, "bulk-new-album")

    page.goto("/?q=lighthouse")
    check(page, "search")
    page.goto(member["detail"])
    check(page, "detail")
    # A link just made: its highlighted row, its address and its buttons.
    page.locator("#link-maker summary").click()
    page.get_by_role("button", name="Make a link", exact=True).click()
    page.wait_for_selector("#new-link")
    check(page, "new-link")
    page.goto("/albums/")
    check(page, "albums")
    page.goto(member["album"])
    check(page, "album")
    page.goto(member["album"] + "edit/")
    check(page, "album-edit")
    page.goto(member["album"] + "delete/")  # the confirmation page, as Revoke's
    check(page, "album-delete")
    page.goto("/upload/")
    page.set_input_files(
        "#pick-files",
        files=[
            {"name": f"{tag}.jpg", "mimeType": "image/jpeg", "buffer": noisy_jpeg()}
        ],
    )  # already there: a row in its "duplicate" colours
    page.wait_for_selector(".upload-row[data-state=duplicate]")
    check(page, "upload")
    page.goto("/trash/")
    check(page, "trash")
    page.get_by_text("Select", exact=True).click()
    page.locator(".tile-check").first.check()
    found.extend(serious_violations(page))
    page.get_by_role("button", name="Delete for good…").click()
    # The confirmation is the answer to a POST: read it once it has come.
    page.wait_for_url("**/trash/purge/")
    check(page, "trash-delete-for-good")
    # Moved to the trash from its page: the message offers Undo.
    page.goto(member["detail"])
    page.get_by_role("link", name="Move to trash").click()
    page.wait_for_url("**/delete/")  # read the page it leads to, once there
    check(page, "move-to-trash")
    page.get_by_role("button", name="Move to trash").click()
    page.wait_for_selector("#undo-trash")
    check(page, "moved-to-trash")
    page.get_by_role("button", name="Undo").click()
    page.wait_for_url(f"**{member['detail']}")
    page.goto("/settings/tokens/")
    page.get_by_label("Token name").fill(f"laptop {tag}")
    page.get_by_role("button", name="Create token").click()
    page.wait_for_selector("#new-token")
    check(page, "api-tokens")
    page.goto("/settings/")
    check(page, "account")
    page.get_by_text("Change the e-mail address").click()
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_selector(".invalid-feedback")
    check(page, "account-error")
    page.get_by_label("E-mail address").fill("a11y_erin@new.example")
    page.get_by_label("Your password").fill(PASSWORD)
    sent_from = server_log.stat().st_size
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_selector(".alert-success")
    check(page, "account-link-sent")
    page.goto(confirm_link(server_log, "a11y_erin@new.example", sent_from, site_url))
    check(page, "email-confirm")  # left unconfirmed: the address stays
    page.goto("/settings/password/")
    check(page, "password-change")
    page.goto("/settings/delete/")
    check(page, "account-delete")

    visitor = new_page(**screen, **calm)
    visitor.goto("/accounts/login/")
    if switch:
        choose_theme(visitor, switch)
    check(visitor, "sign-in")
    visitor.goto("/accounts/signup/")
    check(visitor, "sign-up")
    visitor.goto("/accounts/password-reset/")
    check(visitor, "password-reset")
    visitor.get_by_label("E-mail address").fill(f"nobody-{tag}@example.org")
    visitor.get_by_role("button", name="Send the link").click()
    visitor.wait_for_url("**/sent/")
    check(visitor, "password-reset-sent")
    visitor.goto("/accounts/password-reset/MQ/spent-link/")
    check(visitor, "password-reset-spent")
    visitor.goto("/settings/email/confirm/spent-link/")
    check(visitor, "email-confirm-spent")
    visitor.goto("/accounts/login/")
    for _ in range(5):  # AXES_FAILURE_LIMIT, for a name of its own
        visitor.locator("#id_username").fill(f"a11y-nobody-{tag}")
        visitor.locator("#id_password").fill("a wrong guess")
        visitor.get_by_role("button", name="Sign in").click()
    visitor.wait_for_selector("text=Too many failed sign-in attempts")
    check(visitor, "locked-out")
    assert found == []


def test_the_theme_is_chosen_before_the_page_is_drawn(new_page):
    page = new_page(color_scheme="dark")
    page.goto("/")
    # A plain script in <head> (not deferred, not a module) runs before the
    # body is parsed, so the first paint already has the theme's colours.
    blocking = page.locator(
        "head script[src*='theme.js']:not([defer]):not([async]):not([type=module])"
    )
    expect(blocking).to_have_count(1)
    assert page.evaluate("document.documentElement.dataset.bsTheme") == "dark"


def test_the_theme_switch_works_from_the_keyboard_and_is_remembered(new_page, member):
    page = new_page(color_scheme="light", storage_state=member["storage_state"])
    page.goto("/")
    html = page.locator("html")
    toggle = page.locator("#theme-toggle")
    expect(toggle).to_have_accessible_name("Theme: Auto")
    expect(html).to_have_attribute("data-bs-theme", "light")

    toggle.focus()
    page.keyboard.press("Enter")
    dark = page.locator("[data-theme-choice=dark]")
    for _ in range(3):  # auto, light, dark
        page.keyboard.press("ArrowDown")
    expect(dark).to_be_focused()
    expect(dark).to_have_accessible_name("Dark")
    page.keyboard.press("Enter")
    expect(html).to_have_attribute("data-bs-theme", "dark")
    # Focus goes back to the switch, which now says what was chosen.
    expect(toggle).to_be_focused()
    expect(toggle).to_have_accessible_name("Theme: Dark")
    expect(dark).to_have_attribute("aria-pressed", "true")

    page.reload()
    expect(html).to_have_attribute("data-bs-theme", "dark")
    expect(toggle).to_have_accessible_name("Theme: Dark")
    page.goto("/upload/")
    expect(html).to_have_attribute("data-bs-theme", "dark")

    choose_theme(page, "Auto")
    expect(html).to_have_attribute("data-bs-theme", "light")
    page.emulate_media(color_scheme="dark")  # the system setting changes
    expect(html).to_have_attribute("data-bs-theme", "dark")


@pytest.mark.parametrize("signed_in", [True, False], ids=["member", "visitor"])
def test_on_a_phone_the_header_is_one_row_and_search_opens_from_it(
    new_page, member, screenshots, signed_in
):
    state = member["storage_state"] if signed_in else None
    page = new_page(**PHONE, storage_state=state)
    page.goto("/")
    nav = page.locator("nav.navbar")
    brand = page.locator(".navbar-brand")
    search_button = page.locator("#search-toggle")
    expect(search_button).to_have_accessible_name("Search")
    menu_button = page.get_by_role("button", name="Menu")
    boxes = [item.bounding_box() for item in (brand, search_button, menu_button)]
    nav_height = nav.bounding_box()["height"]
    # One row: the bar is no taller than its tallest item and its padding,
    # and its three items share the same band.
    assert nav_height < 1.5 * max(box["height"] for box in boxes)
    for box in boxes:
        assert box["y"] < boxes[0]["y"] + boxes[0]["height"]
        assert boxes[0]["y"] < box["y"] + box["height"]
    assert not page.get_by_label("Search photos").is_visible()
    page.screenshot(
        path=screenshots / f"phone-header-{'member' if signed_in else 'visitor'}.png"
    )

    search_button.click()
    field = page.get_by_label("Search photos")
    expect(field).to_be_focused()
    expect(search_button).to_have_attribute("aria-expanded", "true")
    field.fill("lighthouse")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=lighthouse"))

    menu_button.click()
    expected = (
        ["Upload", "Albums", "Trash", "Account"]
        if signed_in
        else ["Sign in", "Sign up"]
    )
    for name in expected:
        expect(page.locator("#nav-menu").get_by_role("link", name=name)).to_be_visible()


def test_on_a_desktop_the_search_field_stays_in_the_bar(new_page, member):
    page = new_page(**DESKTOP, storage_state=member["storage_state"])
    page.goto("/")
    nav = page.locator("nav.navbar").bounding_box()
    field = page.get_by_label("Search photos")
    expect(field).to_be_visible()
    assert field.bounding_box()["y"] + field.bounding_box()["height"] <= nav["height"]
    expect(page.locator("#search-toggle")).to_be_hidden()
    expect(page.locator("#menu-toggle")).to_be_hidden()


def test_without_javascript_a_phone_still_reaches_search_and_every_link(
    new_page, member
):
    page = new_page(**PHONE, javascript=False, storage_state=member["storage_state"])
    page.goto("/upload/")
    expect(page.get_by_label("Search photos")).to_be_visible()
    for name in ("Upload", "Albums", "Account"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()
    # The plain form's file field is on the first screen too.
    files = page.locator("#id_images").bounding_box()
    assert files["y"] + files["height"] <= PHONE["height"]


def test_on_a_phone_the_pickers_and_the_bulk_actions_stay_on_screen(
    new_page, member, screenshots
):
    page = new_page(**PHONE, storage_state=member["storage_state"])
    page.goto("/upload/")
    for picker in ("Choose files…", "Choose a folder…"):
        box = page.get_by_text(picker, exact=True).bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], picker

    page.goto("/?show=mine")
    bar = page.locator(".bulk-bar")
    page.get_by_text("Select", exact=True).click()
    page.locator(".tile-check").first.check()
    # Pinned to the bottom of the screen, wherever the page is scrolled.
    for scroll in ("0", "document.body.scrollHeight"):
        page.evaluate(f"window.scrollTo(0, {scroll})")
        box = bar.bounding_box()
        assert box["y"] + box["height"] == pytest.approx(PHONE["height"], abs=1)
        expect(bar.get_by_role("button", name="Make private")).to_be_in_viewport()
    # Every action in view, each by its last word, in two rows beside Done.
    for name in ("Make public", "Make private", "Set date…", "Move to trash…"):
        expect(bar.get_by_role("button", name=name)).to_be_in_viewport()
    expect(bar.get_by_role("button", name="Add to album")).to_be_in_viewport()
    assert bar.get_by_role("button", name="Move to trash…").inner_text() == "Trash…"
    expect(page.locator("#bulk-album")).to_be_in_viewport()
    assert bar.bounding_box()["height"] < 100
    page.screenshot(path=screenshots / "phone-bulk-actions.png")


def test_on_a_desktop_the_bulk_actions_stay_on_screen_and_no_album_is_preset(
    new_page, member, screenshots
):
    page = new_page(**DESKTOP, storage_state=member["storage_state"])
    page.goto("/?show=mine")
    page.get_by_text("Select", exact=True).click()
    page.locator(".tile-check").first.check()
    bar = page.locator(".bulk-bar")
    for scroll in ("0", "document.body.scrollHeight"):
        page.evaluate(f"window.scrollTo(0, {scroll})")
        box = bar.bounding_box()
        assert box["y"] + box["height"] == pytest.approx(DESKTOP["height"], abs=1)
    # One row on a desktop, each action by its whole name.
    assert bar.bounding_box()["height"] < 60
    trash = bar.get_by_role("button", name="Move to trash…")
    assert trash.inner_text() == "Move to trash…"
    # A quick click on "Add to album" files the photos nowhere.
    expect(page.locator("#bulk-album")).to_have_value("")
    page.get_by_role("button", name="Add to album").click()
    expect(page.locator(".alert-danger")).to_contain_text("Choose an album first.")
    page.screenshot(path=screenshots / "desktop-bulk-actions.png")

"""A forgotten password, in a real browser: locked out after mistyping it,
the person asks for a reset, reads the mail (the live site prints it on its
console, as `make run` does), chooses a new password and signs in with it."""

import email
import re

import pytest
from playwright.sync_api import expect

from .test_browser import sign_up

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "a-fresh-e2e-pass-phrase-7"


def mail_to(log, address, since):
    """The last mail to ``address`` that the site printed after byte
    ``since`` of its log. Django's console backend prints each message whole,
    headers first, and a line of dashes after it."""
    text = log.read_text(errors="replace")[since:]
    printed = [
        email.message_from_string(chunk[chunk.index("Content-Type: ") :])
        for chunk in text.split("-" * 79)
        if "Content-Type: " in chunk
    ]
    mails = [message for message in printed if message["To"] == address]
    assert mails, f"no mail to {address} in the server's output:\n{text[-3000:]}"
    return mails[-1]


def test_a_locked_out_person_resets_the_password_by_email(
    new_page, server_log, site_url, screenshots
):
    page = new_page()
    sign_up(page, "e2e_forgetful")
    page.get_by_role("button", name=re.compile("Sign out")).click()

    page.goto("/accounts/login/")
    for _ in range(5):  # AXES_FAILURE_LIMIT
        page.get_by_label("Username").fill("e2e_forgetful")
        page.get_by_label("Password").fill("not-my-password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Too many failed")).to_be_visible()
    expect(page.locator("main")).to_contain_text("You can try again in about 15")
    page.screenshot(path=screenshots / "accounts-locked-out.png")

    page.get_by_role("link", name="Reset it by e-mail").click()
    page.get_by_label("E-mail address").fill("e2e_forgetful@example.org")
    sent_from = server_log.stat().st_size
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    mail = mail_to(server_log, "e2e_forgetful@example.org", sent_from)
    assert mail["Subject"] == "Reset your imagerepo password"
    body = mail.get_payload(decode=True).decode()
    link = re.search(rf"{re.escape(site_url)}/accounts/password-reset/\S+/", body)[0]
    page.goto(link)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the password").click()
    expect(page.get_by_role("heading", name="Your password is changed")).to_be_visible()

    # From the same browser and address that were locked out a moment ago.
    page.locator("main").get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("e2e_forgetful")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site_url}/")
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()

    # The link is spent.
    page.goto(link)
    expect(
        page.get_by_role("heading", name="This link no longer works")
    ).to_be_visible()

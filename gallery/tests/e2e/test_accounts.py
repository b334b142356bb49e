"""Accounts in a real browser, with the mails the live site prints on its
console (as `make run` does): a forgotten password, locked out after
mistyping it, reset by mail; a new e-mail address confirmed from the mail
sent to it."""

import email
import re

import pytest
from playwright.sync_api import expect

from .test_browser import PASSWORD, sign_up

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


def confirm_link(log, address, since, site_url):
    """The address-confirming link in the last mail to ``address``."""
    body = mail_to(log, address, since).get_payload(decode=True).decode()
    return re.search(rf"{re.escape(site_url)}/settings/email/confirm/\S+/", body)[0]


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


def test_a_new_address_changes_once_the_link_mailed_to_it_is_confirmed(
    new_page, server_log, site_url, screenshots
):
    page = new_page()
    sign_up(page, "e2e_mover")
    page.goto("/settings/")
    page.get_by_text("Change the e-mail address").click()
    page.get_by_label("E-mail address").fill("e2e_mover@new.example")
    page.get_by_label("Your password").fill(PASSWORD)
    sent_from = server_log.stat().st_size
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator("main")).to_contain_text(
        "We sent a link to e2e_mover@new.example."
    )
    expect(page.locator("#account-email")).to_have_text("e2e_mover@example.org")

    link = confirm_link(server_log, "e2e_mover@new.example", sent_from, site_url)
    page.goto(link)
    page.screenshot(path=screenshots / "accounts-confirm-address.png")
    page.get_by_role("button", name="Confirm", exact=True).click()
    page.wait_for_url(f"{site_url}/settings/")
    expect(page.locator("main")).to_contain_text(
        "Your e-mail address is now e2e_mover@new.example."
    )
    expect(page.locator("#account-email")).to_have_text("e2e_mover@new.example")

    # The link is spent.
    page.goto(link)
    expect(
        page.get_by_role("heading", name="This link does not work any more")
    ).to_be_visible()

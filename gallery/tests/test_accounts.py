"""Accounts: sign-up, sign-in, the account page, password change and reset
by e-mail, and the lock-out page."""

import io
import re
import time
from datetime import timedelta
from unittest import mock
from urllib.parse import quote

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gallery.models import Account, Image, Visibility
from gallery.services.accounts import EMAIL_CHANGE_SALT, account_delete

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-pass-phrase"
LINK = re.compile(r"https?://\S+/accounts/password-reset/\S+/\S+/")
CONFIRM_LINK = re.compile(r"https?://\S+/settings/email/confirm/\S+/")


@pytest.fixture
def alice(user):
    user.email = "alice@example.org"
    user.save()
    return user


def signs_in(password, username="alice", address="127.0.0.1"):
    response = Client().post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )
    return response.status_code == 302


# ---------------------------------------------------------------- sign-up, sign-in


def test_sign_up_signs_you_in(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "carol",
            "email": "carol@example.org",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    carol = get_user_model().objects.get(username="carol")
    assert carol.email == "carol@example.org"
    assert client.get(reverse("gallery:upload")).status_code == 200


def test_sign_up_errors_are_shown(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "carol",
            "email": "c@example.org",
            "password1": "x",
            "password2": "y",
        },
    )
    assert response.status_code == 200
    assert "didn’t match" in response.content.decode()


def sign_up_carol(client, email):
    """carol signs up with a good password and ``email``."""
    return client.post(
        reverse("signup"),
        {
            "username": "carol",
            "email": email,
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("", "This field is required."),
        ("carol", "Enter a valid email address."),
        ("carol@", "Enter a valid email address."),
        (f"{'c' * 250}@example.org", "at most 254 characters"),
    ],
    ids=["missing", "no-at", "no-domain", "too-long"],
)
def test_sign_up_needs_an_email_address(client, email, error):
    response = sign_up_carol(client, email)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not get_user_model().objects.filter(username="carol").exists()


def test_sign_up_refuses_an_address_another_account_has(client, alice):
    response = sign_up_carol(client, "ALICE@example.org")
    assert response.status_code == 200
    assert "Another account already uses this address." in response.content.decode()
    assert not get_user_model().objects.filter(username="carol").exists()


def test_one_network_makes_a_few_accounts_an_hour(settings):
    settings.IMAGEREPO_SIGNUPS_PER_HOUR = 2

    def sign_up(name, address):
        return Client().post(
            reverse("signup"),
            {
                "username": name,
                "email": f"{name}@example.org",
                "password1": "a-long-pass-phrase",
                "password2": "a-long-pass-phrase",
            },
            REMOTE_ADDR=address,
        )

    # Refused forms count for nothing: only accounts made do.
    assert sign_up("", "203.0.113.5").status_code == 200
    for name in ("carol", "dave"):
        assert sign_up(name, "203.0.113.5").status_code == 302
    refused = sign_up("erin", "203.0.113.5")
    assert refused.status_code == 429
    assert "Too many accounts were made from your network" in refused.content.decode()
    assert not get_user_model().objects.filter(username="erin").exists()
    assert sign_up("erin", "198.51.100.7").status_code == 302
    settings.IMAGEREPO_SIGNUPS_PER_HOUR = 0  # no limit
    assert sign_up("frank", "203.0.113.5").status_code == 302


def test_login_and_logout(client, user):
    response = client.post(
        reverse("login"), {"username": "alice", "password": "pw-alice-123"}
    )
    assert response.status_code == 302
    assert client.get(reverse("gallery:upload")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # logout is POST only
    client.post(reverse("logout"))
    assert client.get(reverse("gallery:upload")).status_code == 302


def test_the_sign_in_page_offers_a_password_reset(client):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in page


# ---------------------------------------------------------------- password reset


def ask_for_reset(client, email, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def reset_link(message):
    return LINK.search(message.body)[0]


def choose_password(client, link, password=NEW_PASSWORD):
    """Follow a mailed link as a browser does and set ``password``."""
    form_url = client.get(link).url  # the token moves into the session
    page = client.get(form_url)
    assert "Choose a new password" in page.content.decode()
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_a_reset_mail_lets_you_choose_a_new_password(client, alice):
    response = ask_for_reset(client, "Alice@Example.org")
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.to == ["alice@example.org"]
    assert message.subject == "Reset your imagerepo password"
    assert '"alice"' in message.body  # the account, should an address have two
    assert "within 24 hours" in message.body

    done = choose_password(client, reset_link(message))
    assert done.status_code == 302
    assert done.url == reverse("password_reset_complete")
    assert "Sign in with your new password" in client.get(done.url).content.decode()
    assert signs_in(NEW_PASSWORD)
    assert not signs_in("pw-alice-123")


def test_a_reset_link_works_once(client, alice):
    ask_for_reset(client, "alice@example.org")
    link = reset_link(mail.outbox[0])
    choose_password(client, link)

    page = Client().get(link)
    assert "This link no longer works" in page.content.decode()
    assert f'href="{reverse("password_reset")}"' in page.content.decode()
    assert signs_in(NEW_PASSWORD)


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/password-reset/MQ/not-a-token/",
        "/accounts/password-reset/!!!/x/",
        "/accounts/password-reset/OTk5OTk5/abc-def/",
        "/accounts/password-reset/%00/set-password/",
    ],
    ids=["bad-token", "bad-uid", "no-such-user", "nul"],
)
def test_a_broken_reset_link_says_so(client, alice, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "This link no longer works" in response.content.decode()


def test_a_reset_refuses_weak_or_mismatched_passwords(client, alice):
    ask_for_reset(client, "alice@example.org")
    form_url = client.get(reset_link(mail.outbox[0])).url
    for first, second, error in [
        ("password", "password", "This password is too common."),
        ("a-long-pass-phrase", "another-pass-phrase", "didn’t match"),
        ("", "", "This field is required."),
    ]:
        response = client.post(
            form_url, {"new_password1": first, "new_password2": second}
        )
        assert response.status_code == 200
        assert error in response.content.decode()
    assert signs_in("pw-alice-123")


def test_the_sent_page_never_tells_whether_an_address_has_an_account(
    client, alice, django_user_model
):
    django_user_model.objects.create_user(
        "gone", email="gone@example.org", password="pw-gone-123", is_active=False
    )
    pages = []
    for email in ("alice@example.org", "nobody@example.org", "gone@example.org"):
        response = ask_for_reset(client, email, follow=True)
        assert response.redirect_chain == [(reverse("password_reset_done"), 302)]
        pages.append(response.content.decode())
    assert pages[0] == pages[1] == pages[2]
    assert "If an account here has that address" in pages[0]
    assert [message.to for message in mail.outbox] == [["alice@example.org"]]


def test_an_address_shared_by_two_accounts_gets_a_link_for_each(
    client, alice, other_user
):
    other_user.email = "ALICE@example.org"
    other_user.save()
    ask_for_reset(client, "alice@example.org")
    named = sorted(re.search(r'account "(\w+)"', m.body)[1] for m in mail.outbox)
    assert named == ["alice", "bob"]


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("", "This field is required."),
        ("not an address", "Enter a valid email address."),
        (f"{'a' * 260}@example.org", "at most 254 characters"),
    ],
    ids=["missing", "invalid", "too-long"],
)
def test_a_reset_request_with_a_bad_address_says_why(client, alice, email, error):
    response = ask_for_reset(client, email)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert mail.outbox == []


def test_the_link_names_the_host_and_scheme_the_site_was_reached_by(
    client, alice, settings
):
    settings.ALLOWED_HOSTS = ["photos.example.org"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    ask_for_reset(
        client,
        "alice@example.org",
        HTTP_HOST="photos.example.org",
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert reset_link(mail.outbox[0]).startswith(
        "https://photos.example.org/accounts/password-reset/"
    )


def test_a_forged_host_gets_no_mail(client, alice, settings):
    settings.ALLOWED_HOSTS = ["photos.example.org"]
    response = ask_for_reset(client, "alice@example.org", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert mail.outbox == []


def test_one_address_gets_a_few_mails_an_hour(client, alice, settings):
    settings.IMAGEREPO_PASSWORD_RESET_MAILS_PER_HOUR = 2
    for _ in range(3):
        response = ask_for_reset(client, "alice@example.org")
        assert response.url == reverse("password_reset_done")  # the same answer
    assert len(mail.outbox) == 2
    ask_for_reset(client, "nobody@example.org")
    assert len(mail.outbox) == 2


def test_one_client_may_ask_a_few_times_an_hour(client, alice, settings):
    settings.IMAGEREPO_PASSWORD_RESET_REQUESTS_PER_HOUR = 2
    for email in ("a@example.org", "b@example.org"):
        ask_for_reset(client, email, REMOTE_ADDR="203.0.113.5")
    refused = ask_for_reset(client, "alice@example.org", REMOTE_ADDR="203.0.113.5")
    assert refused.status_code == 429
    assert "Too many password reset requests" in refused.content.decode()
    assert mail.outbox == []
    elsewhere = ask_for_reset(client, "alice@example.org", REMOTE_ADDR="198.51.100.7")
    assert elsewhere.status_code == 302
    assert len(mail.outbox) == 1


# ---------------------------------------------------------------- lock-out


def fail_to_sign_in(times, address="203.0.113.9"):
    return [
        Client()
        .post(
            reverse("login"),
            {"username": "alice", "password": "wrong"},
            REMOTE_ADDR=address,
        )
        .status_code
        for _ in range(times)
    ]


def test_the_lockout_page_says_when_to_try_again_and_offers_a_reset(alice, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    settings.TIME_ZONE = "UTC"
    assert fail_to_sign_in(2) == [200, 200]
    before = timezone.now()
    locked = Client().post(
        reverse("login"),
        {"username": "alice", "password": "wrong"},
        REMOTE_ADDR="203.0.113.9",
    )
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed sign-in attempts" in page
    assert "in about 15\xa0minutes" in page
    retry = re.search(r'<time datetime="([^"]+)">(\d\d:\d\d) UTC</time>', page)
    retry_at = timezone.datetime.fromisoformat(retry[1])
    assert timedelta(minutes=15) <= retry_at - before < timedelta(minutes=16)
    assert retry[2] == retry_at.strftime("%H:%M")
    assert f'href="{reverse("password_reset")}"' in page


def test_a_password_reset_lifts_the_lockout(client, alice):
    assert fail_to_sign_in(5)[-1] == 429
    assert not signs_in("pw-alice-123", address="203.0.113.9")  # locked out
    assert AccessAttempt.objects.filter(username="alice").exists()

    ask_for_reset(client, "alice@example.org", REMOTE_ADDR="203.0.113.9")
    choose_password(client, reset_link(mail.outbox[0]))

    assert not AccessAttempt.objects.filter(username="alice").exists()
    assert signs_in(NEW_PASSWORD, address="203.0.113.9")


def test_a_reset_lifts_only_that_accounts_lockout(client, alice, other_user):
    fail_to_sign_in(5)
    Client().post(
        reverse("login"),
        {"username": "bob", "password": "wrong"},
        REMOTE_ADDR="203.0.113.9",
    )
    ask_for_reset(client, "alice@example.org")
    choose_password(client, reset_link(mail.outbox[0]))
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["bob"]


# ---------------------------------------------------------------- password change


def test_password_change_needs_sign_in(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_password_change_keeps_you_signed_in(client_for, alice):
    client = client_for(alice)
    page = client.get(reverse("password_change")).content.decode()
    # One name for it, as the link under the form says.
    assert re.search(r'<label\s+for="id_old_password"[^>]*>\s+Current password', page)
    assert "Old password" not in page
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw-alice-123",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )
    assert response.redirect_chain == [(reverse("account"), 302)]
    assert "Your password was changed." in response.content.decode()
    assert signs_in(NEW_PASSWORD)
    assert not signs_in("pw-alice-123")


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("wrong", NEW_PASSWORD, "That is not your password; it was not changed."),
        ("pw-alice-123", "12345678", "This password is entirely numeric."),
        ("pw-alice-123", "", "This field is required."),
    ],
    ids=["wrong-old", "numeric", "empty"],
)
def test_password_change_refuses_bad_input(client_for, alice, old, new, error):
    response = client_for(alice).post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert signs_in("pw-alice-123")


# ---------------------------------------------------------------- account page


def test_the_account_page_needs_sign_in(client):
    response = client.get(reverse("account"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('account')}"


def test_the_header_links_to_the_account_page(client_for, user):
    page = client_for(user).get(reverse("gallery:index")).content.decode()
    assert f'href="{reverse("account")}"' in page


def test_the_account_page_shows_who_you_are_and_where_to_go(client_for, alice):
    page = client_for(alice).get(reverse("account")).content.decode()
    assert re.search(r'id="account-username">alice<', page)
    assert re.search(r'id="account-email">alice@example.org<', page)
    assert f'href="{reverse("password_change")}"' in page
    assert f'href="{reverse("api-tokens")}"' in page
    assert "cannot be reset" not in page


def test_an_account_without_an_address_is_asked_for_one(client_for, user):
    page = client_for(user).get(reverse("account")).content.decode()
    assert "without one, a forgotten password cannot be reset" in page


def figures(page, name):
    """The text of the account page's ``account-<name>`` element, in one line."""
    found = re.search(rf'id="account-{name}"[^>]*>(.*?)</(dd|p)>', page, re.S)
    text = re.sub(r"<meter.*?</meter>", "", found[1], flags=re.S)
    return re.sub(r"[ \n]+", " ", text).strip()  # the no-break spaces stay


def test_the_account_page_counts_your_images_and_their_bytes(
    client_for, alice, other_user, make_image
):
    mine = [
        make_image(alice, visibility=Visibility.PUBLIC),
        make_image(alice, visibility=Visibility.PRIVATE),
        make_image(alice, visibility=Visibility.PRIVATE),
    ]
    theirs = make_image(other_user, visibility=Visibility.PUBLIC)
    Image.objects.filter(pk__in=[mine[2].pk, theirs.pk]).update(
        trashed_at=timezone.now()
    )
    # What the account's counters hold for these uploads: every original it
    # stores, the trash included.
    Account.of(alice)
    Account.objects.filter(user=alice).update(
        images_stored=len(mine), bytes_stored=sum(i.file_size for i in mine)
    )

    page = client_for(alice).get(reverse("account")).content.decode()
    total = sum(image.file_size for image in mine)
    assert figures(page, "images") == "3"
    assert figures(page, "bytes") == f"{total / 1024:.1f}\xa0KB"
    assert figures(page, "trash") == (
        "Including 1 photo in the trash, which counts until deleted for good."
    )
    assert "<meter" not in page  # no limits, nothing to fill


def test_the_account_page_shows_the_limits(client_for, alice, settings):
    settings.IMAGEREPO_QUOTA_IMAGES = 5000
    Account.of(alice)
    Account.objects.filter(user=alice).update(
        quota_bytes=10 * 2**30, bytes_stored=1288490189, images_stored=1234
    )
    page = client_for(alice).get(reverse("account")).content.decode()
    assert figures(page, "images") == "1,234 of 5,000"
    assert figures(page, "bytes") == "1.2\xa0GB of 10.0\xa0GB"
    assert 'max="5000" value="1234"' in page
    assert f'max="{10 * 2**30}" value="1288490189"' in page
    assert 'id="account-trash"' not in page


def ask_to_change(client, email="alice@new.example", **extra):
    """Ask on the account page, with alice's password, for ``email``."""
    return client.post(
        reverse("account"), {"email": email, "password": "pw-alice-123"}, **extra
    )


def confirm_link(message):
    return CONFIRM_LINK.search(message.body)[0]


def address_of(user):
    user.refresh_from_db()
    return user.email


def confirm_change(client, link):
    """Open a mailed confirmation link, as a browser does, and press Confirm."""
    page = client.get(link).content.decode()
    assert "Confirm your e-mail address" in page
    return client.post(link, follow=True)


def spent(page):
    return "This link does not work any more" in page.content.decode()


def test_a_new_address_is_only_mailed_a_link(client_for, alice):
    client = client_for(alice)
    response = ask_to_change(client, follow=True)
    assert response.redirect_chain == [(reverse("account"), 302)]
    assert (
        "We sent a link to alice@new.example. Your address changes when you open "
        "it; until then it stays alice@example.org."
    ) in response.content.decode()
    assert re.search(
        r'id="account-email">alice@example.org\s*<', response.content.decode()
    )
    # The page says what it waits for, there and on coming back to it.
    waiting = "Waiting for you to open the link mailed to alice@new.example"
    assert waiting in response.content.decode()
    assert waiting in client.get(reverse("account")).content.decode()
    [message] = mail.outbox
    assert message.to == ["alice@new.example"]
    assert message.subject == "Confirm your new imagerepo e-mail address"
    assert '"alice"' in message.body
    assert "within 24 hours" in message.body
    assert confirm_link(message).startswith("http://testserver/settings/email/")
    assert address_of(alice) == "alice@example.org"


def test_opening_the_link_changes_nothing_until_confirmed(client_for, alice):
    client = client_for(alice)
    ask_to_change(client)
    page = client.get(confirm_link(mail.outbox[0]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Make <strong>alice@new.example</strong> the e-mail address" in text
    assert "csrfmiddlewaretoken" in text  # a form that POSTs
    assert address_of(alice) == "alice@example.org"


def test_the_link_never_shows_the_old_address(client_for, alice):
    # The mail goes to the new address: a stranger's, if it was mistyped.
    ask_to_change(client_for(alice))
    [message] = mail.outbox
    token = confirm_link(message).rstrip("/").rsplit("/", 1)[1]
    asked = signing.loads(token, salt=EMAIL_CHANGE_SALT)
    assert asked["email"] == "alice@new.example"
    assert "alice@example.org" not in f"{message.body} {asked}"


def test_confirming_changes_the_address(client_for, alice):
    client = client_for(alice)
    ask_to_change(client)
    response = confirm_change(client, confirm_link(mail.outbox[0]))
    assert response.redirect_chain == [(reverse("account"), 302)]
    page = response.content.decode()
    assert "Your e-mail address is now alice@new.example." in page
    assert re.search(r'id="account-email">alice@new.example<', page)
    assert "Waiting for you" not in page
    assert address_of(alice) == "alice@new.example"


def test_the_wait_for_a_link_ends_when_the_link_would(client_for, alice, settings):
    client = client_for(alice)
    ask_to_change(client)
    assert "Waiting for you" in client.get(reverse("account")).content.decode()
    settings.PASSWORD_RESET_TIMEOUT = 0
    assert "Waiting for you" not in client.get(reverse("account")).content.decode()


def test_the_old_address_is_told_of_the_change(client_for, alice):
    client = client_for(alice)
    ask_to_change(client)
    response = confirm_change(client, confirm_link(mail.outbox[0]))
    assert (
        "Your e-mail address is now alice@new.example. A notice went to "
        "alice@example.org."
    ) in response.content.decode()
    notice = mail.outbox[1]
    assert notice.to == ["alice@example.org"]
    assert notice.subject == "Your imagerepo e-mail address was changed"
    # The new address masked: the old mailbox may be read by someone else.
    assert '"alice" at\ntestserver is now a•••@new.example.' in notice.body
    assert "alice@new.example" not in notice.body
    assert "http://testserver/accounts/login/" in notice.body
    assert len(mail.outbox) == 2


def test_a_notice_that_cannot_go_out_leaves_the_change_made(
    client_for, alice, settings
):
    client = client_for(alice)
    ask_to_change(client)
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    response = confirm_change(client, confirm_link(mail.outbox[0]))
    page = response.content.decode()
    assert "Your e-mail address is now alice@new.example." in page
    assert "A notice went to" not in page  # it did not
    assert address_of(alice) == "alice@new.example"


def test_signed_out_the_link_asks_to_sign_in_first(client_for, alice):
    """Whoever reads the mail must also be the account: a stranger at a
    mistyped address could otherwise take it, by a password reset after."""
    ask_to_change(client_for(alice))
    link = confirm_link(mail.outbox[0])
    stranger = Client()
    page = stranger.get(link).content.decode()
    assert "Sign in to confirm your e-mail address" in page
    path = link.split("testserver", 1)[1]
    assert f'href="{reverse("login")}?next={quote(path, safe="/")}"' in page
    assert "“alice”" not in page and "Confirm</button>" not in page
    stranger.post(link)
    assert address_of(alice) == "alice@example.org"
    # Signed in, the owner confirms from the same link.
    confirm_change(client_for(alice), link)
    assert address_of(alice) == "alice@new.example"


def test_a_new_password_spends_the_links_asked_for_before(client_for, alice):
    client = client_for(alice)
    ask_to_change(client, "intruder@evil.example")
    link = confirm_link(mail.outbox[0])
    alice.set_password("a-brand-new-pass-phrase")
    alice.save()
    assert spent(client_for(alice).post(link))
    assert address_of(alice) == "alice@example.org"


def test_a_link_works_once(client_for, alice):
    client = client_for(alice)
    ask_to_change(client)
    link = confirm_link(mail.outbox[0])
    confirm_change(client, link)
    for again in (client.get(link), client.post(link), Client().post(link)):
        assert again.status_code == 200
        assert spent(again)
        assert f'href="{reverse("account")}"' in again.content.decode()
    assert address_of(alice) == "alice@new.example"


def test_a_link_works_for_a_day(client_for, alice, settings):
    ask_to_change(client_for(alice))
    link = confirm_link(mail.outbox[0])
    sent = time.time()
    timeout = settings.PASSWORD_RESET_TIMEOUT
    with mock.patch("time.time", return_value=sent + timeout - 60):
        assert not spent(Client().get(link))
    with mock.patch("time.time", return_value=sent + timeout + 1):
        assert spent(Client().get(link))
        assert spent(Client().post(link))
    assert address_of(alice) == "alice@example.org"


def tampered(link):
    """``link`` with one character of its signed value changed."""
    at = link.index("/confirm/") + len("/confirm/") + 2
    return link[:at] + ("B" if link[at] != "B" else "C") + link[at + 1 :]


def signed_elsewhere(link):
    """A link carrying the same value, signed for another purpose."""
    token = link.rstrip("/").rsplit("/", 1)[1]
    value = signing.loads(token, salt=EMAIL_CHANGE_SALT)
    return reverse("account-email-confirm", args=[signing.dumps(value)])


@pytest.mark.parametrize(
    "forge",
    [
        tampered,
        signed_elsewhere,
        lambda link: reverse("account-email-confirm", args=["not-a-token"]),
        lambda link: "/settings/email/confirm/%00:%FF/",
    ],
    ids=["tampered", "other-salt", "garbage", "nul"],
)
def test_a_forged_link_changes_nothing(client_for, alice, forge):
    client = client_for(alice)
    ask_to_change(client)
    forged = forge(confirm_link(mail.outbox[0]))
    for response in (client.get(forged), client.post(forged)):
        assert response.status_code == 200
        assert spent(response)
    assert address_of(alice) == "alice@example.org"


def test_an_address_taken_meanwhile_is_not_given_twice(client_for, alice, other_user):
    ask_to_change(client_for(alice))
    other_user.email = "ALICE@New.Example"
    other_user.save()
    link = confirm_link(mail.outbox[0])
    assert spent(Client().get(link))
    assert spent(Client().post(link))
    assert address_of(alice) == "alice@example.org"


def test_an_old_link_cannot_undo_a_later_change(client_for, alice):
    client = client_for(alice)
    ask_to_change(client, "first@new.example")
    ask_to_change(client, "second@new.example")
    first, second = (confirm_link(message) for message in mail.outbox)
    confirm_change(client, second)
    assert spent(client.post(first))
    assert address_of(alice) == "second@new.example"


def switch_off(user):
    user.is_active = False
    user.save()


@pytest.mark.parametrize(
    "close",
    [
        lambda user: account_delete(user=user),
        switch_off,
        lambda user: user.delete(),
    ],
    ids=["deleted", "switched-off", "gone"],
)
def test_a_closed_account_takes_no_new_address(client_for, alice, close):
    ask_to_change(client_for(alice))
    close(alice)
    assert spent(Client().get(confirm_link(mail.outbox[0])))
    assert spent(Client().post(confirm_link(mail.outbox[0])))
    assert not get_user_model().objects.filter(email="alice@new.example").exists()


def test_someone_else_signed_in_changes_nobodys_address(client_for, alice, other_user):
    other_user.email = "bob@example.org"
    other_user.save()
    ask_to_change(client_for(alice))
    link = confirm_link(mail.outbox[0])
    bob = client_for(other_user)
    for response in (bob.get(link), bob.post(link)):
        assert response.status_code == 200
        page = response.content.decode()
        assert "This link is for another account" in page
        assert "another account than\n         “bob”" in page
        assert "“alice”" not in page and "Confirm</button>" not in page
    assert address_of(alice) == "alice@example.org"
    assert address_of(other_user) == "bob@example.org"
    # Not spent: alice may still open it.
    confirm_change(client_for(alice), link)
    assert address_of(alice) == "alice@new.example"
    assert address_of(other_user) == "bob@example.org"


def test_the_link_names_the_host_and_scheme_the_account_page_was_reached_by(
    client_for, alice, settings
):
    settings.ALLOWED_HOSTS = ["photos.example.org"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    ask_to_change(
        client_for(alice),
        HTTP_HOST="photos.example.org",
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert confirm_link(mail.outbox[0]).startswith(
        "https://photos.example.org/settings/email/confirm/"
    )


class RefusingBackend(BaseEmailBackend):
    """A mail server that is not there."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError


def test_a_mail_that_cannot_be_sent_says_so(client_for, alice, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    response = ask_to_change(client_for(alice), follow=True)
    assert response.redirect_chain == [(reverse("account"), 302)]
    assert "The mail to alice@new.example could not be sent" in (
        response.content.decode()
    )
    assert address_of(alice) == "alice@example.org"


def test_an_account_gets_a_few_confirmation_mails_an_hour(client_for, alice, settings):
    settings.IMAGEREPO_PASSWORD_RESET_MAILS_PER_HOUR = 2
    client = client_for(alice)
    for _ in range(2):
        ask_to_change(client)
    refused = ask_to_change(client, follow=True)
    assert "no more links are sent until the hour is over" in (refused.content.decode())
    assert len(mail.outbox) == 2
    assert address_of(alice) == "alice@example.org"


def test_an_account_without_an_address_confirms_its_first(client_for, user):
    client = client_for(user)
    response = client.post(
        reverse("account"),
        {"email": "alice@first.example", "password": "pw-alice-123"},
        follow=True,
    )
    page = response.content.decode()
    assert "We sent a link to alice@first.example. It becomes your address" in page
    assert "without one, a forgotten password cannot be reset" in page
    assert address_of(user) == ""
    [message] = mail.outbox
    assert message.to == ["alice@first.example"]
    response = confirm_change(client, confirm_link(message))
    assert address_of(user) == "alice@first.example"
    assert "A notice went to" not in response.content.decode()
    assert len(mail.outbox) == 1  # no old address to tell
    page = client.get(reverse("account")).content.decode()
    assert "cannot be reset" not in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"email": "alice@new.example", "password": "wrong"}, "not your password"),
        ({"email": "alice@new.example"}, "This field is required."),
        ({"email": "no address", "password": "pw-alice-123"}, "valid email"),
        ({"email": "", "password": "pw-alice-123"}, "This field is required."),
        (
            {"email": f"{'a' * 300}@x.org", "password": "pw-alice-123"},
            "at most 254 characters",
        ),
        (
            {"email": "alice@example.org", "password": "pw-alice-123"},
            "This is already your address.",
        ),
    ],
    ids=["wrong-password", "no-password", "invalid", "empty", "too-long", "same"],
)
def test_a_bad_email_change_says_why_and_changes_nothing(
    client_for, alice, data, error
):
    response = client_for(alice).post(reverse("account"), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert mail.outbox == []
    assert address_of(alice) == "alice@example.org"


def test_another_accounts_address_is_refused_in_any_case(client_for, alice, other_user):
    other_user.email = "bob@example.org"
    other_user.save()
    client = client_for(alice)
    for taken in ("bob@example.org", "BOB@Example.org"):
        response = ask_to_change(client, taken)
        assert "Another account already uses this address." in (
            response.content.decode()
        )
    assert mail.outbox == []
    assert address_of(alice) == "alice@example.org"
    # One's own address, written otherwise, is one's own.
    assert ask_to_change(client, "Alice@Example.org").status_code == 302
    confirm_change(client, confirm_link(mail.outbox[0]))
    assert address_of(alice) == "Alice@Example.org"


def test_a_new_address_spends_the_reset_links_sent_to_the_old_one(
    client, client_for, alice
):
    signed_in = client_for(alice)  # before the reset mail: a sign-in spends it
    ask_for_reset(client, "alice@example.org")
    reset = reset_link(mail.outbox[0])
    ask_to_change(signed_in)
    # Asking is not enough: the old address is still the account's.
    assert Client().get(reset).status_code == 302  # on to the password form
    confirm_change(signed_in, confirm_link(mail.outbox[1]))
    page = Client().get(reset)
    assert "This link no longer works" in page.content.decode()


def test_the_admins_own_password_page_stays_the_admins(client_for, staff_user):
    page = client_for(staff_user).get(reverse("admin:password_change"))
    assert page.status_code == 200
    assert 'id="site-nav"' not in page.content.decode()
    assert "Django administration" in page.content.decode()


# ---------------------------------------------------------------- deleting an account


def test_deleting_the_account_asks_for_the_password_first(
    client_for, alice, make_image
):
    make_image(alice, visibility="public")
    client = client_for(alice)
    page = client.get(reverse("account-delete"))
    assert page.status_code == 200
    assert "Your 1 photo (" in page.content.decode()
    wrong = client.post(reverse("account-delete"), {"password": "not-it"})
    assert wrong.status_code == 200
    assert "nothing was deleted" in wrong.content.decode()
    alice.refresh_from_db()
    assert alice.is_active
    assert Image.objects.live().count() == 1


def test_signed_out_the_delete_page_asks_to_sign_in(client):
    response = client.get(reverse("account-delete"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_deleted_account_is_closed_and_its_images_are_in_the_trash(
    client_for, alice, other_user, make_image
):
    from api.tokens import token_create
    from gallery.services.links import share_link_create

    public = make_image(alice, title="Public sunset", visibility="public")
    _, token = share_link_create(user=alice, image=public)
    _, key = token_create(user=alice)
    bobs = make_image(other_user, title="Bobs", visibility="public")
    client = client_for(alice)

    response = client.post(
        reverse("account-delete"), {"password": "pw-alice-123"}, follow=True
    )
    assert "is deleted. Nobody can see its photos any more" in (
        response.content.decode()
    )
    assert not response.context["user"].is_authenticated
    alice.refresh_from_db()
    assert not alice.is_active
    assert Account.objects.get(pk=alice.pk).deleted_at is not None
    assert list(Image.objects.live()) == [bobs]
    assert Image.objects.trash_of(alice).count() == 1
    anonymous = Client()
    assert anonymous.get(public.get_absolute_url()).status_code == 404
    assert anonymous.get(reverse("gallery:link", args=[token])).status_code == 404
    api = anonymous.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.status_code == 401
    assert not signs_in("pw-alice-123")
    anonymous.post(reverse("password_reset"), {"email": alice.email})
    assert not mail.outbox


def test_an_administrator_undoes_a_deletion_and_the_images_come_back(
    client_for, alice, staff_user, make_image
):
    from gallery.services.images import images_trash

    kept = make_image(alice, visibility="public")
    binned = make_image(alice, visibility="public")
    images_trash(Image.objects.filter(pk=binned.pk))
    account_delete(user=alice)
    assert Image.objects.trash_of(alice).count() == 2
    admin = client_for(staff_user)
    listing = admin.get(
        reverse("admin:gallery_account_changelist"), {"deleted_at__isempty": "0"}
    )
    assert "alice" in listing.content.decode()
    response = admin.post(
        reverse("admin:gallery_account_changelist"),
        {"action": "undo_deletion", "_selected_action": [alice.pk]},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.is_active
    assert Account.objects.get(pk=alice.pk).deleted_at is None
    assert signs_in("pw-alice-123")
    # What the deletion put in the trash comes back; what was there before
    # stays there.
    assert list(Image.objects.live()) == [kept]
    assert list(Image.objects.trash_of(alice)) == [binned]
    # And purge_trash, once the retention has passed, leaves it all alone.
    from django.core.management import call_command

    later = timezone.now() + timedelta(days=31)
    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("purge_trash", stdout=io.StringIO())
    assert get_user_model().objects.filter(pk=alice.pk).exists()
    assert list(Image.objects.live()) == [kept]


# ---------------------------------------------------- password confirmations

# Each page that asks for the password, what it sends besides, and what a
# wrong password leaves undone.
CONFIRMATIONS = {
    "account": ({"email": "alice@new.example"}, "the address was not changed"),
    "account-delete": ({}, "nothing was deleted"),
    "password_change": (
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        "it was not changed",
    ),
}


def confirm(client, page, password):
    data, _ = CONFIRMATIONS[page]
    field = "old_password" if page == "password_change" else "password"
    return client.post(reverse(page), {**data, field: password})


def untouched(alice):
    alice.refresh_from_db()
    return (
        alice.is_active
        and alice.email == "alice@example.org"
        and alice.check_password("pw-alice-123")
        and not mail.outbox  # a new address is mailed a link first
    )


@pytest.mark.parametrize("page", CONFIRMATIONS)
def test_wrong_password_confirmations_lock_the_account_like_sign_ins(
    client_for, alice, settings, page
):
    settings.AXES_FAILURE_LIMIT = 3
    client = client_for(alice)
    for _ in range(2):
        wrong = confirm(client, page, "not-it")
        assert wrong.status_code == 200
        assert CONFIRMATIONS[page][1] in wrong.content.decode()

    locked = confirm(client, page, "not-it")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Too many wrong passwords: for 15\xa0minutes, this account" in text
    assert "not your password" not in text
    # Now the right password is refused too, here and at sign-in.
    assert confirm(client, page, "pw-alice-123").status_code == 429
    assert untouched(alice)
    assert not signs_in("pw-alice-123")
    assert signs_in("pw-alice-123", address="198.51.100.7")  # only from here


@pytest.mark.parametrize("page", CONFIRMATIONS)
def test_the_right_password_works_until_the_lockout(client_for, alice, settings, page):
    settings.AXES_FAILURE_LIMIT = 3
    client = client_for(alice)
    for _ in range(2):
        assert confirm(client, page, "not-it").status_code == 200
    assert confirm(client, page, "pw-alice-123").status_code == 302
    assert not untouched(alice)

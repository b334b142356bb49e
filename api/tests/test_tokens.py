"""Personal API tokens: the header, the settings page, the command, the admin."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken
from api.tokens import hash_key, token_create, token_revoke

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def bearer(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_a_token_opens_the_api_as_its_user(user):
    token, key = token_create(user=user, name="laptop")
    response = bearer(key).get(ME)
    assert response.json() == {"username": "alice", "token_name": "laptop"}
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_a_hash_and_a_prefix_are_stored(user):
    token, key = token_create(user=user)
    assert key.startswith("imgr_") and len(key) >= 40
    assert token.key_hash == hash_key(key) != key
    assert key.startswith(token.prefix) and len(token.prefix) < 16
    assert token.name == "API token"
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in {str(value) for value in stored.values()}


@pytest.mark.parametrize(
    "header",
    [
        "Bearer imgr_wrongwrongwrongwrongwrongwrongwrong",
        "Bearer not-even-our-format",
        "Bearer",
        "Bearer two words",
    ],
)
def test_wrong_tokens_are_refused(header, user):
    token_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/images/")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_missing_token_is_anonymous_for_reads_and_refused_for_me(api_for):
    assert api_for(None).get("/api/v1/images/").status_code == 200
    response = api_for(None).get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_revoked_token_is_refused_at_once(user):
    token, key = token_create(user=user)
    assert bearer(key).get(ME).status_code == 200
    token_revoke(token)
    response = bearer(key).get(ME)
    assert response.status_code == 401
    assert "revoked" in response.json()["message"]


def test_token_of_a_deactivated_user_is_refused(user):
    _, key = token_create(user=user)
    user.is_active = False
    user.save()
    assert bearer(key).get(ME).status_code == 401


# ---------------------------------------------------------------- settings page

PAGE = "/settings/tokens/"


def test_settings_page_needs_sign_in(client_for):
    response = client_for(None).get(PAGE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_create_shows_the_key_once(client_for, user):
    client = client_for(user)
    response = client.post(PAGE, {"name": "backup script", "expires": "never"})
    assert response.status_code == 200
    key = response.context["key"]
    assert key in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert bearer(key).get(ME).json()["username"] == "alice"
    again = client.get(PAGE).content.decode()
    assert key not in again
    assert "backup script" in again and key[:11] in again


def test_revoke_from_the_settings_page(client_for, user):
    token, key = token_create(user=user, name="old laptop")
    client = client_for(user)
    asked = client.post(f"{PAGE}{token.pk}/revoke/")
    assert asked.status_code == 200
    assert "Revoke the token “old laptop”?" in asked.content.decode()
    assert bearer(key).get(ME).status_code == 200  # not yet
    response = client.post(f"{PAGE}{token.pk}/revoke/", {"confirmed": "1"}, follow=True)
    assert "was revoked" in response.content.decode()
    # Its question again, from Back: said, not a "not found".
    again = client.post(f"{PAGE}{token.pk}/revoke/", {"confirmed": "1"}, follow=True)
    assert "That token is revoked already." in again.content.decode()
    assert "old laptop" not in response.content.decode().split("Your tokens")[1]
    assert bearer(key).get(ME).status_code == 401


@pytest.mark.parametrize(
    "expires, days, says",
    [("30", 30, "It works until"), ("365", 365, "It works until"),
     ("never", None, "It works until you revoke it.")],
)  # fmt: skip
def test_a_new_token_expires_when_its_maker_chose(
    client_for, user, expires, days, says
):
    response = client_for(user).post(PAGE, {"name": "cron", "expires": expires})
    token = response.context["new_token"]
    if days is None:
        assert token.expires_at is None
    else:
        left = token.expires_at - timezone.now()
        assert (
            timedelta(days=days) - timedelta(minutes=1) < left <= timedelta(days=days)
        )
    assert says in response.content.decode()
    listed = client_for(user).get(PAGE).content.decode()
    assert ("never expires" in listed) == (days is None)


def test_an_unknown_expiry_is_refused_and_makes_no_token(client_for, user):
    response = client_for(user).post(PAGE, {"name": "cron", "expires": "forever"})
    assert response.status_code == 200 and "key" not in response.context
    assert "Select a valid choice" in response.content.decode()
    assert not user.api_tokens.exists()


def test_an_expired_token_is_refused_saying_why_and_listed_as_expired(client_for, user):
    token, key = token_create(user=user, name="cron", lifetime=timedelta(days=30))
    assert bearer(key).get(ME).status_code == 200
    used = ApiToken.objects.get(pk=token.pk).last_used_at
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = bearer(key).get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert "expired on" in response.json()["message"]
    assert "Account › API tokens (/settings/tokens/)" in response.json()["message"]
    assert ApiToken.objects.get(pk=token.pk).last_used_at == used
    page = client_for(user).get(PAGE).content.decode()
    assert "cron" in page and "Expired" in page
    # Revoked, it leaves the list; asked first, without a word of scripts
    # refused "from now on" (they are already).
    asked = client_for(user).post(f"{PAGE}{token.pk}/revoke/").content.decode()
    assert "It has expired already" in asked and "next request" not in asked
    client_for(user).post(f"{PAGE}{token.pk}/revoke/", {"confirmed": "1"})
    assert "cron" not in client_for(user).get(PAGE).content.decode()


def test_cannot_revoke_someone_elses_token(client_for, user, other_user):
    token, key = token_create(user=other_user)
    response = client_for(user).post(f"{PAGE}{token.pk}/revoke/")
    assert response.status_code == 404
    assert bearer(key).get(ME).status_code == 200


def test_page_lists_only_my_active_tokens(client_for, user, other_user):
    token_create(user=user, name="mine")
    token_revoke(token_create(user=user, name="gone")[0])
    token_create(user=other_user, name="bobs")
    page = client_for(user).get(PAGE).content.decode()
    assert "mine" in page and "gone" not in page and "bobs" not in page


def test_page_has_no_inline_script_or_style(client_for, user):
    page = client_for(user).post(PAGE, {"name": "x"}).content.decode()
    assert "<script>" not in page and "<style" not in page and "style=" not in page


# ---------------------------------------------------------------- command


def test_create_token_command_prints_a_working_key(user):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_token", "alice", "--name", "ci", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert bearer(key).get(ME).json() == {"username": "alice", "token_name": "ci"}
    assert "shown once" in err.getvalue()


def test_create_token_command_can_make_a_token_that_expires(user):
    call_command("create_token", "alice", "--days", "7", stdout=io.StringIO())
    left = ApiToken.objects.get().expires_at - timezone.now()
    assert timedelta(days=7) - timedelta(minutes=1) < left <= timedelta(days=7)


@pytest.mark.parametrize("days", ["0", "-3", "seven", "99999"])
def test_create_token_command_refuses_a_bad_number_of_days(user, days):
    with pytest.raises(CommandError, match="whole number of days"):
        call_command("create_token", "alice", "--days", days, stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_create_token_for_unknown_user():
    with pytest.raises(CommandError, match="No account named 'nobody'") as refused:
        call_command("create_token", "nobody", stdout=io.StringIO())
    assert refused.value.returncode == 2


def test_create_token_for_a_switched_off_account(user):
    user.is_active = False
    user.save()
    with pytest.raises(
        CommandError, match="is switched off .*gets no token"
    ) as refused:
        call_command("create_token", user.username, stdout=io.StringIO())
    assert refused.value.returncode == 2 and not ApiToken.objects.exists()


# ---------------------------------------------------------------- admin


def test_admin_lists_and_revokes_but_never_shows_the_hash(client_for, staff_user, user):
    token, key = token_create(user=user, name="laptop")
    client = client_for(staff_user)
    listing = client.get("/admin/api/apitoken/").content.decode()
    detail = client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    for page in (listing, detail):
        assert "laptop" in page
        assert token.key_hash not in page and key not in page
    assert client.get("/admin/api/apitoken/add/").status_code == 403
    client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert bearer(key).get(ME).status_code == 401


def test_csrf_forgery_cannot_make_or_revoke_a_token(user):
    token, key = token_create(user=user, name="laptop")
    forger = Client(enforce_csrf_checks=True)
    forger.force_login(user)

    assert forger.post(PAGE, {"name": "forged"}).status_code == 403
    assert forger.post(f"{PAGE}{token.pk}/revoke/").status_code == 403

    assert [t.name for t in user.api_tokens.unrevoked()] == ["laptop"]
    assert bearer(key).get(ME).status_code == 200

"""Accounts and HTTP: brute force, CSRF, CSP, headers, rate and size limits.
Each test names the attack it stands against."""

import re
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.test import Client
from django.urls import reverse

from gallery.models import Image, UploadCount
from gallery.services.allowance import take_upload_allowance

from .conftest import stored_files
from .images import noisy_jpeg, upload

pytestmark = pytest.mark.django_db

LOGINS = {"site": "login", "admin": "admin:login"}


def try_login(client, which, password):
    return client.post(
        reverse(LOGINS[which]),
        {"username": "root", "password": password},
        REMOTE_ADDR="203.0.113.9",
    )


# ---------------------------------------------------------------- brute force


@pytest.mark.parametrize("which", LOGINS)
def test_password_brute_force_is_locked_out_then_cools_off(
    client, staff_user, settings, which
):
    settings.AXES_FAILURE_LIMIT = 3
    statuses = [try_login(client, which, "guess").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    # Locked: even the right password is refused, with a page that says why.
    locked = try_login(client, which, "pw-root-123")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session

    # After the cool-off the right password works again.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time
        - settings.AXES_COOLOFF_TIME
        - timedelta(seconds=1)
    )
    assert try_login(client, which, "pw-root-123").status_code == 302
    assert client.session["_auth_user_id"] == str(staff_user.pk)


def test_brute_force_lockout_is_per_address(client, staff_user, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        try_login(client, "site", "guess")
    response = Client().post(
        reverse("login"),
        {"username": "root", "password": "pw-root-123"},
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 302


# ---------------------------------------------------------------- CSRF


@pytest.fixture
def csrf_forms(user, make_image):
    image = make_image(user, title="Untouched", visibility="public")
    data = {"title": "Forged", "description": "", "visibility": "private"}
    return {
        "upload": (reverse("gallery:upload"), {**data, "images": []}),
        "edit": (reverse("gallery:edit", args=[image.pk]), data),
        "delete": (reverse("gallery:delete", args=[image.pk]), {}),
        "logout": (reverse("logout"), {}),
        "bulk": (
            reverse("gallery:bulk"),
            {"action": "private", "images": [str(image.pk)], "confirmed": "1"},
        ),
        "admin action": (
            reverse("admin:gallery_image_changelist"),
            {"action": "make_public", "_selected_action": [str(image.pk)]},
        ),
    }


@pytest.mark.parametrize(
    "form", ["upload", "edit", "delete", "logout", "bulk", "admin action"]
)
def test_cross_site_request_forgery_without_a_token_writes_nothing(
    user, staff_user, csrf_forms, media_root, form
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user if form == "admin action" else user)
    url, data = csrf_forms[form]
    if form == "upload":
        data = {**data, "images": [upload("forged.jpg", noisy_jpeg(seed=77))]}
    files_before = stored_files()

    response = client.post(url, data)

    assert response.status_code == 403
    # The site's own page says what happened and what to do.
    assert "This form has expired" in response.content.decode()
    assert "Nothing was changed." in response.content.decode()
    image = Image.objects.get()
    assert (image.title, image.visibility) == ("Untouched", "public")
    assert stored_files() == files_before
    assert "_auth_user_id" in client.session  # not even signed out


def test_csrf_forgery_on_sign_up_creates_no_account(django_user_model):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("signup"),
        {
            "username": "mallory",
            "email": "mallory@example.org",
            "password1": "a-long-pass",
            "password2": "a-long-pass",
        },
    )
    assert response.status_code == 403
    assert not django_user_model.objects.filter(username="mallory").exists()


def test_login_csrf_cannot_sign_a_victim_into_the_attackers_account(user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("login"), {"username": "alice", "password": "pw-alice-123"}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    # A sign-in form left open past its token says so in the site's words.
    assert "This form has expired" in response.content.decode()


# ---------------------------------------------------------------- headers, CSP


def page_urls(image):
    return {
        "gallery": reverse("gallery:index"),
        "detail": reverse("gallery:detail", args=[image.pk]),
        "edit": reverse("gallery:edit", args=[image.pk]),
        "delete": reverse("gallery:delete", args=[image.pk]),
        "upload": reverse("gallery:upload"),
        "admin list": reverse("admin:gallery_image_changelist"),
        "admin change": reverse("admin:gallery_image_change", args=[image.pk]),
        "admin add": reverse("admin:gallery_image_add"),
    }


INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "style attribute": re.compile(r"<[^>]+\sstyle=", re.I),
    "style element": re.compile(r"<style[\s>]", re.I),
    "event handler": re.compile(r"<[^>]+\son[a-z]+=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


@pytest.mark.parametrize(
    "page",
    ["gallery", "detail", "edit", "delete", "upload", "admin list", "admin change"]
    + ["admin add"],
)
def test_pages_send_a_strict_csp_and_have_nothing_inline_for_xss(
    client_for, staff_user, make_image, page
):
    image = make_image(staff_user)
    response = client_for(staff_user).get(page_urls(image)[page])
    assert response.status_code == 200

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    html = response.content.decode()
    for what, pattern in INLINE.items():
        assert not pattern.search(html), f"{what} on the {page} page"


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/signup/"])
def test_clickjacking_and_sniffing_headers(client, url):
    response = client.get(url)
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


# ---------------------------------------------------------------- upload limits


def post_upload(client, files, status=None):
    data = {"visibility": "public", "description": "", "title": "", "images": files}
    return client.post(reverse("gallery:upload"), data)


def outcomes(response):
    return re.findall(r'data-outcome="(\w+)"', response.content.decode())


@pytest.fixture
def one_hour():
    """Keep the clock inside one rate window, so the test cannot straddle two."""
    clock = mock.Mock(**{"time.return_value": 7 * 3600 + 60.0})
    with mock.patch("gallery.services.allowance.time", clock):
        yield


def test_upload_flood_is_rate_limited_per_user(
    client_for, user, other_user, settings, one_hour
):
    settings.IMAGEREPO_UPLOADS_PER_HOUR = 3
    alice = client_for(user)
    files = [upload(f"{i}.jpg", noisy_jpeg(seed=i)) for i in range(2)]
    assert outcomes(post_upload(alice, files)) == ["created", "created"]

    files = [upload(f"{i}.jpg", noisy_jpeg(seed=i)) for i in range(10, 12)]
    response = post_upload(alice, files)
    assert outcomes(response) == ["created", "rejected"]
    assert "limit of 3 uploads an hour" in response.content.decode()

    response = post_upload(alice, [upload("late.jpg", noisy_jpeg(seed=20))])
    assert response.status_code == 429
    assert Image.objects.filter(owner=user).count() == 3
    # Another user has an allowance of their own.
    bob = client_for(other_user)
    assert outcomes(post_upload(bob, [upload("b.jpg", noisy_jpeg(seed=30))])) == [
        "created"
    ]


def test_flooding_the_cache_does_not_give_a_user_a_fresh_upload_allowance(
    client_for, user, settings, one_hour
):
    settings.IMAGEREPO_UPLOADS_PER_HOUR = 2
    assert take_upload_allowance(user, 5) == 2
    anonymous = client_for(None)
    for i in range(400):  # each spoofed address once made a new cache key
        anonymous.get(
            "/api/v1/images/", HTTP_X_FORWARDED_FOR=f"10.0.{i // 250}.{i % 250}"
        )
    for i in range(1000):  # whatever else the site keeps in its cache
        cache.set(f"unrelated-{i}", i)
    assert take_upload_allowance(user, 1) == 0
    response = post_upload(client_for(user), [upload("late.jpg", noisy_jpeg(seed=1))])
    assert response.status_code == 429


def test_upload_allowance_is_counted_once_per_file_and_per_hour(
    user, other_user, settings
):
    settings.IMAGEREPO_UPLOADS_PER_HOUR = 5
    clock = mock.Mock(**{"time.return_value": 7 * 3600 + 60.0})
    with mock.patch("gallery.services.allowance.time", clock):
        assert [take_upload_allowance(user, n) for n in (2, 2, 2, 1)] == [2, 2, 1, 0]
        assert take_upload_allowance(other_user, 5) == 5
        clock.time.return_value += 3600  # the next hour starts afresh
        assert take_upload_allowance(user, 9) == 5
    assert UploadCount.objects.filter(user=user).count() == 1  # old hour dropped


def test_oversized_file_is_refused_while_it_streams_in(
    client_for, user, settings, media_root
):
    settings.IMAGEREPO_MAX_UPLOAD_BYTES = 100_000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10**9  # so the next handler keeps it
    big = noisy_jpeg((800, 600), seed=1)  # about 320 kB
    assert len(big) > 3 * settings.IMAGEREPO_MAX_UPLOAD_BYTES
    seen = {}
    real = MemoryFileUploadHandler.receive_data_chunk

    def spy(handler, raw_data, start):
        seen[handler.file_name] = seen.get(handler.file_name, 0) + len(raw_data)
        return real(handler, raw_data, start)

    small = noisy_jpeg((40, 30), seed=2)
    with mock.patch.object(MemoryFileUploadHandler, "receive_data_chunk", spy):
        response = post_upload(
            client_for(user), [upload("huge.jpg", big), upload("ok.jpg", small)]
        )

    assert sorted(outcomes(response)) == ["created", "rejected"]
    assert "huge.jpg" in response.content.decode()
    assert "larger than the 97.7\xa0KB limit" in response.content.decode()
    # It streamed in, but nothing past the limit reached the handler that keeps it.
    assert 0 < seen["huge.jpg"] <= settings.IMAGEREPO_MAX_UPLOAD_BYTES
    assert Image.objects.get().original_filename == "ok.jpg"
    assert len(stored_files()) == 3


def test_only_file_oversized_says_so_next_to_the_form(client_for, user, settings):
    settings.IMAGEREPO_MAX_UPLOAD_BYTES = 1000
    response = post_upload(client_for(user), [upload("huge.jpg", noisy_jpeg())])
    assert response.status_code == 200
    assert outcomes(response) == ["rejected"]
    assert "larger than the 1000\xa0bytes limit" in response.content.decode()
    assert not Image.objects.exists()


def test_body_over_the_byte_limit_is_refused_unread(client_for, user, settings):
    settings.IMAGEREPO_MAX_REQUEST_BYTES = 50_000
    files = [upload(f"{i}.jpg", noisy_jpeg(seed=i)) for i in range(3)]
    with mock.patch(
        "django.http.multipartparser.MultiPartParser.parse",
        side_effect=AssertionError("the body was parsed"),
    ):
        response = post_upload(client_for(user), files)
    assert response.status_code == 413
    assert "limit is 48.8\xa0KB" in response.content.decode()
    assert not Image.objects.exists()


def test_more_files_than_django_accepts_is_a_clear_400(client_for, user, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    settings.IMAGEREPO_MAX_FILES_PER_REQUEST = 2
    files = [upload(f"{i}.jpg", noisy_jpeg(seed=i)) for i in range(3)]
    response = post_upload(client_for(user), files)
    assert response.status_code == 400
    assert "send at most 2 files" in response.content.decode()
    assert not Image.objects.exists()


def all_templates():
    from django.conf import settings

    folders = [Path(d) for t in settings.TEMPLATES for d in t["DIRS"]]
    folders.append(Path(__file__).resolve().parents[1] / "templates")
    return sorted(p for folder in folders for p in folder.rglob("*.html"))


@pytest.mark.parametrize("template", all_templates(), ids=lambda p: p.name)
def test_no_template_has_inline_script_or_style_for_xss(template):
    """Even pages no other test renders stay within the CSP."""
    html = template.read_text()
    for what, pattern in INLINE.items():
        assert not pattern.search(html), f"{what} in {template}"

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from gallery.admin import ImageAdmin
from gallery.models import Account, Image
from gallery.services.uploads import upload_image

from .conftest import stored_bytes, stored_files
from .images import TEXT, image_bytes, noisy_jpeg, upload

pytestmark = pytest.mark.django_db


def test_admin_lists_every_image_with_thumbnails(
    client_for, staff_user, user, other_user, make_image
):
    mine = make_image(user, title="Alice private", visibility="private")
    theirs = make_image(other_user, title="Bob public")
    response = client_for(staff_user).get(reverse("admin:gallery_image_changelist"))
    body = response.content.decode()
    assert "Alice private" in body and "Bob public" in body
    added = timezone.localtime(mine.created_at)
    assert f'<time datetime="{added.isoformat()}"' in body
    assert f">{added:%Y-%m-%d %H:%M}</time>" in body
    # When it was taken, on the photo's own clock, by its day.
    taken = mine.taken_local
    assert f'<time datetime="{taken:%Y-%m-%dT%H:%M:%S}"' in body
    assert f">{taken:%Y-%m-%d}</time>" in body
    for image in (mine, theirs):
        thumb = reverse("admin:gallery_image_file", args=[image.pk, "thumbnail"])
        assert thumb in body
        # Each thumbnail links to its change page, named by its alt text.
        assert re.search(rf'<img src="{thumb}[^"]*" alt="{image.title}"', body)
        assert client_for(staff_user).get(thumb).status_code == 200


def test_admin_file_view_is_for_staff_only(client_for, user, make_image):
    image = make_image(user, visibility="private")
    url = reverse("admin:gallery_image_file", args=[image.pk, "original"])
    assert client_for(user).get(url).status_code == 302  # to the admin login
    assert client_for(None).get(url).status_code == 302


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"visibility__exact": "private"}, {"Alice private"}),
        ({"format__exact": "JPEG"}, {"Alice private", "Bob public"}),
        ({"q": "bob"}, {"Bob public"}),
        ({"q": "described"}, {"Alice private"}),
    ],
)
def test_admin_filters_and_search(
    client_for, staff_user, user, other_user, make_image, params, expected
):
    make_image(
        user, title="Alice private", description="described", visibility="private"
    )
    make_image(other_user, title="Bob public", visibility="public")
    response = client_for(staff_user).get(
        reverse("admin:gallery_image_changelist"), params
    )
    found = set(
        re.findall(
            r'class="field-title">(?:<a [^>]*>)?([^<]+)<', response.content.decode()
        )
    )
    assert found == expected


@pytest.mark.parametrize(
    ("action", "before", "after"),
    [("make_public", "private", "public"), ("make_private", "public", "private")],
)
def test_admin_visibility_actions(
    client_for, staff_user, user, make_image, action, before, after
):
    images = [make_image(user, visibility=before) for _ in range(2)]
    client_for(staff_user).post(
        reverse("admin:gallery_image_changelist"),
        {"action": action, "_selected_action": [str(i.pk) for i in images]},
    )
    assert set(Image.objects.values_list("visibility", flat=True)) == {after}


def test_admin_visibility_action_updates_the_change_time(
    client_for, staff_user, user, make_image
):
    images = [make_image(user, visibility="public") for _ in range(2)]
    long_ago = timezone.now() - timedelta(days=30)
    Image.objects.update(updated_at=long_ago)
    client_for(staff_user).post(
        reverse("admin:gallery_image_changelist"),
        {"action": "make_private", "_selected_action": [str(i.pk) for i in images]},
    )
    changed = Image.objects.values_list("visibility", "updated_at")
    assert all(v == "private" and at > long_ago for v, at in changed)


def test_admin_add_goes_through_the_ingest_service(client_for, staff_user, user):
    data = noisy_jpeg(seed=8)
    response = client_for(staff_user).post(
        reverse("admin:gallery_image_add"),
        {
            "upload": upload("../../admin pick.jpg", data),
            "owner": user.pk,
            "title": "",
            "description": "From the admin",
            "visibility": "public",
        },
    )
    image = Image.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:gallery_image_changelist")
    assert (image.owner, image.title, image.original_filename) == (
        user,
        "admin pick",
        "admin pick.jpg",
    )
    assert stored_bytes(image.original.name) == data
    assert len(stored_files()) == 3


def test_admin_add_takes_an_avif(client_for, staff_user, user):
    response = client_for(staff_user).post(
        reverse("admin:gallery_image_add"),
        {
            "upload": upload("phone.avif", image_bytes("AVIF", (120, 90))),
            "owner": user.pk,
            "title": "",
            "description": "",
            "visibility": "private",
        },
    )
    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.format, image.original.name[-5:]) == ("AVIF", ".avif")
    assert image.display.name.endswith(".jpg")


def test_admin_add_rejects_a_bad_file_on_the_form(client_for, staff_user, user):
    response = client_for(staff_user).post(
        reverse("admin:gallery_image_add"),
        {
            "upload": upload("x.jpg", TEXT),
            "owner": user.pk,
            "title": "t",
            "description": "",
            "visibility": "public",
        },
    )
    assert response.status_code == 200
    assert "not an image" in response.content.decode()
    assert not Image.objects.exists()
    assert stored_files() == []


def test_admin_change_page_renders(client_for, staff_user, user, make_image):
    image = make_image(user, visibility="private")
    response = client_for(staff_user).get(
        reverse("admin:gallery_image_change", args=[image.pk])
    )
    assert response.status_code == 200
    assert image.sha256 in response.content.decode()
    # No "View on site": the site shows a private image to its owner alone.
    assert "View on site" not in response.content.decode()
    public = make_image(user, visibility="public")
    page = client_for(staff_user).get(
        reverse("admin:gallery_image_change", args=[public.pk])
    )
    assert "View on site" in page.content.decode()


def test_admin_add_whose_later_steps_fail_leaves_no_orphan_file(
    client_for, staff_user, user, media_root
):
    client = client_for(staff_user)
    client.raise_request_exception = False
    with mock.patch.object(ImageAdmin, "log_addition", side_effect=RuntimeError):
        response = client.post(
            reverse("admin:gallery_image_add"),
            {
                "upload": upload("late.jpg", noisy_jpeg(seed=9)),
                "owner": user.pk,
                "title": "",
                "description": "",
                "visibility": "private",
            },
        )
    assert response.status_code == 500
    # The image was stored whole before the admin's own step failed: every
    # file on disk belongs to a row, and the row has all of its files.
    rows = {name for image in Image.objects.all() for name in image.stored_files()}
    assert set(stored_files()) == rows
    assert len(rows) == 3


def test_admin_add_page_offers_the_upload_form(client_for, staff_user):
    response = client_for(staff_user).get(reverse("admin:gallery_image_add"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'name="upload"' in page and 'accept="image/jpeg' in page
    assert f'<option value="{staff_user.pk}" selected>' in page


def test_admin_add_of_bytes_the_owner_has_says_so_and_adds_nothing(
    client_for, staff_user, user, make_image
):
    data = noisy_jpeg(seed=12)
    make_image(user, data=data, visibility="public")
    response = client_for(staff_user).post(
        reverse("admin:gallery_image_add"),
        {
            "upload": upload("again.jpg", data),
            "owner": user.pk,
            "title": "",
            "description": "",
            "visibility": "private",
        },
        follow=True,
    )
    assert "it is now private" in response.content.decode()
    assert Image.objects.get().visibility == "private"


def test_admin_changes_go_through_the_service(client_for, staff_user, user, make_image):
    image = make_image(user, title="Old", visibility="public")
    response = client_for(staff_user).post(
        reverse("admin:gallery_image_change", args=[image.pk]),
        {"title": "New", "description": "", "visibility": "private"},
    )
    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.title, image.visibility) == ("New", "private")


# ---------------------------------------------------------------- accounts


def account_form(client, user, **changes):
    url = reverse("admin:gallery_account_change", args=[user.pk])
    data = {"quota_bytes": "", "quota_images": "", **changes}
    return client.post(url, data)


def test_admin_sets_an_accounts_limits_and_leaves_its_counters(
    client_for, staff_user, user, make_image
):
    make_image(user)
    client = client_for(staff_user)
    page = client.get(reverse("admin:gallery_account_change", args=[user.pk]))
    assert page.status_code == 200
    assert 'name="bytes_stored"' not in page.content.decode()  # read-only
    make_image(user)  # an upload lands while the form is open
    counted = Account.objects.values_list("images_stored", "bytes_stored").get()

    response = account_form(client, user, quota_bytes="1.5 GB", quota_images="1")
    assert response.status_code == 302
    account = Account.objects.get(user=user)
    assert (account.quota_bytes, account.quota_images) == (3 * 2**29, 1)
    assert (account.images_stored, account.bytes_stored) == counted
    assert upload_image(owner=user, file=upload("x.jpg", noisy_jpeg())).code == (
        "over_quota"
    )


def test_admin_limits_an_account_that_has_not_uploaded_yet(
    client_for, staff_user, other_user
):
    client = client_for(staff_user)
    assert client.get(reverse("admin:gallery_account_add")).status_code == 200
    response = client.post(
        reverse("admin:gallery_account_add"),
        {"user": other_user.pk, "quota_bytes": "500 MB", "quota_images": ""},
    )
    assert response.status_code == 302
    account = Account.objects.get(user=other_user)
    assert (account.quota_bytes, account.quota_images) == (500 * 2**20, None)
    assert (account.images_stored, account.bytes_stored) == (0, 0)


def test_admin_refuses_a_size_it_cannot_read(client_for, staff_user, user, make_image):
    make_image(user)
    response = account_form(client_for(staff_user), user, quota_bytes="ten gigs")
    assert response.status_code == 200
    assert "Enter a size such as 500 MB" in response.content.decode()
    assert Account.objects.get(user=user).quota_bytes is None


def test_admin_lists_what_each_account_stores(
    client_for, staff_user, user, make_image, settings
):
    settings.IMAGEREPO_QUOTA_IMAGES = 10
    image = make_image(user)
    page = client_for(staff_user).get(reverse("admin:gallery_account_changelist"))
    body = page.content.decode()
    assert f"{filesizeformat(image.file_size)} (no limit)" in body
    assert "1 of 10" in body  # the site's default image limit


def test_admin_cannot_delete_an_account(client_for, staff_user, user, make_image):
    make_image(user)
    url = reverse("admin:gallery_account_delete", args=[user.pk])
    assert client_for(staff_user).post(url, {"post": "yes"}).status_code == 403
    assert Account.objects.filter(user=user).exists()

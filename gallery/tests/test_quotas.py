"""What an account may store: limits checked before any work, counted
exactly, the same through every way in."""

import html
import re
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from rest_framework.test import APIClient

from api.tokens import token_create
from gallery.models import Account, Image
from gallery.services.images import image_purge, images_purge, images_trash
from gallery.services.quotas import (
    account_set_limits,
    quota_ledger,
    release,
    reserve,
)
from gallery.services.uploads import upload_image

from .conftest import stored_files
from .images import TEXT, noisy_jpeg, upload
from .test_commands import read_report, run
from .test_faults import storage_failing_at

pytestmark = pytest.mark.django_db

IMAGE_LIMIT = "Not stored: your account is at its limit of 1 photo."


def counters(user):
    account = Account.objects.get(user=user)
    return account.images_stored, account.bytes_stored


def stored(user):
    """What ``user`` really stores: their images and those images' bytes."""
    sizes = list(Image.objects.filter(owner=user).values_list("file_size", flat=True))
    return len(sizes), sum(sizes)


def byte_limit_message(limit, used, size):
    return (
        f"Not stored: your account is at its limit of {filesizeformat(limit)} "
        f"({filesizeformat(used)} used; this file is {filesizeformat(size)})."
    )


# ---------------------------------------------------------------- reserve, release


def test_reserve_counts_and_release_gives_back(user):
    reserve(user, size=700)
    reserve(user, size=300)
    assert counters(user) == (2, 1000)
    release(user.pk, images=1, size=300)
    assert counters(user) == (1, 700)


def test_release_never_goes_below_zero(user):
    reserve(user, size=10)
    release(user.pk, images=5, size=1_000)
    assert counters(user) == (0, 0)


@pytest.mark.parametrize(
    ("limits", "size", "fits"),
    [
        ({"quota_bytes": 1000}, 1000, True),
        ({"quota_bytes": 1000}, 1001, False),
        ({"quota_images": 1}, 5, True),
        ({"quota_images": 0}, 5, False),
        ({}, 10**12, True),  # no limit of its own, none on the site
    ],
)
def test_an_accounts_own_limits(user, limits, size, fits):
    account_set_limits(
        user,
        quota_bytes=limits.get("quota_bytes"),
        quota_images=limits.get("quota_images"),
    )
    if fits:
        reserve(user, size=size)
        assert counters(user) == (1, size)
    else:
        with pytest.raises(ValidationError) as refused:
            reserve(user, size=size)
        assert refused.value.code == "over_quota"
        assert counters(user) == (0, 0)


def test_the_site_default_holds_unless_the_account_has_its_own(
    user, other_user, settings
):
    settings.IMAGEREPO_QUOTA_BYTES = 1000
    settings.IMAGEREPO_QUOTA_IMAGES = 2
    account_set_limits(other_user, quota_bytes=5000, quota_images=None)
    reserve(user, size=600)
    with pytest.raises(ValidationError, match="limit of 1000"):
        reserve(user, size=600)
    reserve(other_user, size=2000)  # its own byte limit is higher
    reserve(other_user, size=2000)
    with pytest.raises(ValidationError, match="limit of 2 photos"):
        reserve(other_user, size=1)  # the site's image limit still holds
    assert (counters(user), counters(other_user)) == ((1, 600), (2, 4000))


def test_a_reservation_is_given_back_unless_kept(user):
    with quota_ledger(user) as quota:
        quota.take("a", 100)
        assert counters(user) == (1, 100)
    assert counters(user) == (0, 0)
    with pytest.raises(RuntimeError), quota_ledger(user) as quota:
        quota.take("b", 100)
        raise RuntimeError("the work failed")
    assert counters(user) == (0, 0)
    with quota_ledger(user) as quota:
        quota.take("c", 100)
        quota.keep("c")
    assert counters(user) == (1, 100)


# ---------------------------------------------------------------- the counters


def test_counters_follow_new_images_duplicates_and_rejections(user, make_image):
    data = noisy_jpeg(seed=1)
    make_image(user, data=data)
    assert upload_image(owner=user, file=upload("again.jpg", data)).code == (
        "duplicate"
    )
    assert upload_image(owner=user, file=upload("x.jpg", TEXT)).code == ("not_an_image")
    assert counters(user) == stored(user) == (1, len(data))


def test_bytes_that_land_at_the_same_moment_count_once(user, make_image):
    data = noisy_jpeg(seed=2)
    make_image(user, data=data)
    # As if another request stored these bytes between our look-up and insert.
    with mock.patch("gallery.services.uploads.existing_image", return_value=None):
        outcome = upload_image(owner=user, file=upload("race.jpg", data))
    assert outcome.outcome == "duplicate"
    assert counters(user) == stored(user) == (1, len(data))


def test_a_storage_failure_gives_the_room_back(user, media_root):
    with storage_failing_at(2, partial=True):
        outcome = upload_image(owner=user, file=upload("x.jpg", noisy_jpeg(seed=3)))
    assert outcome.code == "storage_failed"
    assert counters(user) == stored(user) == (0, 0)
    assert stored_files() == []


def test_an_unexpected_error_gives_the_room_back(user):
    with (
        mock.patch(
            "gallery.services.uploads.insert_images", side_effect=RuntimeError("bug")
        ),
        pytest.raises(RuntimeError),
    ):
        upload_image(owner=user, file=upload("x.jpg", noisy_jpeg(seed=4)))
    assert counters(user) == (0, 0)


def test_a_duplicate_is_no_new_image_even_at_the_limit(user, make_image):
    data = noisy_jpeg(seed=5)
    make_image(user, data=data, visibility="public")
    account_set_limits(user, quota_bytes=None, quota_images=1)
    outcome = upload_image(
        owner=user, file=upload("same.jpg", data), visibility="private"
    )
    assert outcome.code == "duplicate_now_private"


def test_the_trash_keeps_the_room_and_purging_gives_it_back(
    user, other_user, make_image
):
    one, two, three = (make_image(user) for _ in range(3))
    theirs = make_image(other_user)
    images_trash(Image.objects.all())
    assert (
        counters(user)
        == stored(user)
        == (3, sum(i.file_size for i in (one, two, three)))
    )
    image_purge(one)
    assert counters(user) == stored(user) == (2, two.file_size + three.file_size)
    images_purge(Image.objects.filter(pk__in=[two.pk, three.pk, theirs.pk]))
    assert counters(user) == stored(user) == (0, 0)
    assert counters(other_user) == stored(other_user) == (0, 0)


def test_purging_an_image_twice_gives_its_room_back_once(user, make_image):
    kept, gone = make_image(user), make_image(user)
    twin = Image.objects.get(pk=gone.pk)  # another request's copy of the row
    image_purge(gone)
    image_purge(twin)
    images_purge(Image.objects.filter(pk=gone.pk))
    assert counters(user) == stored(user) == (1, kept.file_size)


# ---------------------------------------------------------------- every way in

SIZE_CAP = 1024  # far below any test photo


def limit_of(kind, user):
    """Put ``user`` at the edge of one limit; the message a refusal says."""
    if kind == "images":
        account_set_limits(user, quota_bytes=None, quota_images=1)
        upload_image(owner=user, file=upload("first.jpg", noisy_jpeg(seed=6)))
        return lambda size: IMAGE_LIMIT
    account_set_limits(user, quota_bytes=SIZE_CAP, quota_images=None)
    return lambda size: byte_limit_message(SIZE_CAP, 0, size)


def through_the_page(client_for, staff_user, user, name, data):
    files = [upload(name, data)]
    fields = {"visibility": "private", "title": "", "description": ""}
    response = client_for(user).post(
        reverse("gallery:upload"), {**fields, "images": files}
    )
    page = response.content.decode()
    [code] = re.findall(r'data-code="(\w+)"', page)
    [message] = re.findall(r'class="text-danger">([^<]*)<', page)
    return code, html.unescape(message)


def through_the_endpoint(client_for, staff_user, user, name, data):
    response = client_for(user).post(
        reverse("gallery:upload-file"), {"file": upload(name, data)}
    )
    assert response.status_code == 422
    return response.json()["code"], response.json()["message"]


def through_the_api(client_for, staff_user, user, name, data):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)[1]}")
    response = client.post(
        "/api/v1/images/", {"files": [upload(name, data)]}, format="multipart"
    )
    assert response.status_code == 400
    [result] = response.json()["results"]
    return result["code"], result["message"]


def through_the_admin(client_for, staff_user, user, name, data):
    fields = {"owner": user.pk, "title": "", "description": "", "visibility": "public"}
    response = client_for(staff_user).post(
        reverse("admin:gallery_image_add"), {**fields, "upload": upload(name, data)}
    )
    assert response.status_code == 200  # the form again, with the reason
    [message] = response.context["form"].errors["upload"]
    return "over_quota", message


ENTRANCES = {
    "page": through_the_page,
    "endpoint": through_the_endpoint,
    "api": through_the_api,
    "admin": through_the_admin,
}


@pytest.mark.parametrize("kind", ["bytes", "images"])
@pytest.mark.parametrize("entrance", ENTRANCES)
def test_over_quota_is_refused_and_leaves_nothing(
    client_for, staff_user, user, media_root, entrance, kind
):
    message = limit_of(kind, user)
    before = (stored_files(), counters(user), stored(user))
    data = noisy_jpeg(seed=7)
    code, said = ENTRANCES[entrance](client_for, staff_user, user, "big.jpg", data)
    assert (code, said) == ("over_quota", message(len(data)))
    assert (stored_files(), counters(user), stored(user)) == before
    assert not Image.objects.filter(original_filename="big.jpg").exists()


def test_an_import_refuses_what_does_not_fit_and_imports_the_rest(
    tmp_path, user, media_root
):
    photos = tmp_path / "photos"
    photos.mkdir()
    small = [noisy_jpeg((40, 30), seed=i) for i in range(3)]
    large = noisy_jpeg((400, 300), seed=9)
    for i, data in enumerate(small):
        (photos / f"small{i}.jpg").write_bytes(data)
    (photos / "large.jpg").write_bytes(large)
    limit = sum(map(len, small)) + len(large) // 2
    account_set_limits(user, quota_bytes=limit, quota_images=None)
    report = tmp_path / "report.jsonl"

    out, err, status = run(
        str(photos), "--owner", user.username, "--report", str(report)
    )
    assert status == 1
    assert out.strip().endswith("3 imported, 0 duplicates, 1 rejected.")
    line = read_report(report)["large.jpg"]
    assert (line["outcome"], line["code"]) == ("rejected", "over_quota")
    # What was used when it came depends on the order the workers finish in.
    limit_said = f"Not stored: your account is at its limit of {filesizeformat(limit)}"
    assert line["reason"].startswith(limit_said)
    assert line["reason"].endswith(
        f" used; this file is {filesizeformat(len(large))})."
    )
    used = sum(map(len, small))
    assert "1 file(s) did not fit in alice's quota" in err
    assert counters(user) == stored(user) == (3, used)
    rows = sorted(n for i in Image.objects.all() for n in i.stored_files())
    assert stored_files() == rows


def test_an_import_at_the_image_limit_still_takes_duplicates(
    tmp_path, user, make_image
):
    had = noisy_jpeg((40, 30), seed=10)
    make_image(user, data=had, visibility="public")
    account_set_limits(user, quota_bytes=None, quota_images=1)
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "had.jpg").write_bytes(had)
    (photos / "new.jpg").write_bytes(noisy_jpeg((40, 30), seed=11))
    report = tmp_path / "report.jsonl"
    _, _, status = run(
        str(photos), "--owner", user.username, "--private", "--report", str(report)
    )
    lines = read_report(report)
    assert (lines["had.jpg"]["outcome"], lines["had.jpg"]["code"]) == (
        "duplicate",
        "duplicate_now_private",
    )
    assert (lines["new.jpg"]["code"], lines["new.jpg"]["reason"]) == (
        "over_quota",
        IMAGE_LIMIT,
    )
    assert status == 1
    assert counters(user) == stored(user) == (1, len(had))


def test_a_dry_run_says_what_would_not_fit_and_counts_nothing(tmp_path, user):
    for i in range(3):
        (tmp_path / f"{i}.jpg").write_bytes(noisy_jpeg((40, 30), seed=20 + i))
    account_set_limits(user, quota_bytes=None, quota_images=2)
    out, _, status = run(str(tmp_path), "--owner", user.username, "--dry-run")
    assert out.strip().endswith("2 would import, 0 duplicates, 1 rejected.")
    assert status == 1
    assert counters(user) == (0, 0) and not Image.objects.exists()


def test_an_import_counts_only_the_images_it_stored(tmp_path, user):
    (tmp_path / "good.jpg").write_bytes(noisy_jpeg((40, 30), seed=30))
    (tmp_path / "text.jpg").write_bytes(TEXT)
    (tmp_path / "copy.jpg").write_bytes(noisy_jpeg((40, 30), seed=30))
    # Room for both new files: the one that turns out not to be an image
    # gives it back, and the copy waits for the first and takes none.
    account_set_limits(user, quota_bytes=None, quota_images=2)
    out, _, _ = run(str(tmp_path), "--owner", user.username)
    assert out.strip().endswith("1 imported, 1 duplicates, 1 rejected.")
    assert counters(user) == stored(user) == (1, len(noisy_jpeg((40, 30), seed=30)))


# ---------------------------------------------------------------- the upload page


def storage_line(client):
    page = client.get(reverse("gallery:upload")).content.decode()
    found = re.search(r'<p[^>]*id="storage-used">\s*(.*?)\s*</p>', page, re.S)
    return found and html.unescape(found[1])


def test_the_upload_page_shows_what_is_used_of_each_limit(
    client_for, user, make_image, settings
):
    assert storage_line(client_for(user)) is None  # no limit, nothing to say
    image = make_image(user)
    settings.IMAGEREPO_QUOTA_IMAGES = 1500
    assert storage_line(client_for(user)) == "1 of 1,500 photos"
    account_set_limits(user, quota_bytes=10 * 2**30, quota_images=None)
    assert storage_line(client_for(user)) == (
        f"{filesizeformat(image.file_size)} of 10.0\xa0GB used · 1 of 1,500 photos"
    )

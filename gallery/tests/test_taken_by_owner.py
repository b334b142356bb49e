"""An owner sets when a photo was taken: a scan, or a photo a chat app sent
without its date, goes where it belongs in the timeline (the API's PATCH:
api/tests/test_images.py)."""

import re
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from gallery.metadata import TakenSource
from gallery.models import Image
from gallery.services.images import images_set_taken, images_trash
from gallery.services.uploads import upload_image

from .images import image_bytes, noisy_jpeg, upload
from .test_metadata import camera_exif

pytestmark = pytest.mark.django_db


@pytest.fixture
def scan(user):
    """An old print, scanned: no date of its own, so dated by its upload."""
    return upload_image(
        owner=user, file=upload("scan.jpg", noisy_jpeg(seed=11)), visibility="public"
    ).image


@pytest.fixture
def camera_photo(user):
    exif = camera_exif(original="2015:06:20 14:30:05", offset="+02:00")
    return upload_image(
        owner=user, file=upload("pier.jpg", image_bytes("JPEG", exif=exif))
    ).image


def edit(client, image, **changes):
    """Post the edit form as a browser sends it: every field as shown, the
    ones in ``changes`` changed."""
    data = {
        "title": image.title,
        "description": image.description,
        "visibility": image.visibility,
        "taken_at": f"{image.taken_local:%Y-%m-%dT%H:%M}",
        "taken_zone": image.taken_offset if image.taken_zone_known else "",
        **changes,
    }
    return client.post(reverse("gallery:edit", args=[image.pk]), data)


def test_the_owner_dates_a_scan_and_the_timeline_files_it_there(client_for, user, scan):
    client = client_for(user)
    form = client.get(reverse("gallery:edit", args=[scan.pk])).content.decode()
    # As the photo's page says it: an upload carries no date of its own.
    guess = "A guess: when it was uploaded; the photo carries no date."
    assert f"{guess} Set it if you know it." in form
    assert guess in client.get(scan.get_absolute_url()).content.decode()
    assert 'type="datetime-local"' in form
    # The picker offers the dates a photo may have, up to tomorrow.
    latest = f"{timezone.now() + timedelta(days=2):%Y-%m-%dT}"
    assert 'min="1826-01-01T00:00"' in form
    assert re.search(rf'max="{latest}\d\d:\d\d"', form)

    response = edit(client, scan, taken_at="1987-08-14T09:15")
    assert response.status_code == 302
    scan.refresh_from_db()
    assert scan.taken_source == TakenSource.OWNER and not scan.taken_is_guess
    assert scan.taken_local == datetime(1987, 8, 14, 9, 15)
    assert (scan.taken_at, scan.taken_offset) == (
        datetime(1987, 8, 14, 9, 15, tzinfo=UTC),
        None,
    )

    page = client.get(scan.get_absolute_url()).content.decode()
    assert '<time datetime="1987-08-14T09:15:00">' in page
    assert "Set by you." in page and "A guess" not in page
    gallery = client.get(reverse("gallery:index")).content.decode()
    assert "August 1987</h2>" in gallery
    search = client.get(reverse("gallery:index"), {"q": "august 1987"})
    assert f'data-image-id="{scan.pk}"' in search.content.decode()
    # A date the owner gave is theirs: re-reading the photo changes nothing.
    call_command("read_photo_metadata", stdout=None)
    scan.refresh_from_db()
    assert scan.taken_local == datetime(1987, 8, 14, 9, 15)


def test_saving_other_changes_leaves_the_cameras_date_as_it_was(
    client_for, user, camera_photo
):
    client = client_for(user)
    form = client.get(reverse("gallery:edit", args=[camera_photo.pk])).content
    # The input shows minutes; the camera's seconds and zone are kept unless
    # the date itself is changed.
    assert 'value="2015-06-20T14:30"' in form.decode()
    assert edit(client, camera_photo, title="Pier", taken_at="2015-06-20T14:30").url
    camera_photo.refresh_from_db()
    assert camera_photo.title == "Pier"
    assert camera_photo.taken_source == TakenSource.CAMERA
    assert (camera_photo.taken_at, camera_photo.taken_offset) == (
        datetime(2015, 6, 20, 14, 30, 5, tzinfo=UTC),
        120,
    )
    # A photo always has a date: clearing it is refused, not ignored.
    response = edit(client, camera_photo, title="Cleared", taken_at="")
    assert response.status_code == 200
    assert "A photo always has a date taken: change it rather than clear it." in (
        response.content.decode()
    )
    camera_photo.refresh_from_db()
    assert camera_photo.title == "Pier"
    assert camera_photo.taken_local == datetime(2015, 6, 20, 14, 30, 5)


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("1788-01-01T10:00", "No photo was taken then: give a date from 1826"),
        ("2999-01-01T10:00", "No photo was taken then: give a date from 1826"),
        ("last summer", "Enter a valid date/time."),
        ("2019-02-30T10:00", "Enter a valid date/time."),
    ],
    ids=["before-photography", "future", "words", "impossible"],
)
def test_a_date_no_photo_has_is_refused_and_changes_nothing(
    client_for, user, scan, typed, error
):
    before = Image.objects.get(pk=scan.pk)
    response = edit(client_for(user), scan, title="Renamed", taken_at=typed)
    assert response.status_code == 200
    assert error in response.content.decode()
    after = Image.objects.get(pk=scan.pk)
    assert (after.title, after.taken_at, after.taken_source) == (
        before.title,
        before.taken_at,
        before.taken_source,
    )


def test_nobody_else_dates_an_image(client_for, other_user, scan):
    response = edit(client_for(other_user), scan, taken_at="1987-08-14T09:15")
    assert response.status_code == 404
    scan.refresh_from_db()
    assert scan.taken_source == TakenSource.UPLOAD


# ---------------------------------------------------------------- several at once


@pytest.fixture
def scans(user, scan):
    more = upload_image(owner=user, file=upload("scan2.jpg", noisy_jpeg(seed=12)))
    return [scan, more.image]


def bulk_date(client, images, **fields):
    return client.post(
        reverse("gallery:bulk"),
        {"action": "date", "images": [i.pk for i in images], "next": "/", **fields},
        follow=True,
    )


def test_a_batch_of_scans_is_dated_in_one_go(client_for, user, scans):
    client = client_for(user)
    # Set date… asks when, showing the photos chosen; nothing changes yet.
    page = bulk_date(client, scans).content.decode()
    assert "When were these 2 photos taken?" in page
    assert all(f'src="{scan.thumbnail_url}"' in page for scan in scans)
    assert all(f'value="{scan.pk}"' in page for scan in scans)
    assert {i.taken_source for i in Image.objects.all()} == {TakenSource.UPLOAD}

    response = bulk_date(client, scans, confirmed="1", taken_at="1987-08-14T09:15")
    assert response.redirect_chain == [("/", 302)]
    assert "2 photos dated 14 August 1987, 09:15." in response.content.decode()
    # They keep their order among themselves, a microsecond apart: the same
    # moment would leave the timeline to order them by their random ids.
    for step, scan in enumerate(scans):
        scan.refresh_from_db()
        assert scan.taken_source == TakenSource.OWNER
        assert scan.taken_local == datetime(1987, 8, 14, 9, 15, 0, step)
    gallery = client.get(reverse("gallery:index")).content.decode()
    newer, older = (gallery.index(f'data-image-id="{s.pk}"') for s in scans[::-1])
    assert newer < older


def see_them(response):
    """The page the message's "See them" link leads to."""
    link = re.search(r'<a href="([^"]+)" class="alert-link">See them</a>', response)
    return link[1].replace("&amp;", "&")


def test_the_message_leads_to_where_the_batch_went(client_for, user, scans, make_image):
    for n in range(3):
        make_image(user, title=f"Newer {n}")  # today's: page 1 is theirs
    client = client_for(user)
    response = bulk_date(client, scans, confirmed="1", taken_at="1987-08-14T09:15")
    there = client.get(see_them(response.content.decode()))
    ids = re.findall(r'data-image-id="([^"]+)"', there.content.decode())
    assert ids[:2] == [str(scans[1].pk), str(scans[0].pk)]  # newest first


def test_a_camera_whose_clock_was_wrong_moves_with_its_gaps(client_for, user):
    camera = [
        upload_image(
            owner=user,
            file=upload(
                f"dsc{n}.jpg",
                image_bytes("JPEG", exif=camera_exif(original=when, offset="+01:00")),
            ),
        ).image
        for n, when in enumerate(
            ["2000:01:01 10:07:00", "2000:01:01 10:00:00", "2000:01:01 12:30:30"]
        )
    ]
    client = client_for(user)
    response = bulk_date(
        client, camera, confirmed="1", taken_at="2017-12-25T18:00", keep_gaps="on"
    )
    page = response.content.decode()
    assert "3 photos moved: the first taken now 25 December 2017, 18:00" in page
    moved = {i.title: i for i in Image.objects.all()}
    assert [moved[f"dsc{n}"].taken_local for n in range(3)] == [
        datetime(2017, 12, 25, 18, 7),
        datetime(2017, 12, 25, 18, 0),
        datetime(2017, 12, 25, 20, 30, 30),
    ]
    # Each keeps its zone; the date is its owner's now.
    assert {(i.taken_offset, i.taken_source) for i in moved.values()} == {
        (60, TakenSource.OWNER)
    }
    there = client.get(see_them(page)).content.decode()
    ids = re.findall(r'data-image-id="([^"]+)"', there)
    assert ids[:3] == [str(moved[f"dsc{n}"].pk) for n in (2, 0, 1)]

    # The first may be dated as late as any photo (tomorrow, in some zone),
    # but then the last would be in the future: refused whole.
    late = timezone.now() + timedelta(days=2, hours=-1)
    response = bulk_date(
        client,
        camera,
        confirmed="1",
        taken_at=f"{late:%Y-%m-%dT%H:%M}",
        keep_gaps="on",
    )
    assert "the last of them would be dated in the future" in response.content.decode()
    assert Image.objects.get(title="dsc2").taken_local == datetime(
        2017, 12, 25, 20, 30, 30
    )


def test_photos_trashed_while_their_date_was_typed_are_not_dated(
    client_for, user, scans
):
    client = client_for(user)

    def trashed_first(images, **kwargs):
        images_trash(images)
        return images_set_taken(images, **kwargs)

    with mock.patch("gallery.views.manage.images_set_taken", trashed_first):
        response = bulk_date(client, scans, confirmed="1", taken_at="1987-08-14T09:15")
    assert response.redirect_chain == [("/", 302)]
    assert "None of those photos is here any more." in response.content.decode()


def test_the_first_taken_is_the_first_moment_whatever_the_clocks_say(client_for, user):
    # Tokyo's 10:00 came before London's 09:30 the same day.
    taken = {"tokyo": ("10:00", "+09:00"), "london": ("09:30", "+00:00")}
    photos = [
        upload_image(
            owner=user,
            file=upload(
                f"{name}.jpg",
                image_bytes(
                    "JPEG",
                    exif=camera_exif(original=f"2000:01:01 {when}:00", offset=offset),
                ),
            ),
        ).image
        for name, (when, offset) in taken.items()
    ]
    bulk_date(
        client_for(user),
        photos,
        confirmed="1",
        taken_at="2019-07-01T12:00",
        keep_gaps="on",
    )
    moved = {i.title: i.taken_local for i in Image.objects.all()}
    assert moved == {
        "tokyo": datetime(2019, 7, 1, 12, 0),
        "london": datetime(2019, 7, 1, 11, 30),
    }


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "Give the date and time they were taken."),
        ("not a date", "Enter a valid date/time."),
        ("1788-01-01T10:00", "No photo was taken then"),
    ],
    ids=["none", "words", "before-photography"],
)
def test_a_batch_date_no_photo_has_asks_again(client_for, user, scans, typed, error):
    response = bulk_date(client_for(user), scans, confirmed="1", taken_at=typed)
    page = response.content.decode()
    assert response.redirect_chain == [] and error in page
    assert "When were these 2 photos taken?" in page
    assert {i.taken_source for i in Image.objects.all()} == {TakenSource.UPLOAD}


def test_nobody_dates_anothers_photos_in_a_batch(client_for, other_user, scans):
    response = bulk_date(
        client_for(other_user), scans, confirmed="1", taken_at="1987-08-14T09:15"
    )
    assert "are not yours or are gone; nothing was changed" in (
        response.content.decode()
    )
    assert {i.taken_source for i in Image.objects.all()} == {TakenSource.UPLOAD}


def test_an_hour_daylight_saving_skips_or_repeats_is_a_date_like_any_other(
    client_for, user, scan, settings
):
    """The site's zone has no say over a wall clock typed or shown back."""
    settings.TIME_ZONE = "Europe/Berlin"
    exif = camera_exif(original="2021:10:31 02:30:00")  # Berlin's hour twice
    night = upload_image(
        owner=user, file=upload("night.jpg", image_bytes("JPEG", exif=exif))
    ).image
    client = client_for(user)
    assert edit(client, night, title="Clocks go back").status_code == 302
    night.refresh_from_db()
    assert night.title == "Clocks go back"
    assert night.taken_local == datetime(2021, 10, 31, 2, 30)
    assert edit(client, scan, taken_at="2021-03-28T02:30").status_code == 302
    scan.refresh_from_db()
    assert scan.taken_local == datetime(2021, 3, 28, 2, 30)  # Berlin skips it


def test_changing_a_camera_date_keeps_the_cameras_zone(client_for, user, camera_photo):
    client = client_for(user)
    form = client.get(reverse("gallery:edit", args=[camera_photo.pk])).content
    assert (
        '<option value="120" selected>UTC+02:00 — Paris, Berlin, Madrid</option>'
    ) in form.decode()
    assert edit(client, camera_photo, taken_at="2015-06-20T14:31").status_code == 302
    camera_photo.refresh_from_db()
    assert camera_photo.taken_source == TakenSource.OWNER
    assert (camera_photo.taken_at, camera_photo.taken_offset) == (
        datetime(2015, 6, 20, 14, 31, tzinfo=UTC),
        120,
    )
    form = client.get(reverse("gallery:edit", args=[camera_photo.pk])).content
    assert "Set by you." in form.decode()
    assert (
        '<option value="120" selected>UTC+02:00 — Paris, Berlin, Madrid</option>'
    ) in form.decode()


def test_offsets_are_named_by_places_on_them_that_day(client_for, user, scan):
    client = client_for(user)
    for taken, paris, london in [
        ("2019-07-01T10:00", "120", "60"),
        ("2019-01-01T10:00", "60", "0"),
    ]:
        assert edit(client, scan, taken_at=taken).status_code == 302
        form = client.get(reverse("gallery:edit", args=[scan.pk])).content.decode()
        options = dict(re.findall(r'<option value="(-?\d+)"[^>]*>([^<]*)<', form))
        assert "Paris" in options[paris] and "Paris" not in options[london]
        assert "London" in options[london]
        assert options["-150" if paris == "120" else "-210"].endswith("St. John’s")


def test_the_owner_gives_a_scan_its_zone(client_for, user, scan):
    client = client_for(user)
    form = client.get(reverse("gallery:edit", args=[scan.pk])).content.decode()
    assert '<option value="" selected>Not known</option>' in form
    assert '<option value="330">UTC+05:30 — Delhi, Colombo</option>' in form
    response = edit(client, scan, taken_at="1987-08-14T09:15", taken_zone="-300")
    assert response.status_code == 302
    scan.refresh_from_db()
    assert (scan.taken_local, scan.taken_offset) == (datetime(1987, 8, 14, 9, 15), -300)
    page = client.get(scan.get_absolute_url()).content.decode()
    assert "UTC−05:00" in page


def test_changing_only_the_zone_keeps_the_cameras_clock_to_the_second(
    client_for, user, camera_photo
):
    client = client_for(user)
    assert edit(client, camera_photo, taken_zone="540").status_code == 302
    camera_photo.refresh_from_db()
    assert camera_photo.taken_source == TakenSource.OWNER
    assert (camera_photo.taken_local, camera_photo.taken_offset) == (
        datetime(2015, 6, 20, 14, 30, 5),
        540,
    )
    # "Not known": filed by its clock alone, the clock as it was.
    assert edit(client, camera_photo, taken_zone="").status_code == 302
    camera_photo.refresh_from_db()
    assert (camera_photo.taken_local, camera_photo.taken_offset) == (
        datetime(2015, 6, 20, 14, 30, 5),
        None,
    )
    assert not camera_photo.taken_zone_known


def test_a_guess_given_a_zone_with_the_clock_shown_is_confirmed(client_for, user, scan):
    shown = scan.taken_local.replace(second=0, microsecond=0)
    assert edit(client_for(user), scan, taken_zone="330").status_code == 302
    scan.refresh_from_db()
    assert (scan.taken_local, scan.taken_offset) == (shown, 330)
    assert scan.taken_source == TakenSource.OWNER and not scan.taken_is_guess


def test_a_photo_without_a_date_is_given_one(client_for, user, scan):
    Image.objects.filter(pk=scan.pk).update(taken_at=None, taken_offset=None)
    scan.refresh_from_db()
    url = reverse("gallery:edit", args=[scan.pk])
    data = {"title": "Scan", "description": "", "visibility": scan.visibility}
    data |= {"taken_at": "2001-02-03T04:05", "taken_zone": "60"}
    assert client_for(user).post(url, data).status_code == 302
    scan.refresh_from_db()
    assert (scan.taken_local, scan.taken_offset) == (datetime(2001, 2, 3, 4, 5), 60)


def test_a_guess_is_not_given_a_zone_without_its_date(client_for, user, scan):
    before = Image.objects.get(pk=scan.pk)
    # A script posting the zone alone: the guess's clock was not looked at.
    url = reverse("gallery:edit", args=[scan.pk])
    data = {"title": "Scan", "description": "", "visibility": scan.visibility}
    response = client_for(user).post(url, {**data, "taken_zone": "330"})
    assert response.status_code == 200
    assert "This photo&#x27;s date is only a guess: set when it was taken" in (
        response.content.decode()
    )
    after = Image.objects.get(pk=scan.pk)
    assert (after.title, after.taken_at, after.taken_offset, after.taken_source) == (
        before.title,
        before.taken_at,
        before.taken_offset,
        before.taken_source,
    )


def test_a_zone_posted_without_the_date_is_applied(client_for, user, camera_photo):
    url = reverse("gallery:edit", args=[camera_photo.pk])
    data = {"title": "Pier", "description": "", "visibility": "private"}
    assert client_for(user).post(url, {**data, "taken_zone": "540"}).status_code == 302
    camera_photo.refresh_from_db()
    assert (camera_photo.taken_local, camera_photo.taken_offset) == (
        datetime(2015, 6, 20, 14, 30, 5),
        540,
    )


@pytest.mark.parametrize("zone", ["999", "abc", "-901"])
def test_a_zone_not_offered_is_refused(client_for, user, camera_photo, zone):
    response = edit(client_for(user), camera_photo, title="New", taken_zone=zone)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    camera_photo.refresh_from_db()
    assert (camera_photo.title, camera_photo.taken_offset) == ("pier", 120)


def test_a_form_without_the_zone_keeps_it(client_for, user, camera_photo):
    url = reverse("gallery:edit", args=[camera_photo.pk])
    data = {"title": "Pier", "description": "", "visibility": "private"}
    data["taken_at"] = "2015-06-20T15:00"
    assert client_for(user).post(url, data).status_code == 302
    camera_photo.refresh_from_db()
    assert (camera_photo.taken_local, camera_photo.taken_offset) == (
        datetime(2015, 6, 20, 15, 0),
        120,
    )

"""Date taken, camera and place: read from real camera-style files at ingest,
never trusted blindly, filled in later for images stored before."""

import io
import os
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from PIL import ExifTags
from PIL import Image as PILImage
from PIL.TiffImagePlugin import IFDRational

from gallery.management.commands.read_photo_metadata import Command as ReadCommand
from gallery.metadata import TakenSource, read_metadata
from gallery.models import Image
from gallery.services.uploads import upload_image

from .conftest import stored_bytes
from .images import image_bytes, noisy_jpeg, upload

pytestmark = pytest.mark.django_db

Base, GPS = ExifTags.Base, ExifTags.GPS


def dms(degrees, minutes, seconds):
    return tuple(IFDRational(round(v * 100), 100) for v in (degrees, minutes, seconds))


def camera_exif(
    *,
    original=None,
    offset=None,
    digitized=None,
    modified=None,
    latitude=None,
    longitude=None,
    make="Canon",
    model="Canon EOS 5D Mark IV",
):
    """EXIF as a camera writes it, with Pillow's EXIF writer. ``latitude`` and
    ``longitude`` are (ref, degrees, minutes, seconds)."""
    exif = PILImage.Exif()
    exif[Base.Make] = make
    exif[Base.Model] = model
    if modified:
        exif[Base.DateTime] = modified
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    if original:
        sub[Base.DateTimeOriginal] = original
    if offset:
        sub[Base.OffsetTimeOriginal] = offset
    if digitized:
        sub[Base.DateTimeDigitized] = digitized
    sub[Base.FNumber] = IFDRational(28, 10)
    sub[Base.ExposureTime] = IFDRational(1, 250)
    sub[Base.ISOSpeedRatings] = 400
    sub[Base.FocalLength] = IFDRational(50, 1)
    sub[Base.LensModel] = "EF50mm f/1.8 STM"
    if latitude and longitude:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[GPS.GPSLatitudeRef], *lat = latitude
        gps[GPS.GPSLatitude] = dms(*lat)
        gps[GPS.GPSLongitudeRef], *lon = longitude
        gps[GPS.GPSLongitude] = dms(*lon)
    return exif


def metadata_of(data):
    return read_metadata(PILImage.open(io.BytesIO(data)))


def test_a_camera_jpeg_gives_date_camera_exposure_and_place():
    exif = camera_exif(
        original="2015:06:20 14:30:05",
        offset="+02:00",
        latitude=("N", 48, 51, 29.6),
        longitude=("E", 2, 17, 40.2),
    )
    found = metadata_of(image_bytes("JPEG", exif=exif))
    # The wall clock as written, kept as if UTC; the offset places it in time.
    assert found.taken_at == datetime(2015, 6, 20, 14, 30, 5, tzinfo=UTC)
    assert (found.taken_offset, found.taken_source) == (120, TakenSource.CAMERA)
    assert (found.camera_make, found.camera_model) == ("Canon", "Canon EOS 5D Mark IV")
    assert found.lens == "EF50mm f/1.8 STM"
    assert (found.focal_length, found.f_number, found.iso) == (50.0, 2.8, 400)
    assert found.exposure_time == pytest.approx(1 / 250)
    assert found.latitude == pytest.approx(48.858222, abs=1e-6)
    assert found.longitude == pytest.approx(2.294500, abs=1e-6)


def test_without_an_offset_the_camera_clock_is_kept_as_written():
    found = metadata_of(
        image_bytes("JPEG", exif=camera_exif(original="2019:12:31 23:59:59"))
    )
    assert found.taken_at == datetime(2019, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert found.taken_offset is None


@pytest.mark.parametrize(
    ("offset", "utc_hour", "minutes"),
    [("-05:00", 17, -300), ("+05:30", 6, 330), ("+00:00", 12, 0)],
)
def test_offsets_east_and_west(offset, utc_hour, minutes):
    exif = camera_exif(original="2020:03:01 12:00:00", offset=offset)
    found = metadata_of(image_bytes("JPEG", exif=exif))
    assert found.taken_at == datetime(2020, 3, 1, 12, tzinfo=UTC)  # as written
    assert found.taken_offset == minutes
    moment = found.taken_at - timedelta(minutes=minutes)
    assert (moment.hour, moment.minute) == (utc_hour, 30 if minutes == 330 else 0)


def test_the_digitized_date_then_the_file_date_stand_in_for_a_missing_original():
    digitized = camera_exif(
        digitized="2001:02:03 04:05:06", modified="2010:01:01 00:00:00"
    )
    assert metadata_of(image_bytes("JPEG", exif=digitized)).taken_at.year == 2001
    modified = camera_exif(modified="2010:01:01 00:00:00")
    assert metadata_of(image_bytes("JPEG", exif=modified)).taken_at.year == 2010


@pytest.mark.parametrize(
    ("latitude", "longitude", "expected"),
    [
        (("N", 40, 26, 46.0), ("W", 79, 58, 56.0), (40.446111, -79.982222)),
        (("S", 33, 52, 4.0), ("E", 151, 12, 26.0), (-33.867778, 151.207222)),
        (("S", 22, 54, 0.0), ("W", 43, 12, 0.0), (-22.9, -43.2)),
        # Seconds rounded up to 60: the next minute.
        (("N", 46, 1, 60.0), ("E", 7, 59, 60.0), (46.033333, 8.0)),
    ],
)
def test_gps_in_every_hemisphere(latitude, longitude, expected):
    exif = camera_exif(latitude=latitude, longitude=longitude)
    found = metadata_of(image_bytes("JPEG", exif=exif))
    assert (found.latitude, found.longitude) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "HEIF", "AVIF"])
def test_other_formats_carry_the_same_exif(fmt):
    exif = camera_exif(
        original="2018:07:14 09:00:00",
        latitude=("N", 1, 2, 3.0),
        longitude=("W", 4, 5, 6.0),
    )
    found = metadata_of(image_bytes(fmt, (64, 64), exif=exif))
    assert found.taken_at == datetime(2018, 7, 14, 9, tzinfo=UTC)
    assert found.camera_model == "Canon EOS 5D Mark IV"
    assert found.latitude > 0 > found.longitude


def test_a_tiff_keeps_its_camera_tags_in_its_first_directory():
    tags = PILImage.Exif()
    tags[Base.Make], tags[Base.DateTime] = "Nikon", "2008:08:08 08:08:08"
    found = metadata_of(image_bytes("TIFF", tiffinfo=tags))
    assert (found.camera_make, found.taken_at.year) == ("Nikon", 2008)


@pytest.mark.parametrize(
    "original",
    [
        "0000:00:00 00:00:00",  # an unset camera clock
        "2019:02:30 10:00:00",  # no such day
        "1492:10:12 10:00:00",  # before photography
        "9999:12:31 23:59:59",  # far in the future
        "yesterday",
    ],
)
def test_absurd_dates_leave_the_date_empty(original):
    found = metadata_of(image_bytes("JPEG", exif=camera_exif(original=original)))
    assert (found.taken_at, found.taken_source) == (None, "")
    assert found.camera_make == "Canon"  # the rest is still read


def test_an_impossible_offset_keeps_the_date_as_the_camera_wrote_it():
    exif = camera_exif(original="2019:05:05 10:00:00", offset="+99:00")
    found = metadata_of(image_bytes("JPEG", exif=exif))
    assert (found.taken_at, found.taken_offset) == (
        datetime(2019, 5, 5, 10, tzinfo=UTC),
        None,
    )


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(("N", 1, 61, 0.0), ("E", 1, 0, 0.0)), (("N", 1, 0, 0.0), ("E", 1, 0, 60.5))],
)
def test_minutes_or_seconds_past_sixty_leave_no_position(latitude, longitude):
    exif = camera_exif(latitude=latitude, longitude=longitude)
    found = metadata_of(image_bytes("JPEG", exif=exif))
    assert (found.latitude, found.longitude) == (None, None)


def test_garbage_values_are_left_empty_and_never_raise():
    exif = camera_exif(latitude=("X", 1, 2, 3.0), longitude=("E", 400, 0, 0.0))
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[Base.FNumber] = IFDRational(1, 0)  # division by zero: NaN
    sub[Base.ExposureTime] = "fast"
    sub[Base.ISOSpeedRatings] = tuple(range(5000))  # a huge count
    sub[Base.FocalLength] = IFDRational(-5, 1)
    exif[Base.Model] = "\x07Bad\x1bmodel\n" + "x" * 500  # control characters
    found = metadata_of(image_bytes("JPEG", exif=exif))
    assert found.f_number is found.exposure_time is found.focal_length is None
    assert found.latitude is found.longitude is None
    assert found.iso is None
    assert found.camera_model.startswith("Badmodel") and len(found.camera_model) == 100


def broken_exif_jpeg():
    """A JPEG whose EXIF block points its first directory past its own end."""
    exif = b"Exif\x00\x00MM\x00\x2a\x00\x00\xff\xf0" + b"\x00" * 20
    return image_bytes("JPEG", exif=exif)


def test_a_broken_exif_block_never_rejects_a_good_image(user, recwarn):
    assert metadata_of(broken_exif_jpeg()).taken_at is None
    recwarn.clear()
    outcome = upload_image(owner=user, file=upload("odd.jpg", broken_exif_jpeg()))
    # Nor does it print Pillow's warning on every import.
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]
    assert outcome.outcome == "created", outcome
    assert outcome.image.taken_source == TakenSource.UPLOAD


def test_an_upload_stores_what_its_exif_says(user):
    exif = camera_exif(
        original="2015:06:20 14:30:05",
        offset="+02:00",
        latitude=("N", 48, 51, 29.6),
        longitude=("E", 2, 17, 40.2),
    )
    image = upload_image(
        owner=user, file=upload("honeymoon.jpg", image_bytes("JPEG", exif=exif))
    ).image
    image.refresh_from_db()
    assert image.taken_at == datetime(2015, 6, 20, 14, 30, 5, tzinfo=UTC)
    assert image.taken_local == datetime(2015, 6, 20, 14, 30, 5)
    assert image.taken_moment.isoformat() == "2015-06-20T14:30:05+02:00"
    assert not image.taken_is_guess
    assert image.camera_model == "Canon EOS 5D Mark IV"
    assert image.has_location


def test_without_a_date_an_upload_is_dated_by_its_upload_as_a_guess(user):
    image = upload_image(owner=user, file=upload("scan.jpg", noisy_jpeg(seed=7))).image
    image.refresh_from_db()
    assert image.taken_source == TakenSource.UPLOAD and image.taken_is_guess
    assert abs((image.taken_at - image.created_at).total_seconds()) < 5
    assert (image.camera_make, image.latitude) == ("", None)


@pytest.mark.parametrize("fmt", ["JPEG", "HEIF"])
def test_renditions_never_carry_the_location(user, fmt):
    exif = camera_exif(latitude=("N", 48, 51, 29.6), longitude=("E", 2, 17, 40.2))
    data = image_bytes(fmt, (300, 200), exif=exif)
    assert PILImage.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    image = upload_image(owner=user, file=upload(f"phone.{fmt.lower()}", data)).image
    for name in (image.thumbnail.name, image.display.name):
        rendered = PILImage.open(io.BytesIO(stored_bytes(name)))
        assert not rendered.getexif()
        assert "exif" not in rendered.info


def test_import_dates_a_photo_without_exif_by_its_file_as_a_guess(user, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    plain, dated = folder / "plain.jpg", folder / "dated.jpg"
    plain.write_bytes(noisy_jpeg(seed=11))
    dated.write_bytes(
        image_bytes("JPEG", exif=camera_exif(original="2009:09:09 09:09:09"))
    )
    old = datetime(2012, 5, 17, 8, 0, tzinfo=UTC).timestamp()
    for path in (plain, dated):
        os.utime(path, (old, old))
    call_command(
        "import_images",
        str(folder),
        "--owner",
        user.username,
        "--workers",
        "1",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    by_name = {i.original_filename: i for i in Image.objects.all()}
    assert by_name["plain.jpg"].taken_at == datetime(2012, 5, 17, 8, 0, tzinfo=UTC)
    assert by_name["plain.jpg"].taken_source == TakenSource.FILE
    assert by_name["dated.jpg"].taken_at == datetime(2009, 9, 9, 9, 9, 9, tzinfo=UTC)
    assert by_name["dated.jpg"].taken_source == TakenSource.CAMERA


def read_command(*args):
    command = ReadCommand()
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), command.exit_status


def as_before_metadata(*images):
    """Make images look as they did before ingest read metadata: dated by
    their upload, nothing else, not read yet (what the migration leaves)."""
    for image in images:
        Image.objects.filter(pk=image.pk).update(
            taken_at=image.created_at,
            taken_offset=None,
            taken_source="",
            camera_make="",
            camera_model="",
            lens="",
            latitude=None,
            longitude=None,
        )


def test_read_photo_metadata_fills_older_images_and_can_run_again(make_image, user):
    exif = camera_exif(
        original="2011:11:11 11:11:11",
        latitude=("S", 1, 0, 0.0),
        longitude=("W", 2, 0, 0.0),
    )
    camera = make_image(user, data=image_bytes("JPEG", exif=exif))
    plain = make_image(user)
    as_before_metadata(camera, plain)

    out, err, status = read_command("--batch-size", "1")

    assert status == 0, err
    assert out.strip() == (
        "2 images read: 1 with the date the camera gave, 1 keep their upload "
        "date (a guess)."
    )
    camera.refresh_from_db()
    plain.refresh_from_db()
    assert camera.taken_at.year == 2011 and camera.taken_source == TakenSource.CAMERA
    assert (camera.latitude, camera.longitude) == (-1.0, -2.0)
    assert plain.taken_source == TakenSource.UPLOAD
    assert plain.taken_at == plain.created_at

    assert read_command()[0].startswith("0 images read")


def test_read_photo_metadata_reports_a_missing_original_and_retries_it(
    make_image, user
):
    gone, fine = make_image(user), make_image(user)
    as_before_metadata(gone, fine)
    saved = stored_bytes(gone.original.name)
    gone.original.storage.delete(gone.original.name)

    out, err, status = read_command()

    assert status == 1
    assert f"unread  {gone.pk}: The stored original is missing." in err
    assert "1 images read" in out and "1 could not be read (run again to retry)" in out
    gone.refresh_from_db()
    assert gone.taken_source == "" and gone.taken_at == gone.created_at

    gone.original.storage.save(gone.original.name, io.BytesIO(saved))
    out, err, status = read_command()
    assert (status, out.split(":")[0]) == (0, "1 images read")


def test_the_detail_page_says_when_and_with_what(client_for, user, other_user):
    exif = camera_exif(original="2015:06:20 14:30:05", offset="+02:00")
    image = upload_image(
        owner=user,
        file=upload("honeymoon.jpg", image_bytes("JPEG", exif=exif)),
        visibility="public",
    ).image
    page = client_for(other_user).get(image.get_absolute_url()).content.decode()
    assert '<time datetime="2015-06-20T14:30:05">' in page
    assert "(UTC+02:00)" in page and "A guess" not in page
    assert (
        '<dd class="col-8 text-break" id="info-camera">Canon EOS 5D Mark IV</dd>'
        in page
    )
    assert "EF50mm f/1.8 STM" in page
    assert "1/250 s · f/2.8 · ISO 400 · 50 mm" in page
    assert "honeymoon.jpg" not in page  # the file name is the owner's

    plain = upload_image(owner=user, file=upload("scan.jpg", noisy_jpeg(seed=3))).image
    page = client_for(user).get(plain.get_absolute_url()).content.decode()
    assert "A guess: when it was uploaded" in page
    assert "info-camera" not in page and "info-exposure" not in page
    assert "scan.jpg" in page


def test_a_date_at_the_end_of_time_in_a_western_zone_never_raises(user):
    exif = camera_exif(original="9999:12:31 23:00:00", offset="-05:00")
    assert metadata_of(image_bytes("JPEG", exif=exif)).taken_at is None
    outcome = upload_image(
        owner=user, file=upload("end.jpg", image_bytes("JPEG", exif=exif))
    )
    assert outcome.outcome == "created"


@pytest.mark.parametrize("seconds", [1e-6, 4e-6, 1 / 8000, 1 / 3, 2.5])
def test_every_exposure_the_camera_may_give_reads_as_a_shutter_speed(seconds):
    from gallery.templatetags.photo_info import shutter

    shown = shutter(seconds)
    if seconds < 1:
        assert shown.startswith("1/") and int(shown[2:]) == round(1 / seconds)
    else:
        assert float(shown) == seconds


def test_an_imported_file_dated_in_the_future_is_not_dated_by_it(user, tmp_path):
    from gallery.importing.tasks import file_time

    future = datetime(2999, 1, 1, tzinfo=UTC).timestamp() * 1e9
    assert file_time(int(future)) is None
    assert (
        file_time(int(datetime(2012, 1, 1, tzinfo=UTC).timestamp() * 1e9)).year == 2012
    )


def test_an_imported_file_dated_before_photography_is_not_dated_by_it():
    """A file whose clock says year 1 (a broken camera card) is no date: read
    on the clock of a site west of UTC it would not even be a datetime."""
    from gallery.importing.tasks import file_time

    year_one = datetime(1, 1, 1, 1, tzinfo=UTC).timestamp() * 1e9
    assert file_time(int(year_one)) is None
    before = datetime(1825, 12, 31, 23, tzinfo=UTC).timestamp() * 1e9
    assert file_time(int(before)) is None
    assert file_time(int(datetime(1826, 1, 2, tzinfo=UTC).timestamp() * 1e9))

import io
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from PIL import Image as PILImage

from gallery.models import Image
from gallery.services.images import image_purge
from gallery.services.ingest import clean_filename, prepare_image
from gallery.services.storing import build_image, insert_images, write_image_files
from gallery.services.uploads import upload_image

from .conftest import stored_bytes, stored_files
from .images import (
    MPO,
    PDF,
    SVG,
    TEXT,
    animated_gif,
    exif_with,
    image_bytes,
    noisy_jpeg,
    png_with_size,
    truncated_jpeg,
    upload,
)

pytestmark = pytest.mark.django_db

ORIENTATION, GPS_INFO, MAKE = 0x0112, 0x8825, 0x010F


def stored(owner, file, **fields):
    """Upload ``file`` through the service; the new image."""
    outcome = upload_image(owner=owner, file=file, **fields)
    assert outcome.outcome == "created", outcome
    return outcome.image


def rejected(owner, file, **fields):
    """Upload ``file`` through the service; its rejection."""
    outcome = upload_image(owner=owner, file=file, **fields)
    assert (outcome.outcome, outcome.image) == ("rejected", None), outcome
    return outcome


def open_stored(field):
    with field.open("rb") as f:
        return PILImage.open(io.BytesIO(f.read()))


@pytest.mark.parametrize(
    ("fmt", "ext"),
    [
        ("JPEG", "jpg"),
        ("PNG", "png"),
        ("GIF", "gif"),
        ("WEBP", "webp"),
        ("BMP", "bmp"),
        ("HEIF", "heic"),
        ("AVIF", "avif"),
    ],
)
def test_accepted_formats_are_stored_byte_for_byte_under_a_uuid_name(
    user, media_root, fmt, ext
):
    data = image_bytes(fmt, (120, 80))
    image = stored(user, upload("Holiday Snap.png", data))

    assert image.format == fmt
    assert (image.width, image.height) == (120, 80)
    assert image.original.name.endswith(f"/{image.pk.hex}.{ext}")
    assert stored_bytes(image.original.name) == data
    assert image.file_size == len(data)
    assert image.title == "Holiday Snap"
    assert image.original_filename == "Holiday Snap.png"


@pytest.mark.parametrize("fmt", ["HEIF", "AVIF"])
@pytest.mark.parametrize("color", [(30, 120, 200), (30, 120, 200, 128)])
def test_phone_formats_get_renditions_every_browser_shows(user, fmt, color):
    image = stored(user, upload("IMG_0001.HEIC", image_bytes(fmt, (300, 200), color)))
    display, thumb = open_stored(image.display), open_stored(image.thumbnail)
    expected = "WEBP" if len(color) == 4 else "JPEG"
    assert (display.format, thumb.format) == (expected, expected)
    assert display.size == (300, 200)


def test_mpo_photo_from_a_phone_is_stored_as_the_jpeg_it_is(user, media_root, settings):
    settings.IMAGEREPO_MAX_FRAMES = 1  # its second picture is not a frame
    image = stored(user, upload("portrait.jpg", MPO))
    assert (image.format, image.width, image.height) == ("JPEG", 64, 48)
    assert image.original.name.endswith(".jpg")
    assert stored_bytes(image.original.name) == MPO
    thumbnail = open_stored(image.thumbnail).convert("RGB")
    assert thumbnail.getpixel((50, 40))[0] > 150  # the red first picture
    assert thumbnail.getpixel((16, 24))[2] > 150  # with its blue bar


def test_mpo_is_refused_when_jpeg_is_not_allowed(user, settings, media_root):
    settings.IMAGEREPO_ALLOWED_FORMATS = ["PNG"]
    caught = rejected(user, upload("portrait.jpg", MPO))
    assert caught.code == "unsupported_format"
    assert stored_files() == []


def test_a_damaged_heic_is_named_in_the_error(user):
    data = image_bytes("HEIF", (300, 200))
    error = rejected(user, upload("cut.heic", data[:60]))
    assert error.code == "corrupt_image"
    assert "HEIF" in error.message


def test_insert_images_turns_a_clash_into_a_duplicate_and_keeps_the_rest(user):
    first = stored(user, upload("a.jpg", noisy_jpeg(seed=1)))
    batch = []
    for seed in (1, 2, 3):
        data = noisy_jpeg(seed=seed)
        prepared = prepare_image(upload("x.jpg", data), filename=f"{seed}.jpg")
        image = build_image(prepared, owner=user)
        write_image_files(image, prepared, upload("x.jpg", data))
        batch.append(image)

    results = insert_images(batch)

    assert [r.is_duplicate for r in results] == [True, False, False]
    assert results[0].pk == first.pk
    assert Image.objects.count() == 3
    expected = sorted(n for i in Image.objects.all() for n in i.stored_files())
    assert stored_files() == expected


def test_extension_comes_from_the_detected_format_not_the_name(user):
    image = stored(user, upload("evil.php", image_bytes("PNG")))
    assert image.original.name.endswith(".png")


def test_renditions_are_sized_and_reencoded(user, settings):
    settings.IMAGEREPO_DISPLAY_SIZE = 300
    settings.IMAGEREPO_THUMBNAIL_SIZE = 100
    image = stored(user, upload("big.jpg", noisy_jpeg((900, 600))))

    display, thumb = open_stored(image.display), open_stored(image.thumbnail)
    assert max(display.size) <= 300 and max(display.size) >= 225
    assert thumb.size == (100, 67)
    assert (image.thumbnail_width, image.thumbnail_height) == thumb.size
    assert (image.width, image.height) == (900, 600)


def test_transparent_images_get_webp_renditions(user):
    image = stored(user, upload("a.png", image_bytes("PNG", color=(1, 2, 3, 0))))
    assert image.thumbnail.name.endswith(".webp")
    assert open_stored(image.thumbnail).mode == "RGBA"


def test_exif_orientation_is_applied_and_no_metadata_survives(user):
    exif = exif_with(**{f"tag_{ORIENTATION}": 6, f"tag_{MAKE}": "SpyCam"})
    exif.get_ifd(GPS_INFO)[2] = (51.0, 30.0, 0.0)  # latitude
    data = image_bytes("JPEG", (200, 100), exif=exif)
    assert PILImage.open(io.BytesIO(data)).getexif()[MAKE] == "SpyCam"

    image = stored(user, upload("turned.jpg", data))

    assert (image.width, image.height) == (100, 200)
    for field in (image.thumbnail, image.display):
        rendered = open_stored(field)
        assert rendered.height > rendered.width  # upright
        assert not rendered.getexif()
        assert "exif" not in rendered.info and "xmp" not in rendered.info
        with field.open("rb") as f:
            assert b"SpyCam" not in f.read()


def test_same_bytes_again_return_the_existing_image(user, other_user, media_root):
    data = noisy_jpeg(seed=5)
    first = stored(user, upload("a.jpg", data))
    files = stored_files()

    again = upload_image(owner=user, file=upload("copy of a.jpg", data))
    assert (again.outcome, again.code) == ("duplicate", "duplicate")
    assert (again.name, again.image.pk) == ("copy of a.jpg", first.pk)
    assert again.message == "You already have this photo."
    assert stored_files() == files
    # Another owner's copy is their own image.
    theirs = stored(other_user, upload("a.jpg", data))
    assert theirs.pk != first.pk


@pytest.mark.parametrize(
    ("had", "asked", "code", "now"),
    [
        ("public", "private", "duplicate_now_private", "private"),
        ("private", "public", "duplicate_kept_private", "private"),
        ("private", "private", "duplicate", "private"),
        ("public", "public", "duplicate", "public"),
    ],
)
def test_a_duplicate_never_makes_an_image_more_visible(user, had, asked, code, now):
    data = noisy_jpeg(seed=6)
    first = stored(user, upload("a.jpg", data), visibility=had)
    again = upload_image(owner=user, file=upload("b.jpg", data), visibility=asked)
    assert (again.outcome, again.code) == ("duplicate", code)
    assert again.image.visibility == now
    first.refresh_from_db()
    assert first.visibility == now
    if code != "duplicate":
        assert f"it {'is now' if asked == 'private' else 'stays'} private" in (
            again.message
        )


BAD_FILES = {
    "text renamed .jpg": ("notes.jpg", TEXT, "not_an_image"),
    "zero bytes": ("empty.jpg", b"", "empty"),
    "truncated JPEG": ("cut.jpg", truncated_jpeg(), "corrupt_image"),
    "decompression bomb": (
        "bomb.png",
        png_with_size(40_000, 40_000),
        "too_many_pixels",
    ),
    "SVG with script": ("x.svg", SVG, "unsupported_format"),
    "PDF": ("doc.jpg", PDF, "unsupported_format"),
    "JPEG with a broken header": (
        "bad.jpg",
        b"\xff\xd8\xff\xe0" + TEXT,
        "corrupt_image",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_bad_files_are_rejected_with_a_code_and_leave_nothing(user, media_root, case):
    name, data, code = BAD_FILES[case]
    error = rejected(user, upload(name, data))
    assert error.code == code
    assert error.message
    assert Image.objects.count() == 0
    assert stored_files() == []


def test_limits_come_from_settings(user, settings):
    settings.IMAGEREPO_MAX_UPLOAD_BYTES = 1000
    error = rejected(user, upload("big.jpg", noisy_jpeg()))
    assert error.code == "file_too_large"

    settings.IMAGEREPO_MAX_UPLOAD_BYTES = 10**8
    settings.IMAGEREPO_MAX_IMAGE_PIXELS = 100 * 100
    error = rejected(user, upload("wide.png", image_bytes("PNG", (101, 100))))
    assert error.code == "too_many_pixels"

    settings.IMAGEREPO_MAX_FRAMES = 10
    error = rejected(user, upload("anim.gif", animated_gif(11)))
    assert error.code == "too_many_frames"

    settings.IMAGEREPO_ALLOWED_FORMATS = ["PNG"]
    error = rejected(user, upload("a.jpg", noisy_jpeg()))
    assert error.code == "unsupported_format"
    assert error.message == "JPEG files are not accepted. Upload one of: PNG."


def test_a_failed_row_insert_removes_the_written_files(user, media_root):
    with (
        mock.patch.object(Image, "save", side_effect=IntegrityError("boom")),
        pytest.raises(IntegrityError),
    ):
        stored(user, upload("a.jpg", noisy_jpeg()))
    assert stored_files() == []
    assert stored(user, upload("a.jpg", noisy_jpeg())).pk


class Abandoned(Exception):
    """What a caller's block raises after the upload, rolling it back."""


# The upload service commits on its own: inside a caller's transaction it
# refuses (RuntimeError) before that transaction could roll its rows back
# and leave their files behind.
@pytest.mark.parametrize("batch", [1, 3], ids=["one image", "a batch"])
def test_an_upload_inside_a_transaction_that_rolls_back_leaves_no_file(
    user, media_root, batch
):
    data = [noisy_jpeg((64, 48), seed=n) for n in range(batch)]
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        for n, jpeg in enumerate(data):
            stored(user, upload(f"{n}.jpg", jpeg))
        raise Abandoned
    assert not Image.objects.exists()
    assert stored_files() == []


def test_a_batch_inside_a_transaction_that_rolls_back_leaves_no_file(user, media_root):
    uploads = [upload(f"{n}.jpg", noisy_jpeg((64, 48), seed=n)) for n in range(3)]
    images = []
    for file in uploads:
        prepared = prepare_image(file, filename=file.name)
        image = build_image(prepared, owner=user)
        write_image_files(image, prepared, file)
        images.append(image)
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        insert_images(images)
        raise Abandoned
    assert not Image.objects.exists()
    assert stored_files() == []


def test_a_failed_rendition_write_removes_the_original(user, media_root):
    from django.core.files.storage import default_storage

    real_save = default_storage.save

    def save(name, content, **kwargs):
        if "renditions" in name:
            raise OSError(28, "No space left on device")
        return real_save(name, content, **kwargs)

    with mock.patch.object(default_storage, "save", side_effect=save):
        error = rejected(user, upload("a.jpg", noisy_jpeg()))
    assert error.code == "storage_failed"
    assert "No space left on device" in error.message
    assert stored_files() == []
    assert Image.objects.count() == 0


def test_delete_removes_files_after_commit(
    user, media_root, django_capture_on_commit_callbacks
):
    image = stored(user, upload("a.jpg", noisy_jpeg()))
    assert len(stored_files()) == 3
    with django_capture_on_commit_callbacks(execute=True):
        image_purge(image)
    assert stored_files() == []
    assert Image.objects.count() == 0


def test_delete_rolled_back_keeps_files(user, media_root):
    from django.db import transaction

    image = stored(user, upload("a.jpg", noisy_jpeg()))
    pk = image.pk
    with pytest.raises(RuntimeError), transaction.atomic():
        image_purge(image)
        raise RuntimeError("rollback")
    assert Image.objects.filter(pk=pk).exists()
    assert len(stored_files()) == 3


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\photo.jpg", "photo.jpg"),
        ("bad\x00name.jpg", "badname.jpg"),
        ("gnp\u202e.jpg", "gnp.jpg"),
        ("", "image"),
        ("a" * 300 + ".jpeg", "a" * 250 + ".jpeg"),
        # As a browser sends 'Dad "the boss".jpg', and a name with a newline.
        ("Dad %22the boss%22.jpg", 'Dad "the boss".jpg'),
        ("two%0Alines%0d.jpg", "twolines.jpg"),
        ("50% off %2522.jpg", "50% off %2522.jpg"),
    ],
)
def test_client_file_names_are_cleaned(given, expected):
    assert clean_filename(given) == expected


@pytest.mark.parametrize(
    ("size", "thumbnail"),
    [
        ((900, 600), (100, 67)),  # up to 2:1, the square box
        ((800, 400), (100, 50)),
        ((900, 150), (300, 50)),  # wider: half the size tall
        ((1600, 200), (400, 50)),
        ((1800, 150), (400, 33)),  # at most four times the size wide
    ],
    ids=["3:2", "2:1", "6:1", "8:1", "12:1"],
)
def test_a_panoramas_thumbnail_is_drawn_tall_enough_for_a_row(
    user, settings, size, thumbnail
):
    settings.IMAGEREPO_THUMBNAIL_SIZE = 100
    image = stored(user, upload("wide.jpg", noisy_jpeg(size)))
    assert open_stored(image.thumbnail).size == thumbnail

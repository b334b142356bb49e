"""check_media: after a crash, find files without rows and rows without
files, and move the orphans aside with --fix; with --verify, read every byte
and find damaged files, and with --fix render bad renditions again.

Every file is made, damaged and read through the storage API, so these tests
run on the media folder and, under make test-scale, on the S3 bucket."""

import errno
import io
import uuid
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from PIL import Image as PILImage

from gallery.management.commands.check_media import Command
from gallery.models import Image
from gallery.services.images import image_purge
from gallery.services.ingest import prepare_image

from .conftest import stored_bytes, stored_files
from .images import noisy_jpeg, upload

pytestmark = pytest.mark.django_db

YOUNG_FILES_NOTE = (
    "{} younger than 60 minutes {} left alone: they may be uploads in flight. "
    "Stop the site and run check_media --min-age 0 to include them."
)


USAGE_OUT_OF_STEP = (
    "Storage counted for 1 account is out of step with what they store "
    "(--fix recounts it, with the site stopped)."
)


def run(*args):
    out, err, command = io.StringIO(), io.StringIO(), Command()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue(), command.exit_status


def put(name, data):
    """Replace the stored file ``name`` with ``data``."""
    default_storage.delete(name)
    assert default_storage.save(name, ContentFile(data)) == name


def truncate(name):
    data = stored_bytes(name)
    put(name, data[: len(data) // 2])


def flip_a_bit(name, *, in_header=False):
    """Flip one bit halfway through the file (among a JPEG's compressed
    pixels, where it still decodes), or ``in_header``: the frame's height."""
    data = bytearray(stored_bytes(name))
    at = len(data) // 2
    if in_header:
        at = data.index(b"\xff\xc0") + 5  # SOF0: length, precision, height
    data[at] ^= 0x01
    put(name, bytes(data))


DAMAGE = {"truncated": truncate, "bit-flipped": flip_a_bit, "deleted": None}


def damage(name, how):
    if how == "deleted":
        default_storage.delete(name)
    else:
        DAMAGE[how](name)


def where(image, kind):
    """How the command names a file of ``image`` in its list."""
    name = getattr(image, kind).name
    return f'{name} (image {image.pk} "{image.title}" of {image.owner}, {kind})'


@pytest.fixture
def two_hours_later(monkeypatch):
    """The clock moves on two hours: every stored file is then old enough to
    count (a bucket's modification times cannot be set back)."""
    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)


@pytest.fixture
def crashed(user, make_image):
    """Two good images; the files of one whose row never committed (a crash
    between file write and insert, which leaves its quota reservation
    counted); a row whose display file was lost."""
    make_image(user)
    lost = make_image(user)
    default_storage.delete(lost.display.name)
    ghost = make_image(user)
    ghost_files = ghost.stored_files()
    Image.objects.filter(pk=ghost.pk)._raw_delete(Image.objects.db)  # no signals
    return {"ghost files": sorted(ghost_files), "lost": lost}


# ---------------------------------------------------------------- files and rows


def test_after_a_crash_min_age_0_reports_files_without_rows_and_lost_files(crashed):
    before = stored_files()
    out, err, status = run("--min-age", "0")
    assert out == (
        "8 files and 2 images checked: 3 files without an image, 1 missing file. "
        "--fix renders the 1 bad rendition again. " + USAGE_OUT_OF_STEP
    )
    for name in crashed["ghost files"]:
        assert f"no row    {name}" in err
    assert f"missing   {where(crashed['lost'], 'display')}\n" in err
    assert "younger than" not in err
    assert status == 1
    assert stored_files() == before  # a check changes nothing


def test_young_files_are_left_alone_and_the_command_says_how_to_include_them(
    crashed, request
):
    out, err, status = run()
    assert out == (
        "8 files and 2 images checked: 0 files without an image, 1 missing file, "
        "3 recent files left alone. --fix renders the 1 bad rendition again."
    )
    assert YOUNG_FILES_NOTE.format("3 files", "were") in err
    assert "no row" not in err and status == 1

    request.getfixturevalue("two_hours_later")
    out, err, _ = run()
    assert "3 files without an image, 1 missing file." in out
    assert "younger than" not in err


def test_min_age_0_includes_files_whose_store_clock_runs_ahead(crashed, monkeypatch):
    """A bucket or a file server may stamp files by a clock ahead of ours:
    with the site stopped, every file counts however new it looks."""
    earlier = timezone.now() - timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: earlier)
    out, err, _ = run("--min-age", "0")
    assert "3 files without an image" in out and "younger than" not in err


def test_fix_moves_orphans_aside_and_keeps_their_bytes(crashed):
    ghost = crashed["ghost files"]
    contents = {name: stored_bytes(name) for name in ghost}
    out, _, status = run("--fix", "--min-age", "0")
    folder = out.split(" to ", 1)[1].split("/. ", 1)[0]
    assert folder.startswith("orphans/")
    for name in ghost:
        assert not default_storage.exists(name)
        assert stored_bytes(f"{folder}/{name}") == contents[name]
    # The good images keep every file, and the lost display is made again.
    assert "Rendered 1 rendition again." in out and status == 0
    for image in Image.objects.all():
        assert all(default_storage.exists(n) for n in image.stored_files())

    again, _, status = run("--min-age", "0")
    assert "0 files without an image, 0 missing files." in again and status == 0


def test_a_single_young_file_is_named_in_the_singular(user, make_image):
    make_image(user)
    stray = f"originals/ab/cd/{uuid.uuid4().hex}.jpg"
    put(stray, b"half-way upload")
    out, err, status = run("--fix")
    assert "0 files without an image" in out and "1 recent file left alone" in out
    assert YOUNG_FILES_NOTE.format("1 file", "was") in err
    assert default_storage.exists(stray) and status == 0
    out, err, _ = run("--fix", "--min-age", "0")
    assert "1 file without an image" in out and "younger than" not in err
    assert not default_storage.exists(stray)


def test_a_clean_store_is_reported_clean(user, make_image):
    make_image(user)
    out, err, status = run()
    assert out == (
        "3 files and 1 image checked: 0 files without an image, 0 missing files."
    )
    assert err == "" and status == 0
    out, err, status = run("--verify")
    assert out == (
        "3 files and 1 image checked, every byte read: 0 files without an image, "
        "0 missing files, 0 damaged files."
    )
    assert err == "" and status == 0


@pytest.mark.parametrize("args", [("--min-age", "-1"), ("--jobs", "0")])
def test_bad_arguments_are_refused_with_a_clear_message(args, user, make_image):
    make_image(user)
    before = stored_files()
    with pytest.raises(CommandError, match="must be") as refused:
        run(*args)
    assert refused.value.returncode == 2  # a usage error, not "problems remain"
    assert stored_files() == before


# ---------------------------------------------------------------- --verify


PROBLEMS = {
    ("original", "truncated"): "SHA-256 differs: truncated, ",
    ("original", "bit-flipped"): "SHA-256 differs: same size, bytes changed",
    ("rendition", "truncated"): "cannot be decoded: image file is truncated",
    ("rendition", "bit-flipped"): "SHA-256 differs from the one recorded",
}


@pytest.mark.parametrize("how", DAMAGE)
@pytest.mark.parametrize("kind", ["original", "thumbnail", "display"])
def test_verify_finds_damaged_files_that_the_fast_check_misses(
    kind, how, user, make_image
):
    make_image(user)
    image = make_image(user, title="Harbour")
    damage(getattr(image, kind).name, how)

    out, err, status = run()
    if how == "deleted":
        assert f"missing   {where(image, kind)}\n" in err and status == 1
    else:
        assert err == "" and status == 0  # names only: the damage goes unseen

    out, err, status = run("--verify")
    assert status == 1
    if how == "deleted":
        assert f"missing   {where(image, kind)}\n" in err
        assert "1 missing file, 0 damaged files." in out
        return
    problem = PROBLEMS[("original" if kind == "original" else "rendition", how)]
    line = next(line for line in err.splitlines() if line.startswith("damaged"))
    assert line.startswith(f"damaged   {where(image, kind)}: ")
    assert problem in line
    assert "0 missing files, 1 damaged file." in out
    assert len(err.splitlines()) == 1  # the other image is fine


def test_renditions_made_before_their_hashes_were_recorded_are_decoded(
    user, make_image
):
    """Without a recorded SHA-256 decoding is the only check: a flipped bit
    in the frame header shows, one among the compressed pixels does not."""
    image = make_image(user)
    Image.objects.filter(pk=image.pk).update(thumbnail_sha256="", display_sha256="")
    flip_a_bit(image.display.name, in_header=True)
    flip_a_bit(image.thumbnail.name)
    _, err, status = run("--verify")
    assert status == 1
    assert f"damaged   {where(image, 'display')}: is " in err
    assert "pixels, where the image row says" in err
    assert "thumbnail" not in err


def test_a_rendition_cut_short_by_two_bytes_does_not_decode(user, make_image):
    """Only the end-of-image marker is lost: Pillow still refuses it."""
    image = make_image(user)
    name = image.display.name
    put(name, stored_bytes(name)[:-2])
    _, err, status = run("--verify")
    assert f"damaged   {where(image, 'display')}: cannot be decoded: " in err
    assert status == 1


def test_a_rendition_overwritten_with_something_else_is_reported(user, make_image):
    image = make_image(user)
    put(image.thumbnail.name, b"")
    put(image.display.name, b"<html>not a picture</html>")
    _, err, _ = run("--verify")
    assert f"{where(image, 'thumbnail')}: cannot be decoded: the file is empty" in err
    assert f"{where(image, 'display')}: cannot be decoded: not a JPEG or WebP" in err


def test_verify_reads_the_images_in_the_trash_too(user, make_image):
    image = make_image(user, title="Old boat")
    Image.objects.filter(pk=image.pk).update(trashed_at=timezone.now())
    truncate(image.original.name)
    _, err, status = run("--verify")
    assert f'(image {image.pk} "Old boat" of alice, in the trash, original)' in err
    assert status == 1


def test_verify_lists_twenty_lines_unless_asked_for_more(user, make_image):
    images = [make_image(user) for _ in range(21)]
    for image in images:
        truncate(image.thumbnail.name)
    _, err, status = run("--verify", "--jobs", "2")
    assert err.count("damaged   ") == 20 and "… and 1 more (--verbosity 2)" in err
    _, err, _ = run("--verify", "--verbosity", "2")
    assert err.count("damaged   ") == 21
    assert status == 1


# ---------------------------------------------------------------- --fix


def rendered_from(original_name):
    """The renditions an upload of these original bytes is given."""
    data = stored_bytes(original_name)
    return prepare_image(upload("again.jpg", data), filename="again.jpg")


@pytest.mark.parametrize("how", DAMAGE)
@pytest.mark.parametrize("kind", ["thumbnail", "display"])
def test_fix_renders_a_bad_rendition_again_from_its_original(
    kind, how, user, make_image
):
    image = make_image(user)
    other = "display" if kind == "thumbnail" else "thumbnail"
    untouched = {
        "original": stored_bytes(image.original.name),
        other: stored_bytes(getattr(image, other).name),
    }
    damage(getattr(image, kind).name, how)

    out, err, status = run("--verify", "--fix")
    assert f"fixed     {where(image, kind)}: rendered again from the original" in err
    assert "Rendered 1 rendition again." in out and status == 0

    image.refresh_from_db()
    data = stored_bytes(getattr(image, kind).name)
    assert data == getattr(rendered_from(image.original.name), kind).data
    with PILImage.open(io.BytesIO(data)) as img:
        img.load()
        assert img.size == (
            getattr(image, f"{kind}_width"),
            getattr(image, f"{kind}_height"),
        )
    for name, before in untouched.items():
        assert stored_bytes(getattr(image, name).name) == before
    out, err, status = run("--verify")
    assert err == "" and status == 0


def test_fix_without_verify_renders_missing_renditions(user, make_image):
    image = make_image(user)
    expected = rendered_from(image.original.name)
    for kind in ("thumbnail", "display"):
        default_storage.delete(getattr(image, kind).name)
    out, err, status = run("--fix")
    assert "Rendered 2 renditions again." in out and status == 0
    assert stored_bytes(image.thumbnail.name) == expected.thumbnail.data
    assert stored_bytes(image.display.name) == expected.display.data


@pytest.mark.parametrize("how", ["truncated", "deleted"])
def test_fix_never_touches_a_bad_original_and_lists_it_for_a_backup(
    how, user, make_image
):
    image = make_image(user)
    damage(image.original.name, how)
    default_storage.delete(image.display.name)
    before = stored_files()
    original = stored_bytes(image.original.name) if how != "deleted" else None

    out, err, status = run("--verify", "--fix")
    assert f"{where(image, 'original')}" in err
    assert (
        f"failed    {where(image, 'display')}: not rendered again: its original "
        "is missing or damaged: restore that first"
    ) in err
    assert "1 original must be restored from a backup (listed above)." in out
    assert "1 rendition could not be rendered again (listed above)." in out
    assert status == 1
    assert stored_files() == before
    if original is not None:
        assert stored_bytes(image.original.name) == original


def test_fix_without_verify_still_checks_the_original_before_rendering(
    user, make_image
):
    image = make_image(user)
    flip_a_bit(image.original.name)
    default_storage.delete(image.thumbnail.name)
    before = stored_files()
    out, err, status = run("--fix")
    assert (
        f"failed    {where(image, 'thumbnail')}: not rendered again: The "
        "original file is not the one uploaded (its SHA-256 differs): restore "
        "it from a backup."
    ) in err
    assert "1 rendition could not be rendered again" in out and status == 1
    assert stored_files() == before


def test_fix_says_why_an_original_no_longer_decodes_under_todays_limits(
    user, make_image, settings
):
    image = make_image(user)
    default_storage.delete(image.display.name)
    settings.IMAGEREPO_MAX_IMAGE_PIXELS = 1000
    out, err, status = run("--fix")
    assert (
        f"failed    {where(image, 'display')}: not rendered again: The image "
        "has too many pixels"
    ) in err
    assert status == 1 and not default_storage.exists(image.display.name)


def test_a_rendition_that_cannot_be_stored_is_left_missing_not_half_written(
    user, make_image, monkeypatch
):
    image = make_image(user)
    truncate(image.display.name)

    def disk_full(name, content, **kwargs):
        with default_storage.open(name, "wb") as partial:
            partial.write(content.read(100))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(default_storage, "save", disk_full)
    out, err, status = run("--verify", "--fix")
    monkeypatch.undo()
    assert (
        f"failed    {where(image, 'display')}: not rendered again: The rendition "
        "could not be stored (No space left on device); try again later."
    ) in err
    assert "1 rendition could not be rendered again" in out and status == 1
    assert not default_storage.exists(image.display.name)

    out, _, status = run("--fix")
    assert "Rendered 1 rendition again." in out and status == 0


def test_without_fix_the_summary_says_what_fix_would_do(user, make_image):
    image = make_image(user)
    truncate(image.display.name)
    default_storage.delete(image.thumbnail.name)
    out, _, status = run("--verify")
    assert out.endswith(
        "1 missing file, 1 damaged file. --fix renders the 2 bad renditions again."
    )
    assert status == 1


# ---------------------------------------------------------------- search index


@pytest.mark.db_vendor("sqlite")  # FTS5 keeps its own rowids
def test_search_index_left_out_of_step_by_a_restore_is_reported_and_fixed(
    user, other_user, make_image
):
    from .test_search import renumber_rows_as_a_plain_dump_and_reload_does

    gone = make_image(user, title="Deleted long ago")
    make_image(user, title="Secret diary", visibility="private")
    make_image(other_user, title="Kayak")
    image_purge(gone)  # leaves a gap in the rowids, which a reload closes
    renumber_rows_as_a_plain_dump_and_reload_does()
    out, err, status = run()
    assert "Search index is out of step (--fix rebuilds it)." in out
    assert "search    the index is out of step" in err and status == 1
    out, _, status = run("--fix")
    assert "Search index was out of step: rebuilt." in out and status == 0
    out, _, status = run()
    assert "Search index" not in out and status == 0
    assert not Image.objects.visible_to(None).search("secret").exists()


def test_files_of_a_purge_cut_short_are_not_orphans_and_fix_deletes_them(
    user, make_image, django_capture_on_commit_callbacks
):
    """A purge that died after its commit leaves queued names: check_media
    knows them (not orphans, nothing moved aside) and --fix finishes."""
    from gallery.models import OrphanedFile

    image = make_image(user)
    names = image.stored_files()
    with django_capture_on_commit_callbacks(execute=False):  # dies at commit
        image_purge(image)
    assert OrphanedFile.objects.count() == 3

    out, _, status = run("--min-age", "0")
    assert status == 1
    assert "0 files without an image" in out
    assert "3 files of images deleted for good still to delete" in out

    out, _, status = run("--min-age", "0", "--fix")
    assert status == 0, out
    assert "Deleted 3 files of images deleted for good." in out
    assert not any(default_storage.exists(name) for name in names)
    assert not OrphanedFile.objects.exists()


def test_storage_counters_out_of_step_are_found_and_recounted(user, make_image):
    """A process killed while it held a quota reservation leaves it counted:
    check_media says so and --fix recounts."""
    from gallery.models import Account

    image = make_image(user)
    Account.objects.filter(pk=user.pk).update(images_stored=3, bytes_stored=10**6)

    out, err, status = run("--min-age", "0")
    assert status == 1
    assert "Storage counted for 1 account is out of step" in out
    assert "alice: 3 images (976.6\xa0KB) counted, 1 image (" in err

    out, _, status = run("--min-age", "0", "--fix")
    assert status == 0, out
    assert "recounted" in out
    account = Account.objects.get(pk=user.pk)
    assert (account.images_stored, account.bytes_stored) == (1, image.file_size)
    assert run("--min-age", "0")[2] == 0


def test_fix_records_the_hash_of_what_it_renders_again(user, make_image):
    import hashlib

    image = make_image(user)
    Image.objects.filter(pk=image.pk).update(display_sha256="")
    flip_a_bit(image.display.name, in_header=True)
    _, _, status = run("--verify", "--fix")
    assert status == 0
    image.refresh_from_db()
    stored = stored_bytes(image.display.name)
    assert image.display_sha256 == hashlib.sha256(stored).hexdigest()
    assert run("--verify")[2] == 0


# ---------------------------------------------------------------- outdated sizes


def test_panorama_thumbnails_made_before_they_kept_their_height_are_made_again(
    user, make_image, monkeypatch
):
    from gallery.services import renditions

    with monkeypatch.context() as old_rule:
        # Before panoramas kept half the thumbnail size in height, every
        # thumbnail fitted a square: a 6:1 photo's was a 400 x 67 strip.
        old_rule.setattr(renditions, "THUMBNAIL_WIDEST", 1)
        panorama = make_image(user, data=noisy_jpeg((1800, 300), seed=1))
    photo = make_image(user, data=noisy_jpeg((600, 400), seed=2))
    assert (panorama.thumbnail_width, panorama.thumbnail_height) == (400, 67)
    untouched = {
        name: stored_bytes(name)
        for name in (panorama.original.name, panorama.display.name)
        + tuple(photo.stored_files())
    }

    out, err, status = run("--verify")
    assert status == 1
    assert err == f"outdated  {where(panorama, 'thumbnail')}\n"
    assert out == (
        "6 files and 2 images checked, every byte read: 0 files without an "
        "image, 0 missing files, 0 damaged files, 1 thumbnail made at an older "
        "size (a panorama before it kept its height, or another "
        "IMAGEREPO_THUMBNAIL_SIZE). --fix renders the 1 bad rendition again."
    )

    out, err, status = run("--fix")
    assert status == 0 and "Rendered 1 rendition again." in out
    panorama.refresh_from_db()
    assert (panorama.thumbnail_width, panorama.thumbnail_height) == (1200, 200)
    with PILImage.open(io.BytesIO(stored_bytes(panorama.thumbnail.name))) as img:
        assert img.size == (1200, 200)
    assert {name: stored_bytes(name) for name in untouched} == untouched
    assert run("--verify") == (
        "6 files and 2 images checked, every byte read: 0 files without an "
        "image, 0 missing files, 0 damaged files.",
        "",
        0,
    )


def test_a_changed_thumbnail_size_setting_is_applied_by_fix(user, make_image, settings):
    images = [make_image(user, data=noisy_jpeg((300, 200), seed=n)) for n in (1, 2)]
    assert {(i.thumbnail_width, i.thumbnail_height) for i in images} == {(300, 200)}
    settings.IMAGEREPO_THUMBNAIL_SIZE = 150

    out, _, status = run()
    assert status == 1 and "2 thumbnails made at an older size" in out
    out, _, status = run("--fix")
    assert status == 0 and "Rendered 2 renditions again." in out
    for image in images:
        image.refresh_from_db()
        assert (image.thumbnail_width, image.thumbnail_height) == (150, 100)
    assert run()[2] == 0


@pytest.mark.parametrize(
    "display, thumbnail, outdated",
    [
        ((2048, 1365), (400, 267), False),  # 3:2, as Pillow makes it
        ((2048, 1365), (400, 266), False),  # rounded the other way
        ((2048, 1365), (400, 260), True),
        ((2048, 342), (1198, 200), False),  # 6:1 panorama, today's rule
        ((2048, 342), (400, 67), True),  # the same, square box
        ((2048, 128), (1600, 100), False),  # 16:1: at most four times as wide
        ((96, 64), (96, 64), False),  # smaller than the box: kept as it is
        ((96, 64), (48, 32), True),
    ],
)
def test_thumbnail_outdated(display, thumbnail, outdated):
    from gallery.services.renditions import thumbnail_outdated

    assert thumbnail_outdated(display, thumbnail, 400) is outdated

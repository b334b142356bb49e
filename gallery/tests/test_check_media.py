"""check_media: after a crash, find files without rows and rows without
files, and move the orphans aside with --fix."""

import io
import os
import time
import uuid

import pytest
from django.core.management import call_command

from gallery.management.commands.check_media import Command
from gallery.models import Image
from gallery.services import image_purge

from .conftest import stored_files

pytestmark = pytest.mark.django_db

HOUR = 3600


@pytest.fixture(autouse=True)
def media_on_disk(settings):
    """These tests age files with os.utime, so they use the media folder even
    under make test-scale (test_objectstore checks the bucket)."""
    settings.STORAGES = {**settings.STORAGES, "default": settings.STORAGES["local"]}


def run(*args):
    out, err, command = io.StringIO(), io.StringIO(), Command()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue(), command.exit_status


def age(path, seconds=2 * HOUR):
    past = time.time() - seconds
    os.utime(path, (past, past))


@pytest.fixture
def crashed(user, make_image, media_root):
    """Two good images; the files of one whose row never committed (a crash
    between file write and insert); a row whose display file was lost."""
    make_image(user)
    lost = make_image(user)
    (media_root / lost.display.name).unlink()
    ghost = make_image(user)
    ghost_files = ghost.stored_files()
    Image.objects.filter(pk=ghost.pk)._raw_delete(Image.objects.db)  # no signals
    for path in media_root.rglob("*"):
        if path.is_file():
            age(path)
    return {"ghost files": sorted(ghost_files), "lost": lost}


def test_reports_files_without_rows_and_rows_without_files(crashed, media_root):
    before = stored_files(media_root)
    out, err, status = run()
    assert out == (
        "8 files and 2 images checked, 3 files without an image, 1 missing files."
    )
    for name in crashed["ghost files"]:
        assert f"no row    {name}" in err
    lost = crashed["lost"]
    assert f"missing   {lost.display.name} (image {lost.pk}, display)" in err
    assert status == 1
    assert stored_files(media_root) == before  # a check changes nothing


def test_fix_moves_orphans_aside_and_keeps_their_bytes(crashed, media_root):
    ghost = crashed["ghost files"]
    contents = {name: (media_root / name).read_bytes() for name in ghost}
    out, _, _ = run("--fix")
    folder = out.rsplit(" to ", 1)[1].rstrip("/.")
    assert folder.startswith("orphans/")
    for name in ghost:
        assert not (media_root / name).exists()
        assert (media_root / folder / name).read_bytes() == contents[name]
    # The good images keep every file.
    for image in Image.objects.all():
        for name in image.stored_files():
            if name != crashed["lost"].display.name:
                assert (media_root / name).exists()

    again, _, status = run()
    assert "0 files without an image" in again
    assert status == 1  # the lost display file still needs a person


def test_recent_files_may_be_uploads_in_flight_and_are_left_alone(
    user, make_image, media_root
):
    make_image(user)
    stray = media_root / "originals" / "ab" / "cd" / f"{uuid.uuid4().hex}.jpg"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"half-way upload")
    out, _, status = run("--fix")
    assert "0 files without an image" in out and "1 recent files left alone" in out
    assert stray.exists() and status == 0
    out, _, _ = run("--fix", "--min-age", "0")
    assert "1 files without an image" in out and not stray.exists()


def test_a_clean_store_is_reported_clean(user, make_image):
    make_image(user)
    out, err, status = run()
    assert (
        out
        == "3 files and 1 images checked, 0 files without an image, 0 missing files."
    )
    assert err == "" and status == 0


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

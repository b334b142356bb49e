import hashlib
import io
import itertools
import json
import os
import pty
import select
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from gallery.importing import tasks, walk
from gallery.management.commands.import_images import Command
from gallery.models import Image

from .conftest import stored_files
from .images import TEXT, image_bytes, noisy_jpeg

pytestmark = pytest.mark.django_db

GOOD_TITLES = ["a", "b", "c", "d", "phone"]


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def run(*args, stderr=None, **kwargs):
    """Run import_images in-process; returns (stdout, stderr, exit status)."""
    command = Command()
    out, err = io.StringIO(), stderr or io.StringIO()
    if "--workers" not in args and "workers" not in kwargs:
        # As an argument, not a keyword: call_command lets keywords override
        # the arguments, so a default keyword would beat a test's "--workers 1".
        args = (*args, "--workers", "2")
    call_command(command, *args, stdout=out, stderr=err, **kwargs)
    # A real stream (a terminal) is read by the test itself.
    screen = err.getvalue() if isinstance(err, io.StringIO) else None
    return out.getvalue(), screen, command.exit_status


def read_report(path):
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    return {line["path"].rsplit("photos/", 1)[1]: line for line in lines}


def assert_every_row_has_its_files_and_no_more(media_root):
    expected = sorted(n for i in Image.objects.all() for n in i.stored_files())
    assert stored_files() == expected


def test_import_a_tree(photo_tree, user, media_root, tmp_path):
    report = tmp_path / "report.jsonl"
    out, err, status = run(
        str(photo_tree),
        "--owner",
        user.username,
        "--private",
        "--description",
        "Trip",
        "--report",
        str(report),
    )

    assert out.strip().endswith("5 imported, 1 duplicates, 4 rejected.")
    assert status == 1
    images = Image.objects.all()
    # Same bytes twice: whichever copy was hashed first is imported.
    titles = sorted(i.title.replace("b again", "b") for i in images)
    assert titles == GOOD_TITLES
    assert {(i.owner, i.visibility, i.description) for i in images} == {
        (user, "private", "Trip")
    }
    assert len(stored_files()) == 5 * 3
    assert_every_row_has_its_files_and_no_more(media_root)

    lines = read_report(report)
    assert len(lines) == 10 and ".hidden.jpg" not in lines
    ids = {str(i.pk): i.title for i in images}
    assert ids[lines["2023/a.jpg"]["image_id"]] == "a"
    b_lines = [lines["2023/summer/b.jpg"], lines["2024/b again.jpg"]]
    assert sorted(line["outcome"] for line in b_lines) == ["duplicate", "imported"]
    assert len({line["image_id"] for line in b_lines}) == 1
    assert lines["2024/notes.jpg"]["code"] == "not_an_image"
    assert lines["2024/broken.jpg"]["code"] == "corrupt_image"
    assert lines["2024/bomb.png"]["code"] == "too_many_pixels"
    assert "SVG files are not accepted" in lines["2024/logo.svg"]["reason"]
    assert "SVG files are not accepted" in err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
def test_a_report_that_cannot_be_written_stops_the_run_with_a_message(photo_tree, user):
    # /dev/full opens, then refuses every write: a disk that filled up.
    with pytest.raises(
        CommandError, match="the report /dev/full could not be written"
    ) as error:
        run(str(photo_tree), "--owner", user.username, "--report", "/dev/full")
    assert error.value.returncode == 74  # not 1: no file was rejected
    # Whatever went in is whole: every row has its files, every file its row.
    kept = [name for image in Image.objects.all() for name in image.stored_files()]
    assert sorted(kept) == stored_files()


def test_a_name_in_another_encoding_is_imported_and_reported(
    tmp_path, user, media_root
):
    # Latin-1 "café": not UTF-8, so Python names the file with a lone
    # surrogate, which the report (UTF-8) could not write.
    photos = tmp_path / "photos"
    photos.mkdir()
    name = b"caf\xe9.jpg"
    Path(os.fsdecode(os.fsencode(photos) + b"/" + name)).write_bytes(
        noisy_jpeg((40, 30), seed=9)
    )
    report = tmp_path / "report.jsonl"
    out, _, status = run(str(photos), "--owner", user.username, "--report", str(report))
    assert status == 0 and out.strip().endswith("1 imported, 0 duplicates, 0 rejected.")
    [line] = [json.loads(text) for text in report.read_text("utf-8").splitlines()]
    assert line["outcome"] == "imported"
    assert os.fsencode(line["path"]).endswith(b"/" + name)  # the file's own bytes
    # Its line, to a strict UTF-8 stream (a log, cron's mail): an escape.
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    call_command(
        Command(), str(photos), "--owner", user.username, "-v", "2", stdout=out
    )
    out.flush()
    assert b"duplicate    " in out.buffer.getvalue()
    assert b"/caf\\xe9.jpg" in out.buffer.getvalue()


def test_import_twice_adds_nothing(photo_tree, user, media_root):
    run(str(photo_tree), "--owner", user.username)
    files = stored_files()
    out, _, status = run(str(photo_tree), "--owner", user.username, "--workers", "1")
    assert out.strip().endswith("0 imported, 6 duplicates, 4 rejected.")
    assert Image.objects.count() == 5
    assert stored_files() == files
    assert status == 1


def test_importing_again_as_private_makes_public_copies_private(
    tmp_path, user, media_root
):
    (tmp_path / "a.jpg").write_bytes(noisy_jpeg((40, 30), seed=1))
    (tmp_path / "b.jpg").write_bytes(noisy_jpeg((40, 30), seed=2))
    run(str(tmp_path), "--owner", user.username, "--public")
    report = tmp_path / "report.jsonl"
    out, _, status = run(
        str(tmp_path / "a.jpg"),
        "--owner",
        user.username,
        "--private",
        "--verbosity",
        "2",
        "--report",
        str(report),
    )
    assert status == 0
    assert "a.jpg" in out and "it is now private" in out
    [line] = [json.loads(text) for text in report.read_text().splitlines()]
    assert (line["outcome"], line["code"]) == ("duplicate", "duplicate_now_private")
    visibility = dict(Image.objects.values_list("title", "visibility"))
    assert visibility == {"a": "private", "b": "public"}
    # Asked public again, nothing turns public.
    out, _, _ = run(
        str(tmp_path), "--owner", user.username, "--public", "--verbosity", "2"
    )
    assert "it stays private" in out
    assert dict(Image.objects.values_list("title", "visibility")) == visibility


def test_files_beside_photos_that_are_no_photos_are_left_out(tmp_path, user):
    """A photo export: a sidecar per photo, a video, notes. None is a failure."""
    export = tmp_path / "export"
    export.mkdir()
    (export / "IMG_0001.jpg").write_bytes(noisy_jpeg((40, 30), seed=1))
    (export / "IMG_0001.jpg.json").write_bytes(b'{"title": "IMG_0001.jpg"}')
    (export / "IMG_0002.MOV").write_bytes(b"\x00\x00\x00\x14ftypqt  ")
    (export / "notes.txt").write_bytes(TEXT)
    report = tmp_path / "report.jsonl"
    out, _, status = run(
        str(export),
        "--owner",
        user.username,
        "--verbosity",
        "2",
        "--report",
        str(report),
    )
    assert out.strip().endswith(
        "1 imported, 0 duplicates, 0 rejected, 3 skipped (not photos)."
    )
    assert status == 0
    assert "IMG_0002.MOV: Not a photo (.mov): left out." in out
    lines = [json.loads(line) for line in report.read_text().splitlines()]
    skipped = sorted(
        Path(line["path"]).name for line in lines if line["outcome"] == "skipped"
    )
    assert skipped == ["IMG_0001.jpg.json", "IMG_0002.MOV", "notes.txt"]
    assert {line["code"] for line in lines if line["outcome"] == "skipped"} == {
        "not_a_photo"
    }
    assert Image.objects.count() == 1


def test_all_good_exits_zero_and_small_batches_work(tmp_path, user, media_root):
    for i in range(7):
        (tmp_path / f"{i}.jpg").write_bytes(noisy_jpeg((40, 30), seed=i))
    out, _, status = run(str(tmp_path), "--owner", user.username, "--batch-size", "2")
    assert out.strip().endswith("7 imported, 0 duplicates, 0 rejected.")
    assert status == 0
    assert Image.objects.count() == 7
    assert_every_row_has_its_files_and_no_more(media_root)


def test_dry_run_writes_nothing(photo_tree, user, media_root, tmp_path):
    report = tmp_path / "report.jsonl"
    out, _, status = run(
        str(photo_tree), "--owner", user.username, "--dry-run", "--report", str(report)
    )
    assert out.strip().endswith("5 would import, 1 duplicates, 4 rejected.")
    assert status == 1
    assert not Image.objects.exists()
    assert stored_files() == []
    assert read_report(report)["2023/a.jpg"]["outcome"] == "would import"


def test_dry_run_counts_a_copy_seen_long_after_the_first_as_a_duplicate(user, tmp_path):
    # A dry run stores no row for the first copy, so it must remember the
    # bytes itself. One worker runs tasks in order: the first copy is long
    # done by the time the second, in the next root, is even hashed.
    first, later = tmp_path / "photos" / "first", tmp_path / "photos" / "later"
    first.mkdir(parents=True)
    later.mkdir()
    (first / "a.jpg").write_bytes(noisy_jpeg(seed=1))
    for n in range(40):
        (first / f"other-{n}.png").write_bytes(image_bytes("PNG", (8 + n, 8)))
    (later / "a copy.jpg").write_bytes(noisy_jpeg(seed=1))
    report = tmp_path / "report.jsonl"
    out, _, status = run(
        str(first),
        str(later),
        "--owner",
        user.username,
        "--dry-run",
        "--workers",
        "1",
        "--report",
        str(report),
    )
    assert out.strip().endswith("41 would import, 1 duplicates, 0 rejected.")
    assert status == 0
    assert read_report(report)["later/a copy.jpg"]["outcome"] == "duplicate"


def test_manifest_gives_per_file_metadata(photo_tree, user, tmp_path):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "path,title,description,visibility\n"
        "2023/a.jpg,Beach at dawn,First light,private\n"
        f"{photo_tree}/2024/c.png,,Only a description,\n"
        "2024/nowhere.jpg,Lost,,public\n",
        encoding="utf-8",
    )
    out, err, _ = run(
        str(photo_tree),
        "--owner",
        user.username,
        "--manifest",
        str(manifest),
        "--description",
        "Default words",
    )
    rows = {i.original_filename: i for i in Image.objects.all()}
    a, c, d = rows["a.jpg"], rows["c.png"], rows["d.gif"]
    assert (a.title, a.description, a.visibility) == (
        "Beach at dawn",
        "First light",
        "private",
    )
    # Rows that say nothing of visibility take the command's: private.
    assert (c.title, c.description, c.visibility) == (
        "c",
        "Only a description",
        "private",
    )
    assert (d.title, d.description, d.visibility) == ("d", "Default words", "private")
    assert "1 manifest row(s) matched no file." in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,title\nx.jpg,X\n", "has no 'path' column"),
        ("path,titel\nx.jpg,X\n", "unknown columns: titel"),
        ("path,visibility\nx.jpg,secret\n", "line 2: visibility must be public"),
        ("path,title\nx.jpg,a\x00b\n", "line 2: the title holds a NUL character"),
    ],
)
def test_a_bad_manifest_is_a_usage_error(photo_tree, user, tmp_path, content, message):
    manifest = tmp_path / "m.csv"
    manifest.write_text(content)
    with pytest.raises(CommandError, match=message) as error:
        run(str(photo_tree), "--owner", user.username, "--manifest", str(manifest))
    assert error.value.returncode == 2
    assert not Image.objects.exists()


def test_title_from_path(photo_tree, user):
    run(str(photo_tree / "2023"), "--owner", user.username, "--title-from", "path")
    assert sorted(Image.objects.values_list("title", flat=True)) == ["a", "summer/b"]


def test_public_is_the_default_and_can_be_said(photo_tree, user):
    run(str(photo_tree / "2023" / "a.jpg"), "--owner", user.username, "--public")
    assert Image.objects.get().visibility == "public"


def test_plain_output_has_one_line_per_file(photo_tree, user):
    out, err, _ = run(str(photo_tree), "--owner", user.username)
    lines = out.strip().splitlines()
    assert sum(line.startswith("imported ") for line in lines) == 5
    assert sum(line.startswith("duplicate ") for line in lines) == 1
    assert err.count("rejected ") == 4 and "broken.jpg: The image is damaged" in err
    assert lines[-1] == "5 imported, 1 duplicates, 4 rejected."


def test_verbosity_0_prints_only_the_summary(photo_tree, user):
    out, err, _ = run(str(photo_tree), "--owner", user.username, verbosity=0)
    assert out == "5 imported, 1 duplicates, 4 rejected.\n"
    assert err == ""


def test_terminal_gets_a_progress_bar(photo_tree, user):
    terminal = FakeTerminal()
    out, screen, _ = run(str(photo_tree), "--owner", user.username, stderr=terminal)
    assert out == "5 imported, 1 duplicates, 4 rejected.\n"
    assert "Importing" in screen and " files/s" in screen
    assert "imported=5 duplicates=1 rejected=4" in screen
    assert "\r" in screen  # redrawn in place, not printed line by line
    # The second walk counted the files, so the bar has a total (and an ETA).
    assert "10/10" in screen
    assert "rejected  " in screen and "notes.jpg: This file is not an image" in screen


def test_a_terminal_that_says_it_has_no_width_still_gets_a_bar(photo_tree, user):
    # A new pseudo-terminal is 0 columns wide until someone sizes it (as
    # under `script`): tqdm fitted the bar into 0 columns and drew nothing.
    main, side = pty.openpty()
    assert os.get_terminal_size(side).columns == 0
    with os.fdopen(side, "w") as terminal:
        out, _, _ = run(str(photo_tree), "--owner", user.username, stderr=terminal)
    screen = b""
    while select.select([main], [], [], 0)[0]:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the other side is closed and everything read
            break
        if not chunk:
            break
        screen += chunk
    os.close(main)
    assert out == "5 imported, 1 duplicates, 4 rejected.\n"
    assert b"Importing" in screen and b"10/10" in screen and b" files/s" in screen


def test_verbosity_2_on_a_terminal_prints_lines_not_a_bar(photo_tree, user):
    out, screen, _ = run(
        str(photo_tree), "--owner", user.username, stderr=FakeTerminal(), verbosity=2
    )
    assert out.count("imported ") == 5 and "Importing" not in screen


def test_unreadable_and_vanished_files_are_rejected_with_a_reason(
    tmp_path, user, media_root
):
    root = tmp_path / "photos"
    root.mkdir()
    for name in ("ok.jpg", "secret.jpg", "gone.jpg"):
        (root / name).write_bytes(noisy_jpeg((40, 30), seed=len(name)))
    real_open, real_walk = tasks.open_source, walk.iter_files

    def open_source(path):
        # Tests run as root, who can read a chmod 000 file: say no like the OS.
        if path.name == "secret.jpg":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path)

    def iter_files(roots, skip):
        for found in real_walk(roots, skip):
            if found.path.name == "gone.jpg":
                found.path.unlink()  # deleted after the walk saw it
            yield found

    report = tmp_path / "r.jsonl"
    with (
        mock.patch.object(tasks, "open_source", open_source),
        mock.patch("gallery.importing.pipeline.iter_files", iter_files),
    ):
        out, err, status = run(
            str(root), "--owner", user.username, "--report", str(report)
        )
    assert out.strip().endswith("1 imported, 0 duplicates, 2 rejected.")
    assert status == 1
    codes = {
        json.loads(line)["path"].rsplit("/", 1)[1]: json.loads(line)["code"]
        for line in report.read_text().splitlines()
    }
    assert codes == {"ok.jpg": None, "secret.jpg": "unreadable", "gone.jpg": "vanished"}
    assert "secret.jpg: Permission denied" in err
    assert "gone.jpg: The file disappeared" in err


class OpenLog:
    """The opens of files by an import's worker processes, kept in a folder
    (outside the imported tree) because each worker has its own copy of the
    test's memory: a list would only count the opens of one process."""

    def __init__(self, folder):
        self.folder = folder
        folder.mkdir()

    def record(self, path):
        """Log an open of ``path`` by this process; returns how many opens of
        ``path`` there have been, this one included."""
        key = hashlib.sha256(str(path).encode()).hexdigest()[:16]
        for count in itertools.count(1):
            if self._create(f"{key}.{count}", os.getpid()):
                return count

    def refuse_once(self, path):
        """True for the first path offered, in whichever process; then False."""
        return self._create("refused", path)

    def refused(self):
        return Path((self.folder / "refused").read_text())

    def pids(self):
        return {entry.read_text() for entry in self.folder.glob("*.*")}

    def _create(self, name, content):
        try:  # O_EXCL: of two processes creating the same name, one wins
            fd = os.open(self.folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w") as handle:
            handle.write(str(content))
        return True


# With two workers, a copy may be hashed by one process and decoded by the other.
@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_unreadable_copy_does_not_hide_a_readable_one(
    tmp_path, user, media_root, workers
):
    root, data = tmp_path / "photos", noisy_jpeg((40, 30), seed=4)
    copies = [root / "a" / "copy.jpg", root / "b" / "copy.jpg"]
    for copy in copies:
        copy.parent.mkdir(parents=True)
        copy.write_bytes(data)
    opens, real_open = OpenLog(tmp_path / "opens"), tasks.open_source

    def open_source(path):
        # Whichever copy is opened a second time first (to be decoded, after
        # its hash claimed the bytes) cannot be read any more.
        if opens.record(path) > 1 and opens.refuse_once(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path)

    with mock.patch.object(tasks, "open_source", open_source):
        out, err, status = run(
            str(root), "--owner", user.username, "--workers", workers
        )
    (kept,) = [copy for copy in copies if copy != opens.refused()]
    assert out.strip().endswith("1 imported, 0 duplicates, 1 rejected."), err
    assert status == 1
    assert f"{opens.refused()}: Permission denied" in err
    image = Image.objects.get()
    assert f"imported     {kept} ({image.pk})" in out
    assert_every_row_has_its_files_and_no_more(media_root)
    # "--workers 1" is one process (run() once let a default of 2 override it,
    # and this test, then keeping its log in one process's memory, flaked).
    assert 1 <= len(opens.pids()) <= int(workers)


def test_symlinks_are_not_followed(tmp_path, user):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.jpg").write_bytes(noisy_jpeg(seed=9))
    root = tmp_path / "photos"
    root.mkdir()
    (root / "link.jpg").symlink_to(outside / "secret.jpg")
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    report = tmp_path / "report.jsonl"
    out, _, status = run(str(root), "--owner", user.username, "--report", str(report))
    assert out.strip().endswith(
        "0 imported, 0 duplicates, 0 rejected, 2 skipped (links)."
    )
    assert status == 0 and not Image.objects.exists()
    # Each named, with what to do: a linked folder is not left out unsaid.
    lines = read_report(report)
    for name in ("link.jpg", "linkdir"):
        assert (lines[name]["outcome"], lines[name]["code"]) == ("skipped", "symlink")
        assert "import what it points to by its path" in lines[name]["reason"]


def test_the_media_store_inside_an_imported_folder_is_not_walked(
    tmp_path, user, media_root
):
    # MEDIA_ROOT (and the journal) live in tmp_path: importing all of it
    # would otherwise take in the renditions it is writing, without end.
    (tmp_path / "photo.jpg").write_bytes(noisy_jpeg((40, 30), seed=1))
    run(str(tmp_path), "--owner", user.username)
    out, _, _ = run(str(tmp_path), "--owner", user.username)
    assert out.strip().endswith("0 imported, 1 duplicates, 0 rejected.")
    assert Image.objects.count() == 1


def test_missing_owner_is_a_usage_error(photo_tree):
    with pytest.raises(CommandError, match="No account named 'nobody'") as error:
        run(str(photo_tree), "--owner", "nobody")
    assert error.value.returncode == 2


def test_a_switched_off_owner_is_a_usage_error(photo_tree, user):
    user.is_active = False
    user.save()
    with pytest.raises(
        CommandError, match="is switched off .*takes no images"
    ) as error:
        run(str(photo_tree), "--owner", user.username)
    assert error.value.returncode == 2 and not Image.objects.exists()


def test_missing_path_is_a_usage_error(tmp_path, user):
    with pytest.raises(CommandError, match="No such file or folder") as error:
        run(str(tmp_path / "nope"), "--owner", user.username)
    assert error.value.returncode == 2


@pytest.mark.parametrize(
    "args",
    [
        ["--workers", "0"],
        ["--workers", "100000"],  # not a fork bomb
        ["--batch-size", "x"],
        ["--private", "--public"],
    ],
)
def test_bad_options_are_usage_errors(photo_tree, user, args):
    with pytest.raises(CommandError):
        run(str(photo_tree), "--owner", user.username, *args)
    assert not Image.objects.exists()

"""import_images killed part-way, then run again: every good file once, no
file without a row, no row without its files. Also the real exit statuses."""

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import OperationalError

from gallery.importing import journal, tasks
from gallery.management.commands.import_images import Command
from gallery.models import Account, Image
from gallery.services.ingest import prepare_image
from gallery.services.quotas import reserve
from gallery.services.storing import build_image, write_image_files

from .conftest import stored_files
from .images import TEXT, noisy_jpeg, truncated_jpeg

MANAGE = Path(settings.BASE_DIR, "manage.py")


def make_tree(root, count, size=(64, 48)):
    """``count`` distinct JPEGs (one copied twice) and two bad files."""
    root.mkdir()
    for i in range(count):
        folder = root / f"roll{i % 3}"
        folder.mkdir(exist_ok=True)
        (folder / f"img{i:03}.jpg").write_bytes(noisy_jpeg(size, seed=i))
    (root / "copy of img000.jpg").write_bytes(
        (root / "roll0" / "img000.jpg").read_bytes()
    )
    (root / "readme.jpg").write_bytes(TEXT)  # text, named as a photo
    (root / "cut.jpg").write_bytes(truncated_jpeg())
    return root


# ---------------------------------------------------------------- in-process


def write_as_a_worker_does(source, owner, worker_journal):
    """An image's files written and journaled, its row not (yet) inserted."""
    with open(source, "rb") as handle:
        prepared = prepare_image(handle, filename=source.name)
        image = build_image(prepared, owner=owner)
        write_image_files(image, prepared, handle, journal=worker_journal)
    return image


@pytest.mark.django_db
def test_files_left_by_a_dead_run_are_removed_by_the_next(tmp_path, user, media_root):
    tree = make_tree(tmp_path / "photos", 4)
    # A "dead" run: its worker noted and wrote an image's files, then died
    # before the batch with the row was committed.
    dead = journal.Journal()
    image = write_as_a_worker_does(tree / "roll1" / "img001.jpg", user, dead)
    dead.close()
    orphans = image.stored_files()
    assert all(default_storage.exists(name) for name in orphans)

    call_command("import_images", str(tree), "--owner", user.username, verbosity=0)

    assert not any(default_storage.exists(name) for name in orphans)
    assert Image.objects.count() == 4
    expected = sorted(n for i in Image.objects.all() for n in i.stored_files())
    assert stored_files() == expected
    assert list(journal.journal_dir().iterdir()) == []


@pytest.mark.django_db
def test_a_live_runs_journal_is_left_alone(tmp_path, user, media_root):
    tree = make_tree(tmp_path / "photos", 1)
    live = journal.Journal()
    image = write_as_a_worker_does(tree / "roll0" / "img000.jpg", user, live)

    assert journal.sweep() == 0
    assert all(default_storage.exists(n) for n in image.stored_files())

    live.close()
    assert journal.sweep() == 3
    assert stored_files() == []


def counters(user):
    account = Account.objects.get(user=user)
    return account.images_stored, account.bytes_stored


def dead_quota_journal(owner, held):
    """A killed run's quota journal: ``held`` {key: size} never settled."""
    dead = journal.QuotaJournal(owner)
    for key, size in held.items():
        dead.held(key, size)
    dead.held("c" * 64, 5)
    dead.settled("c" * 64)
    dead._file.close()  # the lock goes with the process, the file stays
    return dead.path


@pytest.mark.django_db
def test_room_a_dead_run_held_is_given_back_once(user, media_root, monkeypatch):
    reserve(user, size=10_000, images=10)
    path = dead_quota_journal(user, {"a" * 64: 1000, "b" * 64: 2000})
    real_open = open

    def open_and_race(file, *args, **kwargs):
        handle = real_open(file, *args, **kwargs)
        if Path(file) == path and not racing:
            # Another import's sweep runs through between this one's open()
            # and its lock: two imports started together.
            racing.append("started")
            racing.append(journal.sweep())
        return handle

    racing = []
    monkeypatch.setattr("builtins.open", open_and_race)
    journal.sweep()
    assert racing == ["started", 0] and not path.exists()
    assert counters(user) == (8, 7000)
    journal.sweep()
    assert counters(user) == (8, 7000)


@pytest.mark.django_db
def test_a_damaged_quota_journal_gives_back_what_it_can_read(user, media_root):
    reserve(user, size=10_000, images=10)
    path = dead_quota_journal(user, {"a" * 64: 1000})
    with path.open("ab") as damaged:
        damaged.write(
            b"+\t" + b"d" * 64 + b"\tlots\nowner\tnobody\ngarbage\n\n"
            b"+\te\t\xc2\xb2\n"  # a superscript two: a digit to isdigit()
            b"+\tf\t" + b"9" * 30 + b"\nowner\t" + b"9" * 30 + b"\n"
            b"+\tg\t\xff\xfe12\n"  # not UTF-8
        )
    journal.sweep()
    assert not path.exists() and counters(user) == (9, 9000)


@pytest.mark.django_db
@pytest.mark.parametrize("stop", ["release", "unlink"])
def test_a_sweep_stopped_half_way_gives_the_room_back_once(
    user, media_root, monkeypatch, stop
):
    reserve(user, size=10_000, images=10)
    path = dead_quota_journal(user, {"a" * 64: 1000})

    def stopped(*args, **kwargs):
        raise OperationalError("database is locked")

    with monkeypatch.context() as patched:
        if stop == "release":
            patched.setattr(journal, "release", stopped)
        else:  # given back in the database, the journal still there
            patched.setattr(type(path), "unlink", stopped)
        with pytest.raises(OperationalError):
            journal.sweep()
    assert path.exists() and counters(user) == (10, 10_000)
    journal.sweep()
    assert not path.exists() and counters(user) == (9, 9000)


def run_import(tree, owner, report):
    command, out = Command(), io.StringIO()
    call_command(
        command,
        str(tree),
        "--owner",
        owner.username,
        "--report",
        str(report),
        "--workers",
        "2",
        stdout=out,
        stderr=io.StringIO(),
    )
    lines = {Path(line["path"]).name: line for line in report_lines(report)}
    return out.getvalue().strip().splitlines()[-1], lines, command.exit_status


@pytest.mark.django_db
def test_a_worker_raising_part_way_then_run_again(tmp_path, user, media_root):
    """A bug (not a bad file) in a worker, after it wrote an image's files:
    that file is reported, the run goes on, and its files do not outlive it.
    Fixed and run again, every good file is there exactly once."""
    tree = make_tree(tmp_path / "photos", 6)
    real_write = tasks.write_image_files

    def write_then_fail(image, prepared, handle, **kwargs):
        real_write(image, prepared, handle, **kwargs)
        if Path(handle.name).name == "img002.jpg":
            raise RuntimeError("a bug after the files were written")

    # The workers are forked inside the block: they inherit the patch.
    with mock.patch.object(tasks, "write_image_files", write_then_fail):
        summary, lines, status = run_import(tree, user, tmp_path / "first.jsonl")

    assert summary == "5 imported, 1 duplicates, 3 rejected."
    assert status == 1
    assert (lines["img002.jpg"]["outcome"], lines["img002.jpg"]["code"]) == (
        "rejected",
        "error",
    )
    assert "a bug after the files were written" in lines["img002.jpg"]["reason"]
    assert Image.objects.count() == 5
    expected = sorted(n for i in Image.objects.all() for n in i.stored_files())
    assert stored_files() == expected  # the failed image's files are gone
    assert list(journal.journal_dir().iterdir()) == []

    summary, lines, status = run_import(tree, user, tmp_path / "second.jsonl")
    assert summary == "1 imported, 6 duplicates, 2 rejected."
    assert lines["img002.jpg"]["outcome"] == "imported"
    assert Image.objects.count() == 6
    assert len({i.sha256 for i in Image.objects.all()}) == 6
    expected = sorted(n for i in Image.objects.all() for n in i.stored_files())
    assert stored_files() == expected
    assert list(journal.journal_dir().iterdir()) == []


# ---------------------------------------------------------------- real processes


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory):
    """A migrated SQLite file with user alice, copied by each test."""
    folder = tmp_path_factory.mktemp("template")
    env = cli_env(folder)
    manage(env, "migrate", "--noinput", "-v0")
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        "User.objects.create_user('alice')",
    )
    return folder / "db.sqlite3"


@pytest.fixture
def cli(tmp_path, migrated_db):
    env = cli_env(tmp_path)
    (tmp_path / "db.sqlite3").write_bytes(migrated_db.read_bytes())
    return env


def cli_env(folder):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "imagerepo.settings.test",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "MEDIA_STORAGE": "local",  # a site of its own on disk, even in test-scale
        "MEDIA_ROOT": str(folder / "media"),
        "IMAGEREPO_IMPORT_JOURNAL_DIR": str(folder / "journal"),
    }


def manage(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, str(MANAGE), *args],
        env=env,
        capture_output=True,
        text=True,
        check=kwargs.pop("check", True),
        **kwargs,
    )


def import_command(tree, report, *options):
    return [
        sys.executable,
        str(MANAGE),
        "import_images",
        str(tree),
        "--owner",
        "alice",
        "--report",
        str(report),
        *options,
    ]


def report_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def wait_for_lines(path, count, process, limit=120):
    # A bound on waiting, not a timing assertion: the test fails only if the
    # import never gets that far.
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and process.poll() is None:
        if path.exists() and len(report_lines(path)) >= count:
            return
        time.sleep(0.01)
    pytest.fail("the import finished or stalled before it could be killed")


def row_files(env):
    folder = Path(env["MEDIA_ROOT"]).parent
    with sqlite3.connect(folder / "db.sqlite3") as db:
        rows = db.execute("SELECT original, display, thumbnail FROM gallery_image")
        return sorted(name for row in rows for name in row)


def assert_store_is_consistent(env):
    """Every row has its three files, every file belongs to a row, no journal."""
    media, folder = Path(env["MEDIA_ROOT"]), Path(env["MEDIA_ROOT"]).parent
    assert stored_files(media) == row_files(env)
    with sqlite3.connect(folder / "db.sqlite3") as db:
        shas = db.execute("SELECT count(*), count(DISTINCT sha256) FROM gallery_image")
        total, distinct = shas.fetchone()
    assert total == distinct
    assert list((folder / "journal").glob("*")) == []
    return total


def test_kill_9_part_way_then_run_again(cli, tmp_path):
    good = 60
    tree = make_tree(tmp_path / "photos", good, size=(320, 240))
    first = tmp_path / "first.jsonl"
    process = subprocess.Popen(
        import_command(tree, first, "--workers", "2", "--batch-size", "4"),
        env=cli,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_lines(first, 8, process)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    print(
        "left behind:", len(stored_files(Path(cli["MEDIA_ROOT"]))) - len(row_files(cli))
    )
    before = {
        line["path"] for line in report_lines(first) if line["outcome"] == "imported"
    }
    assert 0 < len(before) < good

    second = tmp_path / "second.jsonl"
    rerun = subprocess.run(
        import_command(tree, second), env=cli, capture_output=True, text=True
    )

    lines = {line["path"]: line for line in report_lines(second)}
    after = {path for path, line in lines.items() if line["outcome"] == "imported"}
    again = {path for path, line in lines.items() if line["outcome"] == "duplicate"}
    assert before.isdisjoint(after) and before <= again
    # Every good file once, the copy of img000 included: whichever of the
    # two comes first is imported (unless the first run did), the other is a
    # duplicate of it.
    assert len(after) + len(again) == good + 1
    # The kill may fall between a batch's commit and its report lines: those
    # rows are in, unreported, and come back as duplicates (at most a batch).
    assert len(again - before) <= 1 + 4
    assert rerun.returncode == 1  # the two bad files
    assert rerun.stdout.strip().endswith(
        f"{len(after)} imported, {len(again)} duplicates, 2 rejected."
    )
    assert assert_store_is_consistent(cli) == good
    # The room the killed run held for files in flight was given back.
    folder = Path(cli["MEDIA_ROOT"]).parent
    with sqlite3.connect(folder / "db.sqlite3") as db:
        counted = db.execute(
            "SELECT images_stored, bytes_stored FROM gallery_account"
        ).fetchall()
        stored = db.execute(
            "SELECT count(*), sum(file_size) FROM gallery_image"
        ).fetchall()
    assert counted == stored


def test_exit_statuses(cli, tmp_path):
    tree = make_tree(tmp_path / "photos", 3)
    report = tmp_path / "r.jsonl"
    assert subprocess.run(import_command(tree, report), env=cli).returncode == 1
    good_only = tree / "roll0"
    assert subprocess.run(import_command(good_only, report), env=cli).returncode == 0
    assert report_lines(report)[0]["outcome"] == "duplicate"

    no_user = manage(cli, "import_images", str(tree), "--owner", "nobody", check=False)
    assert no_user.returncode == 2 and "No account named 'nobody'" in no_user.stderr
    bad_option = manage(
        cli,
        "import_images",
        str(tree),
        "--owner",
        "alice",
        "--workers",
        "0",
        check=False,
    )
    assert bad_option.returncode == 2 and "--workers" in bad_option.stderr
    assert assert_store_is_consistent(cli) == 3

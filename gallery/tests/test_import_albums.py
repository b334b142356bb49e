"""import_images --album and --album-from: every image that came in, or was
there already, lands in its album, in batches, once, and never in a dry run."""

import os
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError

from gallery.importing import albums as import_albums
from gallery.importing.pipeline import import_images
from gallery.importing.results import IMPORTED, ImportResult
from gallery.models import Album, AlbumImage, AlbumOrder, Image
from gallery.services.albums import album_add_images, album_create

from .images import noisy_jpeg
from .test_commands import read_report, run

pytestmark = pytest.mark.django_db


def album_contents(owner):
    """{album title: sorted image titles} for ``owner``'s albums."""
    return {
        album.title: sorted(image.title for image in album.images.all())
        for album in Album.objects.filter(owner=owner)
    }


def test_album_takes_every_good_image(photo_tree, user, tmp_path):
    report = tmp_path / "report.jsonl"
    out, _, status = run(
        str(photo_tree),
        "--owner",
        user.username,
        "--album",
        "  Holiday   2024 ",
        "--report",
        str(report),
    )
    assert status == 1  # the tree holds bad files too
    images = sorted(Image.objects.values_list("title", flat=True))
    assert album_contents(user) == {"Holiday 2024": images}
    assert len(images) == 5
    lines = read_report(report)
    assert lines["2023/a.jpg"]["album"] == "Holiday 2024"
    assert lines["2024/b again.jpg"]["album"] == "Holiday 2024"
    assert lines["2024/notes.jpg"]["album"] is None


def test_images_already_there_go_in_too_and_a_rerun_adds_nothing_twice(
    photo_tree, user
):
    run(str(photo_tree), "--owner", user.username)
    assert not Album.objects.exists()
    for _ in range(2):
        out, _, _ = run(str(photo_tree), "--owner", user.username, "--album", "All")
        assert out.strip().endswith("0 imported, 6 duplicates, 4 rejected.")
        assert AlbumImage.objects.count() == 5
    assert Album.objects.get().title == "All"


def test_an_existing_album_is_added_to(user, make_image, tmp_path):
    album = album_create(owner=user, title="Trips")
    earlier = make_image(user, title="earlier")
    album_add_images(album, user=user, images=[earlier])
    (tmp_path / "new.jpg").write_bytes(noisy_jpeg((40, 30), seed=11))
    run(str(tmp_path), "--owner", user.username, "--album", "Trips")
    assert album_contents(user) == {"Trips": ["earlier", "new"]}


def test_albums_from_folders(photo_tree, user, tmp_path):
    (photo_tree / "loose.jpg").write_bytes(noisy_jpeg((40, 30), seed=12))
    report = tmp_path / "report.jsonl"
    run(
        str(photo_tree),
        "--owner",
        user.username,
        "--album-from",
        "folder",
        "--report",
        str(report),
    )
    # "b again" has b's bytes: the one image (titled after whichever copy
    # came first) is in both folders' albums.
    [b] = Image.objects.filter(title__in=["b", "b again"]).values_list(
        "title", flat=True
    )
    assert album_contents(user) == {
        "2023": ["a"],
        "2023/summer": [b],
        "2024": sorted([b, "c", "d", "phone"]),
    }
    assert read_report(report)["loose.jpg"]["album"] is None
    assert Image.objects.filter(title="loose", albums=None).exists()


def test_album_order_is_for_the_albums_the_run_makes(user, tmp_path):
    kept = album_create(owner=user, title="Kept")
    (tmp_path / "trip").mkdir()
    (tmp_path / "trip" / "a.jpg").write_bytes(noisy_jpeg((40, 30), seed=13))
    (tmp_path / "Kept").mkdir()
    (tmp_path / "Kept" / "b.jpg").write_bytes(noisy_jpeg((40, 30), seed=14))
    args = ["--owner", user.username, "--album-from", "folder"]
    run(str(tmp_path), *args, "--album-order", "oldest")
    orders = dict(Album.objects.values_list("title", "order"))
    assert orders == {"trip": AlbumOrder.OLDEST, "Kept": kept.order}
    assert kept.order == AlbumOrder.NEWEST
    assert album_contents(user) == {"trip": ["a"], "Kept": ["b"]}
    with pytest.raises(CommandError, match="for the albums --album or --album-from"):
        run(str(tmp_path), "--owner", user.username, "--album-order", "oldest")


def test_folders_no_album_can_be_called_so_refuse_their_files_alone(user, tmp_path):
    root = tmp_path / "photos"
    long_path = root / ("a" * 150) / ("b" * 60)  # 211 characters: too long
    odd = root / os.fsdecode(b"caf\xe9")  # Latin-1, not UTF-8
    for n, folder in enumerate([long_path, odd, root / "fine"]):
        folder.mkdir(parents=True)
        (folder / f"p{n}.jpg").write_bytes(noisy_jpeg((40, 30), seed=40 + n))
    report = tmp_path / "report.jsonl"
    args = ["--album-from", "folder", "--report", str(report)]
    _, _, status = run(str(root), "--owner", user.username, *args)
    assert status == 1
    lines = read_report(report)
    refused = lines[f"{'a' * 150}/{'b' * 60}/p0.jpg"]
    assert (refused["outcome"], refused["code"]) == ("rejected", "max_length")
    assert "Its folder cannot name an album" in refused["reason"]
    # Cut short, it would have named (or filled) another album.
    assert album_contents(user) == {"caf\\xe9": ["p1"], "fine": ["p2"]}
    assert not Image.objects.filter(title="p0").exists()


def test_a_dry_run_makes_no_album(photo_tree, user, tmp_path):
    report = tmp_path / "report.jsonl"
    run(
        str(photo_tree),
        "--owner",
        user.username,
        "--album-from",
        "folder",
        "--dry-run",
        "--report",
        str(report),
    )
    assert not Album.objects.exists() and not AlbumImage.objects.exists()
    assert read_report(report)["2023/summer/b.jpg"]["album"] == "2023/summer"


def test_images_go_in_a_batch_at_a_time(user, tmp_path):
    for i in range(7):
        (tmp_path / f"{i}.jpg").write_bytes(noisy_jpeg((40, 30), seed=i))
    with mock.patch.object(
        import_albums, "album_add_images", wraps=album_add_images
    ) as add:
        run(
            str(tmp_path), "--owner", user.username, "--album", "A", "--batch-size", "3"
        )
    assert AlbumImage.objects.count() == 7
    assert sum(len(call.kwargs["images"]) for call in add.call_args_list) == 7
    assert add.call_count <= 3


def test_a_run_closed_early_still_files_what_came_in(user, tmp_path):
    for i in range(4):
        (tmp_path / f"{i}.jpg").write_bytes(noisy_jpeg((40, 30), seed=i))
    results = import_images(
        [tmp_path], owner=user, album="Partial", workers=1, batch_size=100
    )
    first = next(results)
    results.close()
    assert first.outcome == IMPORTED
    album = Album.objects.get(title="Partial")
    assert str(first.image_id) in {
        str(pk) for pk in album.images.values_list("pk", flat=True)
    }
    assert set(album.images.all()) <= set(Image.objects.all())


@pytest.mark.parametrize("stop", [KeyboardInterrupt, OSError])
def test_a_run_stopped_within_still_files_what_came_in(user, make_image, stop):
    # Ctrl-C, or an error, raised below the album filler (in the importer it
    # reads from), not at the command's own loop: the images noted go in.
    image = make_image(user)

    def interrupted():
        yield ImportResult(Path("a.jpg"), IMPORTED, image_id=image.pk, album="Half")
        raise stop

    filler = import_albums.AlbumFiller(user, batch_size=100)
    with pytest.raises(stop):
        for _ in filler.filled(interrupted()):
            pass
    assert list(Album.objects.get(title="Half").images.all()) == [image]


@pytest.mark.parametrize(
    "args",
    [
        ["--album", "   "],
        ["--album", "x" * 201],
        ["--album", "A", "--album-from", "folder"],
        ["--album-from", "x"],
        ["--album", "A", "--album-order", "sideways"],
    ],
)
def test_bad_album_options_are_usage_errors(photo_tree, user, args):
    with pytest.raises(CommandError):
        run(str(photo_tree), "--owner", user.username, *args)
    assert not Image.objects.exists() and not Album.objects.exists()

import pytest
from django.core.management import CommandError, call_command

from gallery.models import Image

from .conftest import stored_files
from .images import SVG, TEXT, image_bytes, noisy_jpeg, truncated_jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo_tree(tmp_path):
    """good: 4 distinct images (one also copied under a second name),
    bad: a text file, a truncated JPEG and an SVG, in nested folders."""
    root = tmp_path / "photos"
    (root / "2023" / "summer").mkdir(parents=True)
    (root / "2024").mkdir()
    (root / "2023" / "a.jpg").write_bytes(noisy_jpeg(seed=1))
    (root / "2023" / "summer" / "b.jpg").write_bytes(noisy_jpeg(seed=2))
    (root / "2024" / "b again.jpg").write_bytes(noisy_jpeg(seed=2))
    (root / "2024" / "c.png").write_bytes(image_bytes("PNG", (30, 20)))
    (root / "2024" / "d.gif").write_bytes(image_bytes("GIF", (30, 20)))
    (root / "2024" / "notes.txt").write_bytes(TEXT)
    (root / "2024" / "broken.jpg").write_bytes(truncated_jpeg())
    (root / "2024" / "logo.svg").write_bytes(SVG)
    return root


def run(*args, **kwargs):
    import io

    out, err = io.StringIO(), io.StringIO()
    call_command("import_images", *args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def test_import_a_tree(photo_tree, user, media_root):
    out, err = run(
        str(photo_tree), "--owner", user.username, "--private", "--description", "Trip"
    )

    assert out.strip().endswith("4 imported, 1 duplicates, 3 rejected.")
    assert "notes.txt" in err and "broken.jpg" in err and "logo.svg" in err
    assert "SVG files are not accepted" in err
    images = Image.objects.all()
    assert sorted(i.title for i in images) == ["a", "b", "c", "d"]
    assert {(i.owner, i.visibility, i.description) for i in images} == {
        (user, "private", "Trip")
    }
    assert len(stored_files(media_root)) == 4 * 3


def test_import_twice_adds_nothing(photo_tree, user):
    run(str(photo_tree), "--owner", user.username)
    out, _ = run(str(photo_tree), "--owner", user.username)
    assert out.strip().endswith("0 imported, 5 duplicates, 3 rejected.")
    assert Image.objects.count() == 4


def test_dry_run_writes_nothing(photo_tree, user, media_root):
    out, err = run(str(photo_tree), "--owner", user.username, "--dry-run")
    assert out.strip().endswith("5 would import, 0 duplicates, 3 rejected.")
    assert not Image.objects.exists()
    assert stored_files(media_root) == []


def test_verbosity_2_lists_every_file(photo_tree, user):
    out, _ = run(str(photo_tree), "--owner", user.username, verbosity=2)
    assert out.count("imported  ") == 4 and out.count("duplicate ") == 1


def test_symlinks_are_not_followed(tmp_path, user):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.jpg").write_bytes(noisy_jpeg(seed=9))
    root = tmp_path / "root"
    root.mkdir()
    (root / "link.jpg").symlink_to(outside / "secret.jpg")
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    out, _ = run(str(root), "--owner", user.username)
    assert out.strip().endswith("0 imported, 0 duplicates, 0 rejected.")


def test_missing_owner_is_a_command_error(photo_tree):
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        run(str(photo_tree), "--owner", "nobody")


def test_missing_path_is_a_command_error(tmp_path, user):
    with pytest.raises(CommandError, match="No such file or folder"):
        run(str(tmp_path / "nope"), "--owner", user.username)

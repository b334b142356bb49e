"""The secret key kept in a file when DJANGO_SECRET_KEY is not set."""

import os
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from imagerepo.settings import secret_key
from imagerepo.settings.secret_key import load_or_create_secret_key


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_a_key_is_made_once_readable_by_its_owner_alone(tmp_path):
    path = tmp_path / "var" / "secret_key"
    previous = os.umask(0)  # even where new files would be world-writable
    try:
        key = load_or_create_secret_key(path)
    finally:
        os.umask(previous)
    assert mode(path) == 0o600
    assert len(key) >= 50
    assert path.read_text() == key + "\n"
    assert load_or_create_secret_key(path) == key
    assert os.listdir(path.parent) == ["secret_key"]


def test_a_key_already_in_the_file_is_used(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("a-key-someone-chose-for-this-site\n")
    assert load_or_create_secret_key(path) == "a-key-someone-chose-for-this-site"


def test_the_first_of_two_starts_wins(tmp_path, monkeypatch):
    """Another process makes the file between our look and our link: its key
    is kept and returned, ours is dropped."""
    path = tmp_path / "var" / "secret_key"
    path.parent.mkdir()
    make_key = secret_key.get_random_secret_key

    def meanwhile_another_start():
        path.write_text("the-other-process-key\n")
        return make_key()

    monkeypatch.setattr(secret_key, "get_random_secret_key", meanwhile_another_start)
    assert load_or_create_secret_key(path) == "the-other-process-key"
    assert os.listdir(path.parent) == ["secret_key"]


def test_an_empty_key_file_is_a_clear_error(tmp_path):
    path = tmp_path / "secret_key"
    path.touch()
    with pytest.raises(ImproperlyConfigured, match="is empty: delete it"):
        load_or_create_secret_key(path)


def test_a_place_the_key_cannot_be_kept_is_a_clear_error(tmp_path):
    (tmp_path / "var").write_text("a file where the folder should be")
    with pytest.raises(ImproperlyConfigured) as error:
        load_or_create_secret_key(tmp_path / "var" / "secret_key")
    assert str(error.value).startswith(
        f"Cannot keep the secret key in {tmp_path / 'var' / 'secret_key'}: "
    )
    assert "Set DJANGO_SECRET_KEY, or DJANGO_SECRET_KEY_FILE" in str(error.value)

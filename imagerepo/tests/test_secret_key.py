"""The secret key kept in a file when DJANGO_SECRET_KEY is not set."""

import os
import pwd
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from imagerepo.settings import secret_key
from imagerepo.settings.secret_key import load_or_create_secret_key


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def write_key(path, text):
    """A key file as the site makes them: readable by its owner alone."""
    path.write_text(text)
    path.chmod(0o600)


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
    write_key(path, "a-key-someone-chose-for-this-site\n")
    assert load_or_create_secret_key(path) == "a-key-someone-chose-for-this-site"


def test_the_first_of_two_starts_wins(tmp_path, monkeypatch):
    """Another process makes the file between our look and our link: its key
    is kept and returned, ours is dropped."""
    path = tmp_path / "var" / "secret_key"
    path.parent.mkdir()
    make_key = secret_key.get_random_secret_key

    def meanwhile_another_start():
        write_key(path, "the-other-process-key\n")
        return make_key()

    monkeypatch.setattr(secret_key, "get_random_secret_key", meanwhile_another_start)
    assert load_or_create_secret_key(path) == "the-other-process-key"
    assert os.listdir(path.parent) == ["secret_key"]


def test_an_empty_key_file_is_a_clear_error(tmp_path):
    path = tmp_path / "secret_key"
    write_key(path, "")
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


@pytest.mark.parametrize("shared", [0o640, 0o620, 0o604, 0o602, 0o666])
def test_a_key_file_other_users_may_read_or_write_is_refused(tmp_path, shared):
    path = tmp_path / "secret_key"
    write_key(path, "a-key-someone-chose-for-this-site\n")
    path.chmod(shared)
    with pytest.raises(ImproperlyConfigured) as error:
        load_or_create_secret_key(path)
    assert str(error.value).startswith(
        f"The secret key file {path} may be read or changed by other users "
        f"(mode 0{shared:o}): make it readable by its owner alone with "
        f"`chmod 600 {path}`"
    )


def test_a_key_file_another_user_owns_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "secret_key"
    write_key(path, "a-key-someone-chose-for-this-site\n")
    owner = pwd.getpwuid(path.stat().st_uid).pw_name
    # This process as another user, one without a name: it is named by number.
    me = next(uid for uid in range(54321, 2**31) if not has_name(uid))
    monkeypatch.setattr(os, "geteuid", lambda: me)
    with pytest.raises(ImproperlyConfigured) as error:
        load_or_create_secret_key(path)
    assert str(error.value) == (
        f"The secret key file {path} belongs to {owner}, but this site runs as "
        f"{me}: run it as {owner}, or make the file this user's with "
        f"`chown {me} {path}`."
    )


def has_name(uid):
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True

"""A secret key made once and kept in a file, for a site started with no
DJANGO_SECRET_KEY (``make serve`` on a fresh clone): sessions and signed
links then survive restarts without anyone choosing a key."""

import os
import pwd
import stat
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key


def load_or_create_secret_key(path):
    """The key kept in ``path``, made first if there is none, in a file only
    its owner may read; a file someone else owns, or others may read or
    write, is refused.

    The new key is written to a temporary file beside ``path`` and linked
    into place. A link never replaces a file, so when two processes start at
    once the second one finds the first one's key and uses it; and nobody
    ever reads a half-written key.
    """
    path = Path(path)
    try:
        if not path.exists():
            _create(path)
        with open(path) as file:
            _check_private(path, os.fstat(file.fileno()))
            key = file.read().strip()
    except OSError as error:
        raise ImproperlyConfigured(
            f"Cannot keep the secret key in {path}: {error.strerror or error}. Set "
            "DJANGO_SECRET_KEY, or DJANGO_SECRET_KEY_FILE to a file this user may "
            "create and read."
        ) from error
    if not key:
        raise ImproperlyConfigured(
            f"The secret key file {path} is empty: delete it to have a new key "
            "made (everyone is signed out), or put the key back."
        )
    return key


def _check_private(path, status):
    """Refuse a key file that someone else owns, or that other users may read
    or write: whoever reads the key can sign a session as any user, and
    whoever may write it can choose it."""
    if status.st_uid != os.geteuid():
        me, owner = _user_name(os.geteuid()), _user_name(status.st_uid)
        raise ImproperlyConfigured(
            f"The secret key file {path} belongs to {owner}, but this site runs "
            f"as {me}: run it as {owner}, or make the file this user's with "
            f"`chown {me} {path}`."
        )
    if status.st_mode & 0o077:
        raise ImproperlyConfigured(
            f"The secret key file {path} may be read or changed by other users "
            f"(mode {stat.S_IMODE(status.st_mode):04o}): make it readable by its "
            f"owner alone with `chmod 600 {path}`, then check who may have read "
            "it (a new key, made by deleting the file, signs everyone out)."
        )


def _user_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid without a name (a container's, say)
        return str(uid)


def _create(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp makes the file readable and writable by its owner alone (0600).
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret-key-")
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(get_random_secret_key() + "\n")
            file.flush()
            # On disk before it has its name: a crash must not leave an empty key.
            os.fsync(file.fileno())
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process made it first: its key is the one
    finally:
        os.unlink(temporary)

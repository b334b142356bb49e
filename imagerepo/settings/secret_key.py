"""A secret key made once and kept in a file, for a site started with no
DJANGO_SECRET_KEY (``make serve`` on a fresh clone): sessions and signed
links then survive restarts without anyone choosing a key."""

import os
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key


def load_or_create_secret_key(path):
    """The key kept in ``path``, made first if there is none, in a file only
    its owner may read.

    The new key is written to a temporary file beside ``path`` and linked
    into place. A link never replaces a file, so when two processes start at
    once the second one finds the first one's key and uses it; and nobody
    ever reads a half-written key.
    """
    path = Path(path)
    try:
        if not path.exists():
            _create(path)
        key = path.read_text().strip()
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

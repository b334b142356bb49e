"""Settings for the test suite: the real settings, with a throwaway secret and
fast password hashing. The database and storage still come from the
environment, so the same suite runs against PostgreSQL and S3."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-secret")

from .base import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests render templates without running collectstatic first.
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Serve static files from the finders, as runserver does; no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

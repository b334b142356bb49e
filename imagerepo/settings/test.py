"""Settings for the test suite: the shared settings with a throwaway key and
fast password hashing. The database and storage still come from the
environment, so the same suite runs against PostgreSQL and S3
(``make test-scale``)."""

from .base import *  # noqa: F401,F403
from .base import ALLOWED_HOSTS, STORAGES

SECRET_KEY = "tests-only-not-secret"
# Loopback names, as DEBUG would allow them (the test client's own
# "testserver" is added by the test runner).
ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests render templates without running collectstatic first.
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Serve static files from the finders, as runserver does; no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The browser tests sign up dozens of accounts from 127.0.0.1 in one site's
# life, and ask one account for a new address in each of a dozen page
# variants; the limits' own tests lower them again.
IMAGEREPO_SIGNUPS_PER_HOUR = 1000
IMAGEREPO_PASSWORD_RESET_MAILS_PER_HOUR = 1000

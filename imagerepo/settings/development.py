"""Settings for a developer's machine: ``manage.py`` and ``make run`` use
these unless DJANGO_SETTINGS_MODULE says otherwise. The defaults in ``base``
give a working site with nothing set: SQLite file and ``media/`` on disk."""

from .base import *  # noqa: F401,F403
from .base import STORAGES

DEBUG = True
# Known to everyone who reads this file: fit only for a site that answers to
# this computer alone, as these settings do unless DJANGO_ALLOWED_HOSTS names
# other hosts. The production settings never use it: they take
# DJANGO_SECRET_KEY, or make a key of their own and keep it in var/secret_key.
SECRET_KEY = "django-insecure-local-development-key-do-not-use-in-production"

# Static files straight from the app folders, no collectstatic manifest needed.
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

"""Settings for a developer's machine: ``manage.py`` and ``make run`` use
these unless DJANGO_SETTINGS_MODULE says otherwise. The defaults in ``base``
give a working site with nothing set: SQLite file and ``media/`` on disk."""

from .base import *  # noqa: F401,F403
from .base import STORAGES

DEBUG = True
# Known to everyone who reads this file: never a production key (the
# production settings refuse to start without one of their own).
SECRET_KEY = "django-insecure-local-development-key-do-not-use-in-production"

# Static files straight from the app folders, no collectstatic manifest needed.
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# ---------------------------------------------------------------- core
DEBUG = env.bool("DJANGO_DEBUG", default=False)

_DEV_SECRET_KEY = "django-insecure-local-development-key-do-not-use-in-production"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set DJANGO_SECRET_KEY, or set DJANGO_DEBUG=true for local development."
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "gallery",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "imagerepo.urls"
WSGI_APPLICATION = "imagerepo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# ---------------------------------------------------------------- database
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside one writer; IMMEDIATE transactions take the
    # write lock up front, so a busy writer makes others wait (up to the
    # timeout) instead of failing with "database is locked" mid-transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=20),
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA temp_store=MEMORY;"
                "PRAGMA mmap_size=268435456;"
                "PRAGMA cache_size=-65536"
            ),
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------- auth
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "gallery:index"
LOGOUT_REDIRECT_URL = "gallery:index"

# ---------------------------------------------------------------- i18n
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------- static and media
STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploaded files live here but are never served by a /media/ route: every byte
# goes out through the permission-checked views in gallery.views.files.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# ---------------------------------------------------------------- upload limits
# One name and one default per limit; gallery.limits reads them.
IMAGEREPO_MAX_UPLOAD_BYTES = env.int("IMAGEREPO_MAX_UPLOAD_BYTES", default=50 * 2**20)
IMAGEREPO_MAX_IMAGE_PIXELS = env.int("IMAGEREPO_MAX_IMAGE_PIXELS", default=100_000_000)
IMAGEREPO_MAX_FRAMES = env.int("IMAGEREPO_MAX_FRAMES", default=500)
IMAGEREPO_MAX_FILES_PER_REQUEST = env.int(
    "IMAGEREPO_MAX_FILES_PER_REQUEST", default=100
)
IMAGEREPO_ALLOWED_FORMATS = env.list(
    "IMAGEREPO_ALLOWED_FORMATS",
    default=["JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF", "HEIF", "AVIF"],
)

# Django refuses requests with more files than this before any view runs.
DATA_UPLOAD_MAX_NUMBER_FILES = IMAGEREPO_MAX_FILES_PER_REQUEST
# Uploads above this size are spooled to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 4 * 2**20

# ---------------------------------------------------------------- renditions
IMAGEREPO_THUMBNAIL_SIZE = env.int("IMAGEREPO_THUMBNAIL_SIZE", default=400)
IMAGEREPO_DISPLAY_SIZE = env.int("IMAGEREPO_DISPLAY_SIZE", default=2048)
IMAGEREPO_GALLERY_PAGE_SIZE = env.int("IMAGEREPO_GALLERY_PAGE_SIZE", default=48)

# ---------------------------------------------------------------- forms
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# ---------------------------------------------------------------- logging
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", "WARNING")},
}

"""Settings shared by every way of running imagerepo.

The environment carries deployment facts only: where the database, the files
and the cache are, the host names, the upload size and rate limits. Every
other value is a constant here. ``development`` (what ``manage.py`` uses),
``production`` (what ``wsgi.py`` and gunicorn use) and ``test`` build on it.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# ---------------------------------------------------------------- core
DEBUG = False
# Empty unless told: the development settings then answer to loopback names
# alone (Django's default under DEBUG), the production ones fill in this
# computer's names and addresses.
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
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
    "axes",
    "csp",
    "gallery",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    # Outermost: its headers go on every answer under a share link, errors too.
    "gallery.link_privacy.LinkPrivacyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Refuses an oversized body from its Content-Length, before anything reads it.
    "gallery.request_limits.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its 429 page.
    "axes.middleware.AxesMiddleware",
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
                "gallery.link_privacy.link_address",
            ],
        },
    },
]
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LANGUAGE_CODE = "en-us"
# How dates are written (imagerepo/formats/en/formats.py says why).
FORMAT_MODULE_PATH = ["imagerepo.formats"]
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = False  # English only: no translation lookup for every value shown
USE_TZ = True

# ---------------------------------------------------------------- database
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Keep connections between requests: closing a SQLite connection in WAL mode
# checkpoints the log, which would otherwise happen on every request.
DATABASES["default"].setdefault("CONN_MAX_AGE", 600)
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside one writer; IMMEDIATE transactions take the
    # write lock up front, so a busy writer makes others wait (up to the
    # timeout, in seconds) instead of failing with "database is locked"
    # mid-transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
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

# ---------------------------------------------------------------- cache
# The site keeps only short-lived counters in it: the API's requests
# (api.throttling), one per token and per anonymous address seen in the last
# minute, and the hourly ones of share links and password resets. Upload
# limits are counted in the database instead. Every server process must see
# the same counters, or each limit is multiplied by the number of processes:
# the production settings default to the database cache (whose table
# `createcachetable` makes, as `make serve` does), and only development and
# the tests, one process each, keep them in local memory.


def caches_from_env(default):
    """CACHES with the cache CACHE_URL names, else ``default`` (a cache URL
    as django-environ reads them)."""
    cache = env.cache("CACHE_URL", default=default)
    # Django's own backends drop keys past MAX_ENTRIES (300 unless told): room
    # for a flood of addresses without losing a token's count. Memcached and
    # Redis take no such option and evict by memory instead.
    if cache["BACKEND"].rsplit(".", 1)[-1] in (
        "LocMemCache",
        "FileBasedCache",
        "DatabaseCache",
    ):
        cache.setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 20_000)
    return {"default": cache}


CACHES = caches_from_env(default="locmemcache://")

# ---------------------------------------------------------------- sign-in
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

# Brute force (django-axes): after this many failures for one user name from
# one address, that pair is locked out for the cool-off.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The locked-out page says when to try again and offers a password reset.
AXES_LOCKOUT_CALLABLE = "gallery.views.accounts.locked_out"
AXES_CLIENT_IP_CALLABLE = "gallery.request_limits.client_ip"
# The request header holding the client's address; behind nginx, the
# X-Real-IP it sets (HTTP_X_REAL_IP), since REMOTE_ADDR is then the proxy.
IMAGEREPO_CLIENT_IP_HEADER = env.str("IMAGEREPO_CLIENT_IP_HEADER", "REMOTE_ADDR")

# Password reset links work this long, and once: a new password, or a sign-in,
# spends them. Long enough for a mail read the next morning.
PASSWORD_RESET_TIMEOUT = 24 * 3600
# Reset mails one address may receive in an hour (more requests are answered
# alike but send nothing), and reset requests one client may make in an hour
# (then 429), so that nobody can flood a mailbox through the site. The first
# also bounds the links one account has mailed to confirm a new address.
# Counted in the default cache.
IMAGEREPO_PASSWORD_RESET_MAILS_PER_HOUR = 3
IMAGEREPO_PASSWORD_RESET_REQUESTS_PER_HOUR = 20
# Accounts one client may make in an hour by signing up (then 429; 0: no
# limit): a family behind one home router all sign up in an evening; a
# script does not make thousands of accounts, each with its own upload
# allowance and quota. A site's rate, like its upload rate: from the
# environment.
IMAGEREPO_SIGNUPS_PER_HOUR = env.int("IMAGEREPO_SIGNUPS_PER_HOUR", default=10)

# ---------------------------------------------------------------- e-mail
# Password reset mails. EMAIL_URL names the server, e.g.
# smtp+tls://user:password@smtp.example.org:587 (django-environ's forms); the
# default prints each mail on the console, as `make run` shows it.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str(
    "DJANGO_DEFAULT_FROM_EMAIL", default="imagerepo <noreply@localhost>"
)
# A mail server that does not answer fails the mail (logged), never the page.
EMAIL_TIMEOUT = 10

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
    # The media folder by its own name, whichever store is the default, so
    # ``migrate_storage --from local --to s3`` (and back) can reach both.
    "local": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# import_images notes here which files its workers are writing, so that a run
# killed part-way is cleaned up by the next one. Must be on a local disk.
IMAGEREPO_IMPORT_JOURNAL_DIR = env.path(
    "IMAGEREPO_IMPORT_JOURNAL_DIR", default=BASE_DIR / "var" / "import-journal"
)

# ---------------------------------------------------------------- object storage (S3)
# MEDIA_STORAGE=s3 keeps uploads in an S3-compatible bucket instead of
# MEDIA_ROOT. Objects are private (no public ACL); the permission-checked file
# views stream them, or with S3_DELIVERY=redirect send the browser to a
# presigned URL that expires soon after.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="local")
S3_BUCKET = env.str("S3_BUCKET", default="")
S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default="")
S3_ACCESS_KEY_ID = env.str("S3_ACCESS_KEY_ID", default="")
S3_SECRET_ACCESS_KEY = env.str("S3_SECRET_ACCESS_KEY", default="")
S3_REGION = env.str("S3_REGION", default="us-east-1")
S3_ADDRESSING_STYLE = env.str("S3_ADDRESSING_STYLE", default="path")
S3_PREFIX = env.str("S3_PREFIX", default="")
S3_DELIVERY = env.str("S3_DELIVERY", default="stream")
# Long enough for a browser to follow the redirect, short enough that a copied
# link to a private image is soon useless.
S3_URL_EXPIRY_SECONDS = 60

if MEDIA_STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured("MEDIA_STORAGE must be 'local' or 's3'.")
if S3_DELIVERY not in ("stream", "redirect"):
    raise ImproperlyConfigured("S3_DELIVERY must be 'stream' or 'redirect'.")
if MEDIA_STORAGE == "s3" and not S3_BUCKET:
    raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET (and its keys).")
if S3_BUCKET:
    STORAGES["s3"] = {
        "BACKEND": "gallery.objectstore.BucketStorage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL or None,
            # Empty keys leave boto3 to its own chain (instance role, ~/.aws).
            "access_key": S3_ACCESS_KEY_ID or None,
            "secret_key": S3_SECRET_ACCESS_KEY or None,
            "region_name": S3_REGION,
            "addressing_style": S3_ADDRESSING_STYLE,
            "signature_version": "s3v4",
            "location": S3_PREFIX,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": S3_URL_EXPIRY_SECONDS,
        },
    }
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = STORAGES["s3"]


def _s3_origin():
    """Where presigned URLs point, for the Content-Security-Policy."""
    if not S3_ENDPOINT_URL:
        return "https://*.amazonaws.com"
    parts = urlsplit(S3_ENDPOINT_URL)
    host = parts.netloc
    if S3_ADDRESSING_STYLE == "virtual":
        host = f"{S3_BUCKET}.{host}"
    return f"{parts.scheme}://{host}"


S3_MEDIA_ORIGIN = _s3_origin() if S3_BUCKET else ""

# ---------------------------------------------------------------- upload limits
# One name and one default per limit; gallery.limits reads them. The sizes
# and the hourly rate depend on the machine and its users, so they come from
# the environment; the rest guard the decoders and stay fixed.
IMAGEREPO_MAX_UPLOAD_BYTES = env.int("IMAGEREPO_MAX_UPLOAD_BYTES", default=50 * 2**20)
# Keep equal to nginx's client_max_body_size (deploy/nginx.conf).
IMAGEREPO_MAX_REQUEST_BYTES = env.int("IMAGEREPO_MAX_REQUEST_BYTES", default=2**30)
# Files per user per hour (0 = no limit). Every file sent counts, refused ones
# too (each costs a decode); 5,000 leaves room for a drop of a few thousand
# photos, with the odd bad file, in one go. Counted in the database
# (gallery.UploadCount), atomically, so every server process shares it.
IMAGEREPO_UPLOADS_PER_HOUR = env.int("IMAGEREPO_UPLOADS_PER_HOUR", default=5000)
# The largest phone sensors (200 MP). A JPEG that size is decoded scaled
# down, in under 100 MB; other formats in full, about 1 GB (BENCHMARKS.md).
IMAGEREPO_MAX_IMAGE_PIXELS = 200_000_000
# Share links: wrong tokens and passwords one client may try in an hour before
# every share link answers it 429 (counted in the default cache).
IMAGEREPO_SHARE_LINK_FAILURES_PER_HOUR = 20
# Wrong passwords for one link in an hour, from everyone together, before it
# takes no more tries that hour.
IMAGEREPO_SHARE_LINK_PASSWORD_FAILURES_PER_HOUR = 100
# Zips of originals ("Download all") one account, or one link, may download at
# once: each holds a web worker for as long as it is sent.
IMAGEREPO_ZIPS_AT_ONCE = 2
IMAGEREPO_MAX_FRAMES = 500
IMAGEREPO_MAX_FILES_PER_REQUEST = 100
IMAGEREPO_ALLOWED_FORMATS = [
    "JPEG",
    "PNG",
    "GIF",
    "WEBP",
    "BMP",
    "TIFF",
    "HEIF",
    "AVIF",
]

# Django refuses requests with more files than this before any view runs.
DATA_UPLOAD_MAX_NUMBER_FILES = IMAGEREPO_MAX_FILES_PER_REQUEST
# Uploads above this size are spooled to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 4 * 2**20
# The first handler refuses each file past IMAGEREPO_MAX_UPLOAD_BYTES while it
# streams in, so an oversized file is never held in memory or on disk.
FILE_UPLOAD_HANDLERS = [
    "gallery.request_limits.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# ---------------------------------------------------------------- trash and quotas
# Deleted images wait this long in their owner's trash before purge_trash
# removes them and their files for good.
IMAGEREPO_TRASH_DAYS = 30
# What one account may store, trash included, unless the admin sets its own
# limit (gallery.Account); None is no limit.
IMAGEREPO_QUOTA_BYTES = None
IMAGEREPO_QUOTA_IMAGES = None

# ---------------------------------------------------------------- browser uploader
# The upload page sends one file per request, a few at a time, and first asks
# which SHA-256s the owner already has so duplicates never leave the browser.
IMAGEREPO_UPLOAD_PARALLEL = 4
IMAGEREPO_MAX_HASHES_PER_CHECK = 500
# The browser must read a whole file to hash it; bigger files skip the check
# and go straight up (the server still refuses a duplicate).
IMAGEREPO_PREHASH_MAX_BYTES = 32 * 2**20

# ---------------------------------------------------------------- renditions and pages
# A thumbnail fits this square; a panorama's is wider, half as tall
# (gallery.services.renditions). After a change, `check_media --fix` makes
# the thumbnails already stored again at the new size.
IMAGEREPO_THUMBNAIL_SIZE = 400
IMAGEREPO_DISPLAY_SIZE = 2048
IMAGEREPO_GALLERY_PAGE_SIZE = 48
# Words (and phrases) of a query that count; the rest are ignored.
IMAGEREPO_SEARCH_MAX_TERMS = 12
# Result counts stop at this many and show "1,000+": no COUNT(*) of a million.
IMAGEREPO_RESULT_COUNT_CAP = 1000

# ---------------------------------------------------------------- file delivery
# With a path prefix set (e.g. /protected-media/), the permission-checked
# views answer with X-Accel-Redirect and nginx sends the bytes from its
# `internal` location (deploy/nginx.conf). Empty: Django streams them itself.
IMAGEREPO_X_ACCEL_REDIRECT_PREFIX = env.str("IMAGEREPO_X_ACCEL_REDIRECT_PREFIX", "")
# How long a browser may reuse a public file without asking again. Shared
# caches must always revalidate, so a switch to private holds at once there.
IMAGEREPO_PUBLIC_BROWSER_CACHE_SECONDS = 300
# Browser lifetime of a public rendition asked for by its current versioned URL
# (gallery.delivery); the version changes with the visibility.
IMAGEREPO_PUBLIC_VERSIONED_CACHE_SECONDS = 365 * 24 * 3600

# ---------------------------------------------------------------- HTTP security
# See SECURITY.md for what these guarantee; production.py adds HTTPS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# A form refused for its CSRF token gets the site's own page, saying why.
CSRF_FAILURE_VIEW = "gallery.views.errors.csrf_failure"

# Content-Security-Policy (django-csp): our own files only, no inline script or
# style anywhere. data: images are Bootstrap's form-control icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if MEDIA_STORAGE == "s3" and S3_DELIVERY == "redirect":
    # <img> tags follow the file views' redirects to presigned bucket URLs.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(S3_MEDIA_ORIGIN)

# ---------------------------------------------------------------- JSON API
IMAGEREPO_API_PAGE_SIZE = 50
IMAGEREPO_API_MAX_PAGE_SIZE = 200
# Requests per token (or signed-in user) and per anonymous address, in DRF's
# "N/second|minute|hour|day" form, counted in the default cache (above).
# check-hashes takes at most IMAGEREPO_MAX_HASHES_PER_CHECK, as the upload page.
IMAGEREPO_API_RATE_TOKEN = env.str("IMAGEREPO_API_RATE_TOKEN", default="1200/minute")
IMAGEREPO_API_RATE_ANON = env.str("IMAGEREPO_API_RATE_ANON", default="120/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly"
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.TokenRateThrottle",
        "api.throttling.AnonymousRateThrottle",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.LenientNegotiation",
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "imagerepo API",
    "DESCRIPTION": "Upload, list, search and manage images. Send a personal API "
    "token as `Authorization: Bearer <token>`; without one you see public "
    "images only.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ErrorCodeEnum": "api.errors.ERROR_CODES",
        "OutcomeCodeEnum": "api.serializers.OUTCOME_CODES",
        "AlbumRoleEnum": "api.album_serializers.ROLES",
        "ShareRoleEnum": "gallery.models.ShareRole",
    },
}

# ---------------------------------------------------------------- logging
# One line per event. Everything goes to the root logger's console handler;
# Django's own default also gives the "django" logger a console handler (while
# DEBUG is on), so each request warning ("Not Found: ...") printed twice:
# emptied here. Configuring "django" resets its children, so runserver's
# access lines (django.server) are declared again as Django has them.
log_level = env.str("DJANGO_LOG_LEVEL", default="WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
        },
    },
    "root": {"handlers": ["console"], "level": log_level},
    "loggers": {
        "django": {"handlers": [], "level": log_level},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
        },
    },
}

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

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
    "axes",
    "csp",
    "gallery",
]

MIDDLEWARE = [
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
USE_I18N = False  # English only: no translation lookup for every value shown
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
    # The media folder by its own name, whichever store is the default, so
    # ``migrate_storage --from local --to s3`` (and back) can reach both.
    "local": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# ---------------------------------------------------------------- object storage (S3)
# MEDIA_STORAGE=s3 keeps uploads in an S3-compatible bucket instead of
# MEDIA_ROOT. Objects are private (no public ACL); the permission-checked file
# views stream them, or with S3_DELIVERY=redirect send the browser to a
# presigned URL that expires after S3_URL_EXPIRY_SECONDS.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="local")
S3_BUCKET = env.str("S3_BUCKET", default="")
S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default="")
S3_ACCESS_KEY_ID = env.str("S3_ACCESS_KEY_ID", default="")
S3_SECRET_ACCESS_KEY = env.str("S3_SECRET_ACCESS_KEY", default="")
S3_REGION = env.str("S3_REGION", default="us-east-1")
S3_ADDRESSING_STYLE = env.str("S3_ADDRESSING_STYLE", default="path")
S3_PREFIX = env.str("S3_PREFIX", default="")
S3_DELIVERY = env.str("S3_DELIVERY", default="stream")
S3_URL_EXPIRY_SECONDS = env.int("S3_URL_EXPIRY_SECONDS", default=60)

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

# ---------------------------------------------------------------- security (issue 4)
# See SECURITY.md for what these guarantee.
HTTPS = env.bool("DJANGO_HTTPS", default=False)
# Behind a TLS-terminating proxy (deploy/nginx.conf sets this header).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
# Strict-Transport-Security for a year once HTTPS is on (0 turns it off).
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

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

# Sign-in brute force (django-axes): after this many failures for one user name
# from one address, that pair is locked out for the cool-off.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("IMAGEREPO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(
    minutes=env.int("IMAGEREPO_LOGIN_COOLOFF_MINUTES", default=15)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "gallery.request_limits.client_ip"
# The request header holding the client's address; behind nginx, the
# X-Real-IP it sets (HTTP_X_REAL_IP), since REMOTE_ADDR is then the proxy.
IMAGEREPO_CLIENT_IP_HEADER = env.str("IMAGEREPO_CLIENT_IP_HEADER", "REMOTE_ADDR")

# Uploads: files per user per hour (0 = no limit), and the largest request body.
# The rate is counted in the database (gallery.UploadCount), atomically, so
# every server process shares it with no cache server to set up.
# Every file sent counts, refused ones too (each costs a decode); 5,000 leaves
# room for a drop of a few thousand photos, with the odd bad file, in one go.
IMAGEREPO_UPLOADS_PER_HOUR = env.int("IMAGEREPO_UPLOADS_PER_HOUR", default=5000)
IMAGEREPO_MAX_REQUEST_BYTES = env.int("IMAGEREPO_MAX_REQUEST_BYTES", default=2**30)
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# The first handler refuses each file past IMAGEREPO_MAX_UPLOAD_BYTES while it
# streams in, so an oversized file is never held in memory or on disk.
FILE_UPLOAD_HANDLERS = [
    "gallery.request_limits.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Files: with a path prefix set (e.g. /protected-media/), the permission-checked
# views answer with X-Accel-Redirect and nginx sends the bytes from its
# `internal` location (deploy/nginx.conf). Empty: Django streams them itself.
IMAGEREPO_X_ACCEL_REDIRECT_PREFIX = env.str("IMAGEREPO_X_ACCEL_REDIRECT_PREFIX", "")
# How long a browser may reuse a public file without asking again. Shared
# caches must always revalidate, so a switch to private holds at once there.
IMAGEREPO_PUBLIC_BROWSER_CACHE_SECONDS = env.int(
    "IMAGEREPO_PUBLIC_BROWSER_CACHE_SECONDS", default=300
)
# ---------------------------------------------------------------- search and browsing
# Words (and phrases) of a query that count; the rest are ignored.
IMAGEREPO_SEARCH_MAX_TERMS = env.int("IMAGEREPO_SEARCH_MAX_TERMS", default=12)
# Result counts stop at this many and show "1,000+": no COUNT(*) of a million.
IMAGEREPO_RESULT_COUNT_CAP = env.int("IMAGEREPO_RESULT_COUNT_CAP", default=1000)
# Keep database connections between requests: closing a SQLite connection
# in WAL mode checkpoints, measured at ~4 ms of a ~12 ms gallery page.
DATABASES["default"].setdefault(
    "CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=600)
)
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
# Browser lifetime of a public rendition asked for by its current versioned URL
# (gallery.delivery); the version changes with the visibility.
IMAGEREPO_PUBLIC_VERSIONED_CACHE_SECONDS = env.int(
    "IMAGEREPO_PUBLIC_VERSIONED_CACHE_SECONDS", default=365 * 24 * 3600
)

# ---------------------------------------------------------------- bulk import
# import_images notes here which files its workers are writing, so that a run
# killed part-way is cleaned up by the next one. Must be on a local disk.
IMAGEREPO_IMPORT_JOURNAL_DIR = env.path(
    "IMAGEREPO_IMPORT_JOURNAL_DIR", default=BASE_DIR / "var" / "import-journal"
)

# ---------------------------------------------------------------- browser uploader
# The upload page sends one file per request, a few at a time, and first asks
# which SHA-256s the owner already has so duplicates never leave the browser.
IMAGEREPO_UPLOAD_PARALLEL = env.int("IMAGEREPO_UPLOAD_PARALLEL", default=4)
IMAGEREPO_MAX_HASHES_PER_CHECK = env.int("IMAGEREPO_MAX_HASHES_PER_CHECK", default=500)
# The browser must read a whole file to hash it; bigger files skip the check
# and go straight up (the server still refuses a duplicate).
IMAGEREPO_PREHASH_MAX_BYTES = env.int("IMAGEREPO_PREHASH_MAX_BYTES", default=32 * 2**20)

# ---------------------------------------------------------------- forms
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# ---------------------------------------------------------------- JSON API (issue 8)
INSTALLED_APPS += [
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]
IMAGEREPO_API_PAGE_SIZE = env.int("IMAGEREPO_API_PAGE_SIZE", default=50)
IMAGEREPO_API_MAX_PAGE_SIZE = env.int("IMAGEREPO_API_MAX_PAGE_SIZE", default=200)
# check-hashes takes at most IMAGEREPO_MAX_HASHES_PER_CHECK, as the upload page.
# Requests per token (or signed-in user) and per anonymous address; DRF's
# "N/second|minute|hour|day" form. Counted in CACHES["rate_limits"] (below).
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
}

# ---------------------------------------------------------------- rate-limit counters
# The API's request counters (api.throttling) live in a cache of their own, so
# no other keys can evict them. By default each server process counts alone;
# point IMAGEREPO_RATE_CACHE_URL at a shared cache that no other program uses
# (e.g. filecache:///var/tmp/imagerepo-rates) to share one budget.
CACHES["rate_limits"] = env.cache(
    "IMAGEREPO_RATE_CACHE_URL", default="locmemcache://imagerepo-rate-limits"
)
CACHES["rate_limits"].setdefault("OPTIONS", {}).setdefault(
    "MAX_ENTRIES", env.int("IMAGEREPO_RATE_CACHE_ENTRIES", default=20_000)
)

# ---------------------------------------------------------------- logging
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", "WARNING")},
}

"""Settings for a real install: ``wsgi.py``, gunicorn and ``make serve`` use
these. Everything that differs between installs comes from the environment
(see deploy/imagerepo.env.example); without a secret key they refuse to
start."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = False

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set: the production settings need a secret key "
        "of their own (python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
        "). For a local site use the development settings, as manage.py does."
    )

# ---------------------------------------------------------------- HTTPS
# Set once TLS terminates in front of the site (nginx or a load balancer),
# which must then send X-Forwarded-Proto (deploy/nginx.conf does).
HTTPS = env.bool("DJANGO_HTTPS", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
# Strict-Transport-Security for a year once HTTPS is on.
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = HTTPS

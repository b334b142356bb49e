"""Settings for a real install: ``wsgi.py``, gunicorn and ``make serve`` use
these. Everything that differs between installs comes from the environment
(see deploy/imagerepo.env.example); with nothing set they serve this computer
and its local network, with a secret key of their own kept on its disk."""

from .base import *  # noqa: F401,F403
from .base import ALLOWED_HOSTS, BASE_DIR, caches_from_env, env
from .machine import Machine
from .secret_key import load_or_create_secret_key

DEBUG = False
# Unless told, this computer's own names and addresses: a phone on the same
# network can then open the site by any of them, and a request naming another
# host is still refused. Looked up here only, since it runs `ip`: the other
# settings never answer beyond this computer.
ALLOWED_HOSTS = ALLOWED_HOSTS or Machine.this().allowed_hosts()

# DJANGO_SECRET_KEY when given (several machines must share one); otherwise a
# key made on the first start and kept, readable by its owner alone, beside
# the other local state (the import journal), so sessions outlive restarts.
SECRET_KEY_FILE = env.path(
    "DJANGO_SECRET_KEY_FILE", default=BASE_DIR / "var" / "secret_key"
)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or load_or_create_secret_key(
    SECRET_KEY_FILE
)

# Rate-limit counters that every gunicorn worker (and every machine on one
# database) shares, unless CACHE_URL names another shared cache.
CACHES = caches_from_env(default="dbcache://imagerepo_cache")

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

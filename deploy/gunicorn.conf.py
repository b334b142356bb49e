"""gunicorn settings for imagerepo; ``make serve`` runs with this file.

Each value can be changed from the environment without editing the file:
GUNICORN_BIND, WEB_CONCURRENCY (worker processes), GUNICORN_THREADS,
GUNICORN_TIMEOUT. Command-line flags override everything here.
"""

import os

# Behind nginx on the same machine; listen on all interfaces only if nginx
# (or a load balancer) runs elsewhere, e.g. GUNICORN_BIND=0.0.0.0:8000.
# `make serve` without an environment file binds HOST:PORT (0.0.0.0:8000).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")


def default_workers():
    """Two per core, plus one: uploads keep a core busy decoding and
    re-encoding, while other requests mostly wait on the database or the
    bucket. Counted from the cores this process may use, not the machine's."""
    return len(os.sched_getaffinity(0)) * 2 + 1


workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers())
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A 100-file upload is decoded in one request: far more than gunicorn's 30 s.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# Recycle workers now and then: decoding large images fragments memory.
max_requests = 1000
max_requests_jitter = 100
# nginx on this machine sets X-Forwarded-Proto and friends.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# gunicorn's runtime control socket has one default path per user, so a second
# site (or a test server) on the machine would take it over: off unless asked.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]


def when_ready(server):
    """Once the site listens, say where people can open it. Only when it
    answers to this computer's own names: with DJANGO_ALLOWED_HOSTS set,
    people use the names listed there (nginx's), not these."""
    if os.environ.get("DJANGO_ALLOWED_HOSTS"):
        return
    # Imported here: the project folder is on gunicorn's import path only once
    # it has read every setting (--chdir included).
    from imagerepo.settings.machine import Machine

    machine = Machine.this()
    for address in server.cfg.address:
        if isinstance(address, tuple):  # not a Unix socket
            print(machine.serving_line(*address), flush=True)

"""Run deploy/nginx.conf for real: a throwaway nginx on a loopback port in
front of a test site, with the config's example paths swapped for the site's."""

import os
import shutil
import subprocess
import time
from contextlib import contextmanager

import requests

from .live import BASE_DIR, free_ports

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DEPLOY_CONF = BASE_DIR / "deploy" / "nginx.conf"
# Example values in deploy/nginx.conf -> what a test site uses instead.
EXAMPLES = (
    "listen 80;",
    "127.0.0.1:8000",
    "/srv/imagerepo/media/",
    "/srv/imagerepo/staticfiles/",
)


def render_site_conf(*, listen_port, app_address, media_root, static_root):
    text = DEPLOY_CONF.read_text()
    for example in EXAMPLES:
        assert example in text, f"deploy/nginx.conf no longer has {example!r}"
    return (
        text.replace("listen 80;", f"listen 127.0.0.1:{listen_port};")
        .replace("127.0.0.1:8000", app_address)
        .replace("/srv/imagerepo/media/", f"{media_root}/")
        .replace("/srv/imagerepo/staticfiles/", f"{static_root}/")
    )


def shared_cache_conf(folder, *, listen_port, upstream_port):
    """A caching proxy (as a CDN or company proxy would be) in front of the
    site's nginx: it keeps whatever the response headers let it keep."""
    return (
        f"proxy_cache_path {folder / 'cache'} keys_zone=shared:1m;\n"
        f"server {{\n    listen 127.0.0.1:{listen_port};\n"
        "    location / {\n        proxy_cache shared;\n"
        "        proxy_cache_revalidate on;\n"
        f"        proxy_pass http://127.0.0.1:{upstream_port};\n"
        "        add_header X-Shared-Cache $upstream_cache_status always;\n"
        "    }\n}\n"
    )


def write_nginx_conf(folder, site_conf):
    """A whole nginx.conf (paths in ``folder``) that includes ``site_conf``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site.conf").write_text(site_conf)
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = folder / "nginx.conf"
    conf.write_text(
        f"{user}worker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 64; }\n"
        "http {\n    include /etc/nginx/mime.types;\n"
        f"    access_log {folder / 'access.log'};\n{temp}\n"
        f"    include {folder / 'site.conf'};\n}}\n"
    )
    return conf


def nginx_test(conf):
    """``nginx -t`` on ``conf``: (ok, output)."""
    run = subprocess.run(
        [NGINX, "-t", "-c", str(conf), "-e", str(conf.parent / "error.log")],
        capture_output=True,
        text=True,
    )
    return run.returncode == 0, run.stderr


@contextmanager
def nginx_in_front_of(site, folder):
    """nginx with deploy/nginx.conf proxying to the running ``site``, and a
    shared caching proxy in front of that. Yields both URLs."""
    port, cache_port = free_ports(2)
    app = site.url.removeprefix("http://")
    site_conf = render_site_conf(
        listen_port=port,
        app_address=app,
        media_root=site.media,
        static_root=site.env["DJANGO_STATIC_ROOT"],
    )
    site_conf += shared_cache_conf(folder, listen_port=cache_port, upstream_port=port)
    conf = write_nginx_conf(folder, site_conf)
    ok, output = nginx_test(conf)
    assert ok, output
    server = subprocess.Popen(
        [NGINX, "-c", str(conf), "-e", str(folder / "error.log"), "-g", "daemon off;"]
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                requests.get(url + "/", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield url, f"http://127.0.0.1:{cache_port}"
    finally:
        server.terminate()
        server.wait(timeout=20)

"""Where a benchmark's measured sites keep their rows and files.

* ``sqlite``: a fresh SQLite file and media folder per site (the default);
* ``scale``: a fresh PostgreSQL database and its own key prefix in the S3
  bucket per site, on the servers ``scripts/scale-servers`` starts (their
  DATABASE_URL and S3_* variables must be in the environment).

Imported both as ``bench.stores`` (bench.scale) and as ``stores`` (bench/ingest.py
puts bench/ on the path), so it imports nothing from the bench package.
"""

import contextlib
import os
import shutil
import sqlite3
import uuid


class SqliteStore:
    name = "SQLite + disk"

    def site_env(self, site):
        """The environment of a Django process working on site folder ``site``."""
        site.mkdir(parents=True, exist_ok=True)
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "imagerepo.settings.production",
            "DJANGO_SECRET_KEY": "bench-only",
            "DATABASE_URL": f"sqlite:///{site / 'db.sqlite3'}",
            "MEDIA_STORAGE": "local",
            "MEDIA_ROOT": str(site / "media"),
            "IMAGEREPO_IMPORT_JOURNAL_DIR": str(site / "journal"),
        }

    def remove(self, site, env):
        shutil.rmtree(site)

    def template(self, sqlite_path, site, migrate):
        """What :meth:`from_template` copies: here the SQLite file itself."""
        return sqlite_path

    def from_template(self, site, template):
        env = self.site_env(site)
        shutil.copyfile(template, site / "db.sqlite3")
        return env

    def drop_template(self, template):
        """Nothing: the SQLite template is kept in --data-dir for later runs."""


class ScaleStore(SqliteStore):
    name = "PostgreSQL + SeaweedFS"

    def __init__(self):
        self.url = os.environ.get("DATABASE_URL", "")
        if not self.url.startswith("postgres") or not os.environ.get("S3_BUCKET"):
            raise SystemExit(
                "--store scale needs the scale servers' variables: "
                "eval $(.venv/bin/python scripts/scale-servers env)"
            )

    def site_env(self, site, template=None):
        """A fresh database (a copy of ``template`` if given) and key prefix."""
        name = f"bench_{site.name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
        env = super().site_env(site)
        env["DATABASE_URL"] = create_database(self.url, name, template)
        env["MEDIA_STORAGE"] = "s3"
        env["S3_PREFIX"] = f"bench/{name}"
        return env

    def remove(self, site, env):
        drop_database(self.url, env["DATABASE_URL"].rsplit("/", 1)[1])
        delete_prefix(env["S3_PREFIX"])
        super().remove(site, env)

    def template(self, sqlite_path, site, migrate):
        """A migrated PostgreSQL database holding the SQLite file's users and
        images (each site then starts as a server-side copy of it); its name."""
        env = self.site_env(site)
        name = env["DATABASE_URL"].rsplit("/", 1)[1]
        try:
            migrate(env)
            with contextlib.closing(sqlite3.connect(sqlite_path)) as source:
                tables = ("auth_user", "gallery_image")
                copy_tables(source, env["DATABASE_URL"], tables)
        except BaseException:
            drop_database(self.url, name)
            raise
        shutil.rmtree(site)
        return name

    def from_template(self, site, template):
        return self.site_env(site, template)

    def drop_template(self, template):
        drop_database(self.url, template)


STORES = {"sqlite": SqliteStore, "scale": ScaleStore}


def create_database(url, name, template=None):
    """A new, empty PostgreSQL database ``name`` (or a copy of ``template``)
    on the server of ``url``; its URL."""
    import psycopg

    copy = f" TEMPLATE {template}" if template else ""
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}{copy}")
    return url.rsplit("/", 1)[0] + "/" + name


def drop_database(url, name):
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def copy_tables(sqlite_db, pg_url, tables):
    """``tables`` of an open SQLite database, row for row, into PostgreSQL
    (emptied first), sequences and planner statistics brought up to date."""
    import psycopg

    with psycopg.connect(pg_url) as target:
        for table in tables:
            columns = [
                row[1] for row in sqlite_db.execute(f"PRAGMA table_info({table})")
            ]
            names = ", ".join(columns)
            target.execute(f"TRUNCATE {table} CASCADE")
            with target.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in sqlite_db.execute(f"SELECT {names} FROM {table}"):
                    copy.write_row(row)
        target.execute(
            "SELECT setval(pg_get_serial_sequence('auth_user', 'id'), "
            "(SELECT max(id) FROM auth_user))"
        )
        target.execute("ANALYZE")


def delete_prefix(prefix):
    """Every object under ``prefix`` in the S3 bucket of the environment."""
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=os.environ["S3_ENDPOINT_URL"],
        aws_access_key_id=os.environ["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["S3_SECRET_ACCESS_KEY"],
        region_name=os.environ.get("S3_REGION", "us-east-1"),
    )
    bucket = os.environ["S3_BUCKET"]
    pages = client.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=f"{prefix}/"
    )
    for page in pages:  # at most 1,000 keys a page, as delete_objects takes
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=bucket, Delete={"Objects": keys})

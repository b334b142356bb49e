"""Which settings each entry point uses, and what they log: checked in fresh
processes, as a person or a server would start them."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

BASE_DIR = settings.BASE_DIR


def python(tmp_path, *args, **variables):
    """Run Python in the project folder with none of the DJANGO_* variables
    this test run has (pytest-django sets the settings module), plus
    ``variables``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env.update(variables)
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_manage_py_works_in_a_fresh_checkout_with_nothing_set(tmp_path):
    code = "from django.conf import settings; print(settings.DEBUG)"
    run = python(tmp_path, "manage.py", "shell", "--verbosity", "0", "-c", code)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True"]


def test_the_wsgi_application_refuses_to_start_without_a_secret_key(tmp_path):
    run = python(tmp_path, "-c", "import imagerepo.wsgi")
    assert run.returncode != 0
    assert run.stderr.splitlines()[-1].startswith(
        "django.core.exceptions.ImproperlyConfigured: DJANGO_SECRET_KEY is not set"
    )


def test_the_wsgi_application_starts_with_a_secret_key(tmp_path):
    code = (
        "import imagerepo.wsgi; from django.conf import settings as s; print(s.DEBUG)"
    )
    run = python(tmp_path, "-c", code, DJANGO_SECRET_KEY="x" * 50)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False"]


@pytest.mark.parametrize("module", ["development", "test"])
def test_a_request_warning_is_logged_once(tmp_path, module):
    code = (
        "import django; django.setup(); from django.test import Client; "
        "print(Client(HTTP_HOST='localhost').get('/no-such-page/').status_code)"
    )
    run = python(
        tmp_path, "-c", code, DJANGO_SETTINGS_MODULE=f"imagerepo.settings.{module}"
    )
    assert run.stdout.split() == ["404"], run.stderr
    assert run.stderr.splitlines().count("Not Found: /no-such-page/") == 1, run.stderr

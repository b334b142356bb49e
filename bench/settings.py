"""Settings for benchmarks: the test settings (no collectstatic needed) plus a
trivial view to compare against (bench.urls)."""

from imagerepo.settings.test import *  # noqa: F401,F403

ROOT_URLCONF = "bench.urls"

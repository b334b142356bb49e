"""Settings for benchmarks: the test settings (no collectstatic needed) plus
bench-only views to compare against (bench.urls). Never used by the site."""

from imagerepo.settings.test import *  # noqa: F401,F403

ROOT_URLCONF = "bench.urls"
# bench/upload.py sends more files an hour than a person is allowed to.
IMAGEREPO_UPLOADS_PER_HOUR = 0

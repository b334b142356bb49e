"""The live site of the client's tests: production settings with tiny API
pages, so every listing in these tests follows cursors."""

from imagerepo.settings.production import *  # noqa: F401,F403

IMAGEREPO_API_PAGE_SIZE = 3

"""The live site of the grid and lightbox tests: the production settings with
short gallery pages, so a few dozen photos make more than one page."""

from imagerepo.settings.production import *  # noqa: F401,F403

IMAGEREPO_GALLERY_PAGE_SIZE = 20

"""Result grids kept and reused: the costly part of a gallery or search page.

A page's grid (its queries, 48 rendered tiles, the capped count and the
next-page cursor) is the same for every visit by the same viewer until an
image changes. It is cached under a key holding everything it depends on:

* the library version (gallery.library_version), which database triggers
  change with every write to the image table, so a grid is never stale:
  a switch to private, an edit, a delete or an import shows on the next
  request, in every process;
* the viewer (anonymous, or the user's id: owners see their private images,
  their select boxes and private badges), so no viewer gets another's grid;
* what was asked (filter, normalised query, cursor), the settings and
  templates that shape the grid, the site's secret (rendition URLs are
  signed with it) and the source of the Python that draws it (:data:`CODE`).

The rest of the page (the navigation bar with the CSRF token and the user's
name, messages, the bulk-action form) is rendered for each request.

A cache that fails is logged and the grid computed: never an error page.
``IMAGEREPO_RESULT_CACHE = False`` computes every grid.
"""

import hashlib
import logging
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe

from . import library_version

CACHE = "results"
# What renders a grid; a changed template (a deploy, or a reload in
# development) must not reuse grids made by the old one.
TEMPLATES = ("gallery/_results.html", "gallery/_tile.html")
# The Python that renders a grid: a shared, long-lived cache
# (IMAGEREPO_RESULT_CACHE_URL) outlives a deploy, whose grids must not be
# reused by code that draws them differently.
CODE = (
    "gallery.result_cache",
    "gallery.views.browse",
    "gallery.templatetags.gallery_tiles",
    "gallery.templatetags.search_results",
    "gallery.search.highlight",
    "gallery.models",
    "gallery.urls",
    "imagerepo.urls",
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Viewer:
    """All a grid may know of who looks at it: templates given this cannot
    show a name or an e-mail address, which the key does not hold."""

    pk: int | None

    @property
    def is_authenticated(self):
        return self.pk is not None


@dataclass(frozen=True)
class Listing:
    """What a page lists: for whom, which filter, query and cursor."""

    viewer: Viewer
    show: str
    query: str
    cursor: str


@dataclass(frozen=True)
class Results:
    """One page's grid. ``cursor`` is the one it was computed from ("" for
    the first page, also when the one asked for was not ours)."""

    html: str
    has_items: bool
    total: int
    next_cursor: str | None
    cursor: str

    @property
    def grid(self):
        return mark_safe(self.html)


def results_for(listing, compute, using=DEFAULT_DB_ALIAS):
    """``compute()``'s Results for ``listing``, or the same from the cache."""
    if not settings.IMAGEREPO_RESULT_CACHE:
        return compute()
    version = library_version.current(using)  # before any data is read
    if version is None:
        return compute()
    key = cache_key(listing, version, using)
    try:
        cache = caches[CACHE]
        found = cache.get(key)
    except Exception as error:  # any backend's failure; the page goes on
        logger.warning("Result cache unreadable, computing the page: %r", error)
        return compute()
    if isinstance(found, Results):
        return found
    results = compute()
    # Kept only if no write committed while it was computed: then it holds
    # exactly the library at ``version``, which a restored backup may bring
    # back (a newer grid under an older version would outlive the restore).
    if library_version.current(using) != version:
        return results
    if results.cursor != listing.cursor:
        # A cursor that was not ours got the first page: kept as that page,
        # so made-up cursors cannot each take a place in the cache.
        key = cache_key(replace(listing, cursor=results.cursor), version, using)
    try:
        cache.set(key, results)
    except Exception as error:
        logger.warning("Result cache unwritable: %r", error)
    return results


def cache_key(listing, version, using):
    inputs = (
        code_version(),
        using,
        version,
        listing,
        settings.IMAGEREPO_GALLERY_PAGE_SIZE,
        settings.IMAGEREPO_RESULT_COUNT_CAP,
        settings.IMAGEREPO_SEARCH_MAX_TERMS,
        get_script_prefix(),
        templates_version(),
        _secret_tag(settings.SECRET_KEY),
    )
    digest = hashlib.blake2b(repr(inputs).encode(), digest_size=20).hexdigest()
    return f"results:{digest}"


@lru_cache(maxsize=1)
def code_version():
    digest = hashlib.blake2b(digest_size=8)
    for name in CODE:
        digest.update(Path(import_module(name).__file__).read_bytes())
    return digest.hexdigest()


def templates_version():
    sources = "".join(get_template(name).template.source for name in TEMPLATES)
    return hashlib.blake2b(sources.encode(), digest_size=8).hexdigest()


@lru_cache(maxsize=4)
def _secret_tag(secret_key):
    # Rendition URLs are signed with SECRET_KEY: a new key, new URLs. The
    # key itself never goes into a cache key, only a value derived from it.
    return salted_hmac("gallery.result_cache", "grid", secret=secret_key).hexdigest()

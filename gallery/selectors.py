"""Reads: which images a viewer may see, a page, a count or one at a time.

Every page, the API and the file views ask here, and every function starts
from ``ImageQuerySet.visible_to`` (or ``owned_by``, for what only an owner
may have): nothing else decides who sees what.
"""

import operator
from functools import reduce

from django.contrib.auth import get_user_model
from django.db.models import Q, prefetch_related_objects

from .models import Image
from .pagination import KeysetPage, newest_first_page
from .search import count_matches, ranked_page

# What a signed-in person may narrow the gallery to; "all" is everyone's view.
SHOWS = ("all", "mine", "public", "private")
FILE_KINDS = ("thumbnail", "display", "original")


def visible_images(viewer):
    """Every image ``viewer`` (a user, or anonymous) may see."""
    return Image.objects.visible_to(viewer)


def owned_images(viewer):
    """``viewer``'s own images: the ones they may change."""
    return Image.objects.owned_by(viewer)


def _parts(viewer, show, owner):
    """The images ``show`` picks for ``viewer`` as disjoint querysets, each
    read newest first from one index. A page merges them: SQLite cannot walk
    one index for an OR of two columns in date order."""
    visible = Image.objects.visible_to(viewer)
    parts = {
        "all": lambda: Image.objects.visible_parts(viewer),
        "mine": lambda: [visible.owned_by(viewer)],
        "public": lambda: [visible.public()],
        "private": lambda: [visible.owned_by(viewer).private()],
    }[show]()
    if owner:
        username = f"owner__{get_user_model().USERNAME_FIELD}"
        parts = [part.filter(**{username: owner}) for part in parts]
    return parts


def image_page(
    *,
    viewer,
    show: str = "all",
    query: str = "",
    cursor: str = "",
    size: int,
    owner: str = "",
    with_owner: bool = False,
) -> KeysetPage:
    """The ``size`` images after ``cursor`` that ``viewer`` may see, narrowed
    by ``show`` (one of :data:`SHOWS`) and ``owner`` (a username): newest
    first, or with ``query`` the best matches first. ``with_owner`` loads
    each image's owner too (one query). Raises
    ``gallery.pagination.InvalidCursor`` for a cursor that is not ours."""
    parts = _parts(viewer, show, owner)
    query = " ".join(query.split())
    if query:
        page = ranked_page(reduce(operator.or_, parts), query, cursor, size)
    else:
        page = newest_first_page(parts, cursor, size)
    if with_owner:
        prefetch_related_objects(page.items, "owner")
    return page


def image_count_capped(
    *,
    viewer,
    show: str = "all",
    query: str = "",
    cap: int,
    first_page: KeysetPage | None = None,
) -> int:
    """How many images :func:`image_page` would list in all, counting no
    further than ``cap + 1``: "1,000+" reads as well as an exact figure and
    never costs a scan of a million rows. A ``first_page`` that holds every
    image is its own count."""
    if first_page is not None and first_page.next_cursor is None:
        return len(first_page.items)
    parts = _parts(viewer, show, "")
    query = " ".join(query.split())
    if query:
        return count_matches(reduce(operator.or_, parts), query, cap)
    total = 0
    for part in parts:  # past the cap, the other parts change nothing
        total += part[: cap + 1 - total].count()
        if total > cap:
            break
    return total


def image_neighbours(*, viewer, image) -> tuple[Image | None, Image | None]:
    """The images just newer and just older than ``image`` among those
    ``viewer`` may see (gallery order), or None at either end."""
    visible = Image.objects.visible_to(viewer)
    at, pk = image.created_at, image.pk
    newer = visible.filter(Q(created_at__gt=at) | Q(created_at=at, pk__gt=pk))
    older = visible.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    return (
        newer.order_by("created_at", "pk").first(),
        older.order_by("-created_at", "-pk").first(),
    )


def image_location(*, viewer, image) -> tuple[float, float] | None:
    """Where ``image`` was taken, for its owner alone: a place says where
    someone lives or was, which no public photo should tell anyone else."""
    if not image.has_location or image.owner_id != getattr(viewer, "pk", None):
        return None
    return image.latitude, image.longitude


def image_for_file(*, viewer, pk, kind: str) -> Image | None:
    """The image whose ``kind`` file (one of :data:`FILE_KINDS`) ``viewer``
    may download, or None: an original goes to its owner alone, renditions
    to anyone who may see the image."""
    if kind == "original":
        return Image.objects.owned_by(viewer).filter(pk=pk).first()
    return Image.objects.visible_to(viewer).filter(pk=pk).first()

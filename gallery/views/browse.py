"""Gallery, search and detail pages: every one starts from visible_to()."""

from functools import reduce

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.views.generic import DetailView, TemplateView

from ..models import Image
from ..pagination import InvalidCursor, newest_first_page
from ..result_cache import Listing, Results, Viewer, results_for
from ..search import count_matches, parse_terms, ranked_page
from ..templatetags.gallery_tiles import TILE_FIELDS

# Each filter is a list of disjoint querysets, each served by one index in
# newest-first order (see ImageQuerySet.visible_parts).
FILTERS = {
    "all": lambda user: Image.objects.visible_parts(user),
    "mine": lambda user: [Image.objects.visible_to(user).owned_by(user)],
    "public": lambda user: [Image.objects.visible_to(user).public()],
    "private": lambda user: [Image.objects.visible_to(user).owned_by(user).private()],
}


def capped_count(parts, cap):
    """Count at most ``cap + 1`` rows: "1,000+" reads as well as an exact
    figure, and never costs a scan of a million rows."""
    return min(sum(part[: cap + 1].count() for part in parts), cap + 1)


class GalleryView(TemplateView):
    """Newest first, ``?q=`` to search (ranked), ``?show=`` to filter,
    ``?after=`` to page. An empty or blank query is the gallery. The grid
    comes from gallery.result_cache; the rest is rendered per request."""

    template_name = "gallery/index.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        params = self.request.GET
        query = " ".join(params.get("q", "").split())
        show = params.get("show", "all")
        if show not in FILTERS or (show != "all" and not user.is_authenticated):
            show = "all"
        viewer = Viewer(user.pk if user.is_authenticated else None)
        listing = Listing(viewer, show, query, params.get("after", ""))
        results = results_for(listing, lambda: compute_results(listing, user))
        return super().get_context_data(
            query=query,
            terms=parse_terms(query),
            show=show,
            results=results,
            count_cap=settings.IMAGEREPO_RESULT_COUNT_CAP,
            filters=list(FILTERS),
            is_first_page=not results.cursor,
            **kwargs,
        )


def compute_results(listing, user):
    """The grid of ``listing``: its page of images rendered as tiles, the
    capped count and the cursors. ``user`` is the viewer; the tiles see only
    ``listing.viewer`` (see gallery.result_cache.Viewer)."""
    query = listing.query
    parts = [part.only(*TILE_FIELDS) for part in FILTERS[listing.show](user)]
    cap = settings.IMAGEREPO_RESULT_COUNT_CAP
    if query:
        images = reduce(lambda a, b: a | b, parts)
        page, cursor = _page(ranked_page, images, query, cursor=listing.cursor)
        total = _search_total(page, images, query, cursor, cap)
    else:
        page, cursor = _page(newest_first_page, parts, cursor=listing.cursor)
        total = capped_count(parts, cap)
    html = render_to_string(
        "gallery/_results.html",
        {"page": page, "user": listing.viewer, "terms": parse_terms(query)},
    )
    return Results(
        html=html,
        has_items=bool(page.items),
        total=total,
        next_cursor=page.next_cursor,
        cursor=cursor,
    )


def _search_total(page, images, query, cursor, cap):
    """A first page that holds every match is its own count."""
    if not cursor and page.next_cursor is None:
        return len(page.items)
    return count_matches(images, query, cap)


def _page(paginate, *args, cursor):
    """``paginate(*args, cursor, size)`` and the cursor it used: none (the
    first page) when the one asked for is not ours."""
    size = settings.IMAGEREPO_GALLERY_PAGE_SIZE
    try:
        return paginate(*args, cursor, size), cursor
    except InvalidCursor:
        return paginate(*args, "", size), ""


def neighbours(images, image):
    """The images just newer and just older than ``image`` in gallery order
    (newest first), or ``None`` at either end; two indexed lookups."""
    at, pk = image.created_at, image.pk
    newer = images.filter(Q(created_at__gt=at) | Q(created_at=at, pk__gt=pk))
    older = images.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    return (
        newer.order_by("created_at", "pk").first(),
        older.order_by("-created_at", "-pk").first(),
    )


class ImageDetailView(DetailView):
    template_name = "gallery/detail.html"
    context_object_name = "image"

    def get_queryset(self):
        return Image.objects.visible_to(self.request.user).select_related("owner")

    def get_context_data(self, **kwargs):
        visible = Image.objects.visible_to(self.request.user)
        newer, older = neighbours(visible, self.object)
        return super().get_context_data(newer=newer, older=older, **kwargs)

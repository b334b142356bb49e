"""Gallery, search and detail pages: they ask gallery.selectors and render."""

from django.conf import settings
from django.views.generic import DetailView, TemplateView

from ..pagination import InvalidCursor
from ..search import parse_terms
from ..selectors import (
    SHOWS,
    image_count_capped,
    image_location,
    image_neighbours,
    image_page,
    visible_images,
)


class GalleryView(TemplateView):
    """Newest first, ``?q=`` to search (ranked), ``?show=`` to filter,
    ``?after=`` to page. An empty or blank query is the gallery."""

    template_name = "gallery/index.html"

    def get_context_data(self, **kwargs):
        user, params = self.request.user, self.request.GET
        show = params.get("show", "all")
        if show not in SHOWS or not user.is_authenticated:
            show = "all"
        listing = {
            "viewer": user,
            "show": show,
            "query": " ".join(params.get("q", "").split()),
        }
        size = settings.IMAGEREPO_GALLERY_PAGE_SIZE
        cursor = params.get("after", "")
        try:
            page = image_page(**listing, cursor=cursor, size=size)
        except InvalidCursor:  # not ours, or from another listing
            cursor = ""
            page = image_page(**listing, size=size)
        cap = settings.IMAGEREPO_RESULT_COUNT_CAP
        total = image_count_capped(
            **listing, cap=cap, first_page=None if cursor else page
        )
        return super().get_context_data(
            **listing,
            terms=parse_terms(listing["query"]),
            page=page,
            total=total,
            count_cap=cap,
            filters=SHOWS,
            is_first_page=not cursor,
            **kwargs,
        )


class ImageDetailView(DetailView):
    template_name = "gallery/detail.html"
    context_object_name = "image"

    def get_queryset(self):
        return visible_images(self.request.user).select_related("owner")

    def get_context_data(self, **kwargs):
        viewer, image = self.request.user, self.object
        newer, older = image_neighbours(viewer=viewer, image=image)
        return super().get_context_data(
            newer=newer,
            older=older,
            location=image_location(viewer=viewer, image=image),
            **kwargs,
        )

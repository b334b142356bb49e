"""Gallery, search and detail pages: they ask gallery.selectors and render."""

from functools import partial

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.generic import DetailView, TemplateView

from ..pagination import ORDERS
from ..search import parse_terms
from ..selectors import (
    SHOWS,
    albums_holding,
    albums_matching,
    albums_to_add_to,
    downloadable_ids,
    image_count_capped,
    image_listing,
    image_location,
    image_neighbours,
    image_page,
    image_source,
    owned_images,
    timeline_years,
    trashed_images,
    visible_images,
)
from .links import ShareLinksMixin
from .mixins import requested_page


class GalleryView(TemplateView):
    """The timeline, newest taken first (``?order=uploaded`` by upload),
    ``?after=``/``?before=`` to page, ``?year=`` to jump; ``?q=`` to search
    (ranked; a year or month in it filters by date taken), ``?show=`` to
    filter. An empty or blank query is the gallery."""

    template_name = "gallery/index.html"

    def get_context_data(self, **kwargs):
        user, params = self.request.user, self.request.GET
        show = params.get("show", "all")
        if show not in SHOWS or not user.is_authenticated:
            show = "all"
        order = params.get("order", "taken")
        if order not in ORDERS:
            order = "taken"
        query = " ".join(params.get("q", "").split())
        listing = image_listing(viewer=user, show=show, query=query)
        words, dated = listing.words, listing.names_a_date
        # A query naming a date has picked its years, and a search ranks its
        # results: neither is jumped through by year (a jump out of a date's
        # years would land on none of its photos, under a count of them).
        size = settings.IMAGEREPO_GALLERY_PAGE_SIZE
        # A jump: any cursor is not read.
        year = None if words or dated else _year(params.get("year", ""))
        page, is_first_page = requested_page(
            partial(image_page, listing=listing, order=order, size=size),
            params,
            year=year,
        )
        # The year list spans the years between the ends, empty ones too.
        landed = getattr(page.items[0], ORDERS[order].field) if page.items else None
        cap = settings.IMAGEREPO_RESULT_COUNT_CAP
        total = image_count_capped(
            listing=listing, cap=cap, first_page=page if is_first_page else None
        )
        params = {"q": query} if query else {}
        return super().get_context_data(
            query=query,
            show=show,
            pager_params=urlencode({**params, "show": show, "order": order}),
            search_everywhere=urlencode(params),
            order=order,
            orders=ORDERS,
            timeline=not words,
            years=[]
            if words or dated
            else timeline_years(listing=listing, order=order),
            year=year,
            year_is_empty=bool(year and landed and landed.year < year),
            terms=parse_terms(words),
            names_a_date=dated,
            page=page,
            total=total,
            count_cap=cap,
            filters=SHOWS,
            add_albums=albums_to_add_to(viewer=user),
            matching_albums=albums_matching(viewer=user, query=words, limit=6)
            if words and is_first_page
            else [],
            is_first_page=is_first_page,
            **kwargs,
        )


def _year(value):
    # ASCII digits only: "²" is a digit to str.isdigit(), not to int().
    if not (value.isascii() and value.isdigit()):
        return None
    return int(value) if 1 <= int(value) <= 9998 else None


class ImageDetailView(ShareLinksMixin, DetailView):
    template_name = "gallery/detail.html"
    context_object_name = "image"
    link_field = "image"

    def get_queryset(self):
        return visible_images(self.request.user).select_related("owner")

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            in_trash = self.in_trash_page()
            if in_trash is None:
                raise
            return in_trash

    def in_trash_page(self):
        """Its owner may still have it in the trash: say so, and offer it
        back. Still a 404: there is no page for it until it is restored."""
        viewer, pk = self.request.user, self.kwargs["pk"]
        trashed = trashed_images(viewer=viewer, ids=[pk]).first()
        if trashed is None:
            return None
        context = {"image": trashed}
        return render(self.request, "gallery/in_trash.html", context, status=404)

    def link_target(self):
        return owned_images(self.request.user).filter(pk=self.kwargs["pk"]).first()

    def not_linkable(self):
        # A link form left open on a photo moved to the trash since.
        return self.in_trash_page()

    def get_context_data(self, **kwargs):
        viewer, image = self.request.user, self.object
        newer, older = image_neighbours(viewer=viewer, image=image)
        return super().get_context_data(
            newer=newer,
            older=older,
            location=image_location(viewer=viewer, image=image),
            source=image_source(viewer=viewer, image=image),
            in_albums=albums_holding(viewer=viewer, image=image),
            add_albums=albums_to_add_to(viewer=viewer, without=image)
            if image.owner_id == viewer.pk
            else [],
            can_download=image.pk in downloadable_ids(viewer=viewer, images=[image]),
            **self.links_context(image),
            **kwargs,
        )

"""Gallery, search and detail pages: every one starts from visible_to()."""

from django.conf import settings
from django.db.models import Q
from django.views.generic import DetailView, TemplateView

from ..models import Image
from ..pagination import keyset_page

COUNT_CAP = 1000

FILTERS = {
    "all": lambda qs, user: qs,
    "mine": lambda qs, user: qs.owned_by(user),
    "public": lambda qs, user: qs.public(),
    "private": lambda qs, user: qs.owned_by(user).private(),
}


def capped_count(queryset, cap=COUNT_CAP):
    """Count at most ``cap + 1`` rows: "1,000+" reads as well as an exact
    figure, and never costs a scan of a million rows."""
    return queryset[: cap + 1].count()


class GalleryView(TemplateView):
    """Newest first, ``?q=`` to search, ``?show=`` to filter, ``?after=`` to page."""

    template_name = "gallery/index.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        params = self.request.GET
        query = " ".join(params.get("q", "").split())
        show = params.get("show", "all")
        if show not in FILTERS or (show != "all" and not user.is_authenticated):
            show = "all"
        images = FILTERS[show](Image.objects.visible_to(user), user)
        if query:
            images = images.search(query)
        page = keyset_page(
            images.select_related("owner"),
            params.get("after", ""),
            settings.IMAGEREPO_GALLERY_PAGE_SIZE,
        )
        return super().get_context_data(
            query=query,
            show=show,
            page=page,
            total=capped_count(images),
            count_cap=COUNT_CAP,
            filters=["all", "mine", "public", "private"],
            is_first_page=not params.get("after"),
            **kwargs,
        )


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

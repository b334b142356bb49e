from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from gallery.selectors import FILE_KINDS

from .views.account import MeView, NotFoundView
from .views.albums import AlbumViewSet
from .views.docs import ApiDocsView
from .views.files import ImageFileView
from .views.images import ImageViewSet
from .views.links import LinkViewSet
from .views.trash import TrashViewSet

app_name = "api"

router = SimpleRouter(trailing_slash=True)
router.register("v1/images", ImageViewSet, basename="image")
router.register("v1/albums", AlbumViewSet, basename="album")
router.register("v1/links", LinkViewSet, basename="link")
router.register("v1/trash", TrashViewSet, basename="trash")

urlpatterns = [
    *router.urls,
    *[
        path(
            f"v1/images/<uuid:pk>/{kind}/",
            ImageFileView.as_view(kind=kind),
            name=f"image-{kind}",
        )
        for kind in FILE_KINDS
    ],
    path("v1/me/", MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", ApiDocsView.as_view(url_name="api:schema"), name="docs"),
    # Anything else under /api/ is a JSON 404, not the site's HTML page.
    re_path(r"^", NotFoundView.as_view()),
]

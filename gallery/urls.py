from django.urls import path

from .views.browse import GalleryView, ImageDetailView
from .views.files import ImageFileView
from .views.manage import ImageDeleteView, ImageEditView, UploadView

app_name = "gallery"

urlpatterns = [
    path("", GalleryView.as_view(), name="index"),
    path("upload/", UploadView.as_view(), name="upload"),
    path("images/<uuid:pk>/", ImageDetailView.as_view(), name="detail"),
    path("images/<uuid:pk>/edit/", ImageEditView.as_view(), name="edit"),
    path("images/<uuid:pk>/delete/", ImageDeleteView.as_view(), name="delete"),
    *[
        path(f"images/<uuid:pk>/{kind}/", ImageFileView.as_view(kind=kind), name=kind)
        for kind in ("thumbnail", "display", "original")
    ],
]

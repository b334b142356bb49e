from django.urls import path

from .selectors import FILE_KINDS
from .views.browse import GalleryView, ImageDetailView
from .views.files import ImageFileView
from .views.manage import BulkActionView, ImageDeleteView, ImageEditView, UploadView
from .views.uploads import CheckHashesView, UploadFileView

app_name = "gallery"

urlpatterns = [
    path("", GalleryView.as_view(), name="index"),
    path("upload/", UploadView.as_view(), name="upload"),
    path("upload/file/", UploadFileView.as_view(), name="upload-file"),
    path("upload/check/", CheckHashesView.as_view(), name="upload-check"),
    path("images/bulk/", BulkActionView.as_view(), name="bulk"),
    path("images/<uuid:pk>/", ImageDetailView.as_view(), name="detail"),
    path("images/<uuid:pk>/edit/", ImageEditView.as_view(), name="edit"),
    path("images/<uuid:pk>/delete/", ImageDeleteView.as_view(), name="delete"),
    *[
        path(f"images/<uuid:pk>/{kind}/", ImageFileView.as_view(kind=kind), name=kind)
        for kind in FILE_KINDS
    ],
]

from django.urls import path

from .selectors import FILE_KINDS
from .views.albums import (
    AlbumDeleteView,
    AlbumDetailView,
    AlbumDownloadView,
    AlbumEditView,
    AlbumLeaveView,
    AlbumListView,
    AlbumShareView,
)
from .views.browse import GalleryView, ImageDetailView
from .views.files import ImageFileView
from .views.links import (
    ShareLinkDownloadView,
    ShareLinkFileView,
    ShareLinkRemoveView,
    ShareLinkRevokeView,
    ShareLinkView,
)
from .views.manage import BulkActionView, ImageDeleteView, ImageEditView, UploadView
from .views.trash import TrashPurgeView, TrashRestoreView, TrashView
from .views.uploads import CheckHashesView, UploadFileView

app_name = "gallery"

urlpatterns = [
    path("", GalleryView.as_view(), name="index"),
    path("upload/", UploadView.as_view(), name="upload"),
    path("upload/file/", UploadFileView.as_view(), name="upload-file"),
    path("upload/check/", CheckHashesView.as_view(), name="upload-check"),
    path("images/bulk/", BulkActionView.as_view(), name="bulk"),
    path("trash/", TrashView.as_view(), name="trash"),
    path("trash/restore/", TrashRestoreView.as_view(), name="trash-restore"),
    path("trash/purge/", TrashPurgeView.as_view(), name="trash-purge"),
    path("albums/", AlbumListView.as_view(), name="albums"),
    path("albums/<uuid:pk>/", AlbumDetailView.as_view(), name="album"),
    path("albums/<uuid:pk>/edit/", AlbumEditView.as_view(), name="album-edit"),
    path("albums/<uuid:pk>/delete/", AlbumDeleteView.as_view(), name="album-delete"),
    path("albums/<uuid:pk>/share/", AlbumShareView.as_view(), name="album-share"),
    path("albums/<uuid:pk>/leave/", AlbumLeaveView.as_view(), name="album-leave"),
    path(
        "albums/<uuid:pk>/download/",
        AlbumDownloadView.as_view(),
        name="album-download",
    ),
    path("links/<uuid:pk>/revoke/", ShareLinkRevokeView.as_view(), name="link-revoke"),
    path("links/<uuid:pk>/remove/", ShareLinkRemoveView.as_view(), name="link-remove"),
    path("s/<str:token>/", ShareLinkView.as_view(), name="link"),
    path(
        "s/<str:token>/download/",
        ShareLinkDownloadView.as_view(),
        name="link-download",
    ),
    path(
        "s/<str:token>/<uuid:pk>/<str:kind>/",
        ShareLinkFileView.as_view(),
        name="link-file",
    ),
    path("images/<uuid:pk>/", ImageDetailView.as_view(), name="detail"),
    path("images/<uuid:pk>/edit/", ImageEditView.as_view(), name="edit"),
    path("images/<uuid:pk>/delete/", ImageDeleteView.as_view(), name="delete"),
    *[
        path(f"images/<uuid:pk>/{kind}/", ImageFileView.as_view(kind=kind), name=kind)
        for kind in FILE_KINDS
    ],
]

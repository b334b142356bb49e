"""``/api/v1/trash/``: your trash, through the same selectors and services
as the Trash page. Everything here is the caller's own: an id that is not in
their trash (someone else's, a live image, a made-up one) is not counted."""

from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gallery.selectors import trash_page, trashed_images
from gallery.services.images import images_purge, images_restore

from .. import serializers as s
from .. import trash_serializers as t
from ..parsers import JSONParser
from ..schema import errors
from .listing import page_response, valid


@extend_schema_view(
    list=extend_schema(
        parameters=[s.PageQuerySerializer],
        responses={200: t.TrashPageSerializer, **errors(400, 401, 429)},
        summary="Your trash, last deleted first",
        operation_id="v1_trash_list",
    ),
)
class TrashViewSet(viewsets.GenericViewSet):
    serializer_class = t.TrashedImageSerializer
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser]
    http_method_names = ["get", "post", "head", "options"]

    def list(self, request):
        query = valid(s.PageQuerySerializer, request.query_params)
        return page_response(
            request,
            lambda: trash_page(
                viewer=request.user,
                cursor=query.get("cursor", ""),
                size=query.get("page_size", settings.IMAGEREPO_API_PAGE_SIZE),
            ),
            lambda images: self.get_serializer(images, many=True).data,
        )

    def selected(self, request):
        data = valid(t.TrashSelectionSerializer, request.data)
        ids = None if data.get("all") else data["ids"]
        return trashed_images(viewer=request.user, ids=ids)

    @extend_schema(
        request=t.TrashSelectionSerializer,
        responses={
            200: t.TrashRestoredSerializer,
            **errors(400, 401, 413, 415, 429),
        },
        summary="Restore images from your trash, some (`ids`) or all",
    )
    @action(detail=False, methods=["post"])
    def restore(self, request):
        return Response({"restored": images_restore(self.selected(request))})

    @extend_schema(
        request=t.TrashSelectionSerializer,
        responses={
            200: t.TrashPurgedSerializer,
            **errors(400, 401, 413, 415, 429),
        },
        summary="Delete images in your trash for good, some (`ids`) or all; "
        "this cannot be undone",
    )
    @action(detail=False, methods=["post"])
    def purge(self, request):
        return Response({"purged": images_purge(self.selected(request))})

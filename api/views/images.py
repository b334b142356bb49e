"""``/api/v1/images/``: the same selectors and services as the pages."""

from collections import Counter

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from gallery.request_limits import refused_uploads
from gallery.selectors import (
    image_listing,
    image_page,
    trashed_images,
    visible_images,
)
from gallery.services.allowance import RATE_LIMITED, seconds_until_more_uploads
from gallery.services.images import image_purge, image_trash, image_update
from gallery.services.uploads import (
    CREATED,
    DUPLICATE,
    REJECTED,
    check_hashes,
    upload_album,
    upload_images,
)

from .. import serializers as s
from ..parsers import JSONParser
from ..permissions import IsOwnerOrReadOnly
from ..schema import errors
from .listing import page_response, uuid_or_404, valid


@extend_schema_view(
    list=extend_schema(
        parameters=[s.ImageListQuerySerializer],
        responses={200: s.ImagePageSerializer, **errors(400, 401, 429)},
        summary="Images you may see, newest taken first; ?q= searches (best "
        "match first)",
        operation_id="v1_images_list",
    ),
    retrieve=extend_schema(
        responses={200: s.ImageSerializer, **errors(401, 404, 429)},
        summary="One image",
    ),
    partial_update=extend_schema(
        request=s.ImageUpdateSerializer,
        responses={200: s.ImageSerializer, **errors(400, 401, 403, 404, 415, 429)},
        summary="Change the title, description, visibility or date taken of your image",
    ),
    destroy=extend_schema(
        parameters=[s.ImageDeleteQuerySerializer],
        responses={204: None, **errors(400, 401, 403, 404, 429)},
        summary="Move your image to your trash; with `permanent=true`, delete "
        "it and its files for good (also one already in your trash)",
    ),
)
class ImageViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ImageSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, IsOwnerOrReadOnly]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"

    def get_parsers(self):
        # Files come as multipart; everything else is JSON. (For requests
        # this runs before self.action is set, hence the look-up by method.)
        action = getattr(self, "action", None)
        if action is None and self.request is not None:
            action = self.action_map.get(self.request.method.lower())
        return [MultiPartParser() if action == "create" else JSONParser()]

    def get_queryset(self):
        return visible_images(self.request.user).select_related("owner")

    def list(self, request):
        params = valid(s.ImageListQuerySerializer, request.query_params)
        return page_response(
            request,
            lambda: image_page(
                listing=image_listing(
                    viewer=request.user,
                    show=params.get("visibility") or "all",
                    query=params.get("q", ""),
                    owner=params.get("owner", ""),
                    taken_after=params.get("taken_after"),
                    taken_before=params.get("taken_before"),
                ),
                order=params.get("ordering") or "taken",
                cursor=params.get("cursor", ""),
                size=params.get("page_size", settings.IMAGEREPO_API_PAGE_SIZE),
            ),
            lambda images: self.get_serializer(images, many=True).data,
        )

    def partial_update(self, request, pk=None):
        image = self.get_object()
        changes = s.ImageUpdateSerializer(image, data=request.data, partial=True)
        changes.is_valid(raise_exception=True)
        image_update(image, **changes.validated_data)
        return Response(self.get_serializer(image).data)

    def destroy(self, request, pk=None):
        query = valid(s.ImageDeleteQuerySerializer, request.query_params)
        if not query["permanent"]:
            image_trash(self.get_object())
        else:
            # Gone for good from the trash too, where get_object cannot see.
            image = self._in_trash(pk) or self.get_object()
            image_purge(image)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _in_trash(self, pk):
        return trashed_images(viewer=self.request.user, ids=[uuid_or_404(pk)]).first()

    @extend_schema(
        request={"multipart/form-data": s.ImageUploadSerializer},
        responses={
            201: OpenApiResponse(
                s.UploadResponseSerializer, description="At least one image was added."
            ),
            200: OpenApiResponse(
                s.UploadResponseSerializer,
                description="Nothing new: every file was a duplicate (or some were "
                "rejected and none added).",
            ),
            400: OpenApiResponse(
                s.UploadRejectedSerializer,
                description="Every file was rejected (the first one's reason on "
                "top), or the input is not valid (a plain error).",
            ),
            429: OpenApiResponse(
                s.UploadRejectedSerializer,
                description="The hourly upload limit: no file was taken. Wait "
                "for `Retry-After` seconds (also too many requests, as a plain "
                "error).",
            ),
            **errors(401, 403, 413, 415),
        },
        summary="Upload one or several image files",
    )
    def create(self, request):
        # Parsing skips files past the size limit as they stream in (see
        # gallery.request_limits); the service reports them with the rest.
        sent = request.FILES.getlist("files")
        refused = refused_uploads(request)
        if refused and not sent:
            outcomes = upload_images(owner=request.user, files=[], refused=refused)
            return self._upload_response(outcomes)
        data = valid(s.ImageUploadSerializer, request.data)
        album = self._album(request, data)
        outcomes = upload_images(
            owner=request.user,
            files=data["files"],
            title=data.get("title", ""),
            description=data.get("description", ""),
            visibility=data["visibility"],
            refused=refused,
            album=album,
        )
        return self._upload_response(outcomes)

    @staticmethod
    def _album(request, data):
        return upload_album(
            owner=request.user,
            album_id=data.get("album"),
            album_title=data.get("album_title", ""),
        )

    def _upload_response(self, outcomes):
        counts = Counter(o.outcome for o in outcomes)
        body = {
            "created": counts[CREATED],
            "duplicate": counts[DUPLICATE],
            "rejected": counts[REJECTED],
            "results": s.UploadOutcomeSerializer(
                outcomes, many=True, context=self.get_serializer_context()
            ).data,
        }
        if counts[CREATED] or counts[DUPLICATE]:
            code = status.HTTP_201_CREATED if counts[CREATED] else status.HTTP_200_OK
            return Response(body, status=code)
        # Nothing usable at all: an error, with the first file's reason on top
        # so a one-file upload reads like any other API error.
        first = {"code": outcomes[0].code, "message": outcomes[0].message}
        if first["code"] == RATE_LIMITED:
            wait = {"Retry-After": str(seconds_until_more_uploads())}
            return Response({**first, **body}, status=429, headers=wait)
        return Response({**first, **body}, status=status.HTTP_400_BAD_REQUEST)

    @extend_schema(
        request=s.HashCheckSerializer,
        responses={200: s.HashCheckResponseSerializer, **errors(400, 401, 415, 429)},
        summary="Which of these SHA-256s you already have (skip those uploads)",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="check-hashes",
        permission_classes=[permissions.IsAuthenticated],
    )
    def check_hashes(self, request):
        check = valid(s.HashCheckSerializer, request.data)
        # The services' refusals name their input (sha256, album): the API's
        # error handler answers them.
        existing, missing = check_hashes(
            owner=request.user,
            digests=check["sha256"],
            visibility=check.get("visibility"),
            album=self._album(request, check),
        )
        context = self.get_serializer_context()
        return Response(
            {
                "existing": s.HashCheckOutcomeSerializer(
                    existing, many=True, context=context
                ).data,
                "missing": missing,
            }
        )

"""``/api/v1/albums/``: albums and sharing them, through the same selectors
and services as the pages.

Albums belong to accounts, so every address here needs a token. An album you
may not open (neither yours nor shared with you) is not found (404), at every
address below it too; one shared with you answers 403 to what only its owner
may do. A contributor may also add their own images, and take them out.
"""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gallery.models import Album
from gallery.selectors import (
    album_for,
    album_page,
    album_share_with,
    album_shares,
    album_summary,
    albums_for,
    owned_images,
)
from gallery.services.albums import (
    album_add_images,
    album_create,
    album_delete,
    album_leave,
    album_remove_images,
    album_share,
    album_unshare,
    album_update,
)

from .. import album_serializers as a
from .. import serializers as s
from ..parsers import JSONParser
from ..schema import errors
from .listing import page_response, uuid_or_404, valid

MEANINGS = {
    403: "The album is shared with you, but only its owner may do this.",
    404: "No such album, or one you may not open.",
}


def answers(*codes):
    return errors(*codes, meanings=MEANINGS)


@extend_schema_view(
    list=extend_schema(
        responses={200: a.AlbumListSerializer, **answers(401, 429)},
        summary="Your albums and the albums shared with you",
        operation_id="v1_albums_list",
    ),
    create=extend_schema(
        request=a.AlbumCreateSerializer,
        responses={201: a.AlbumSerializer, **answers(400, 401, 413, 415, 429)},
        summary="Make an album",
    ),
    retrieve=extend_schema(
        responses={200: a.AlbumSerializer, **answers(401, 404, 429)},
        summary="One album",
    ),
    partial_update=extend_schema(
        request=a.AlbumUpdateSerializer,
        responses={
            200: a.AlbumSerializer,
            **answers(400, 401, 403, 404, 413, 415, 429),
        },
        summary="Rename your album, describe it or pick its cover",
    ),
    destroy=extend_schema(
        responses={204: None, **answers(401, 403, 404, 429)},
        summary="Delete your album (its images stay)",
    ),
)
class AlbumViewSet(viewsets.GenericViewSet):
    queryset = Album.objects.none()  # for the schema's id type only
    serializer_class = a.AlbumSerializer
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"

    def get_album(self):
        album = album_for(viewer=self.request.user, pk=uuid_or_404(self.kwargs["pk"]))
        if album is None:
            raise exceptions.NotFound()
        return album

    def render(self, album, status=status.HTTP_200_OK):
        album_summary(viewer=self.request.user, album=album)
        context = self.get_serializer_context()
        return Response(a.AlbumSerializer(album, context=context).data, status=status)

    def list(self, request):
        own, shared = albums_for(viewer=request.user)
        context = self.get_serializer_context()
        albums = a.AlbumSerializer(own + shared, many=True, context=context)
        return Response({"results": albums.data})

    def create(self, request):
        data = valid(a.AlbumCreateSerializer, request.data)
        album = album_create(
            owner=request.user,
            title=data["title"],
            description=data.get("description", ""),
            order=data.get("order"),
        )
        return self.render(album, status=status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        return self.render(self.get_album())

    def partial_update(self, request, pk=None):
        album = self.get_album()
        data = valid(a.AlbumUpdateSerializer, request.data)
        cover = data.get("cover")
        if "cover" in data and cover is None:
            cover = False  # asked to clear it
        album_update(
            album,
            user=request.user,
            title=data.get("title"),
            description=data.get("description"),
            cover=cover,
            order=data.get("order"),
        )
        return self.render(album)

    def destroy(self, request, pk=None):
        album_delete(self.get_album(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # ------------------------------------------------------------ images

    @extend_schema(
        methods=["GET"],
        parameters=[s.PageQuerySerializer],
        responses={200: s.ImagePageSerializer, **answers(400, 401, 404, 429)},
        summary="The album's images you may see, by date taken in its `order`",
    )
    @extend_schema(
        methods=["POST"],
        request=a.AlbumImagesSerializer,
        responses={
            200: a.AlbumImagesAddedSerializer,
            **answers(400, 401, 403, 413, 415, 429),
            404: OpenApiResponse(
                s.ErrorSerializer,
                description="No such album, or one you may not open; or an id "
                "that is not one of your images (then nothing is added).",
            ),
        },
        summary="Add your own images to an album you own or contribute to",
    )
    @action(detail=True, methods=["get", "post"])
    def images(self, request, pk=None):
        album = self.get_album()
        if request.method == "POST":
            return self._add_images(request, album)
        query = valid(s.PageQuerySerializer, request.query_params)
        context = self.get_serializer_context()
        return page_response(
            request,
            lambda: album_page(
                viewer=request.user,
                album=album,
                cursor=query.get("cursor", ""),
                size=query.get("page_size", settings.IMAGEREPO_API_PAGE_SIZE),
            ),
            lambda images: s.ImageSerializer(images, many=True, context=context).data,
        )

    def _add_images(self, request, album):
        ids = valid(a.AlbumImagesSerializer, request.data)["images"]
        mine = owned_images(request.user).filter(pk__in=ids)
        missing = set(ids) - set(mine.values_list("pk", flat=True))
        if missing:
            raise exceptions.NotFound(f"You have no image {min(missing)}.")
        added = album_add_images(album, user=request.user, images=ids)
        return Response({"added": added})

    @extend_schema(
        request=a.AlbumImagesSerializer,
        responses={
            200: a.AlbumImagesRemovedSerializer,
            **answers(400, 401, 404, 413, 415, 429),
        },
        summary="Take images out of an album (they stay in the library); "
        "anyone it is shared with takes out their own",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="images/remove",
        url_name="images-remove",
    )
    def remove_images(self, request, pk=None):
        album = self.get_album()
        ids = valid(a.AlbumImagesSerializer, request.data)["images"]
        removed = album_remove_images(album, user=request.user, images=ids)
        return Response({"removed": removed})

    # ------------------------------------------------------------ shares

    @extend_schema(
        methods=["GET"],
        responses={200: a.ShareListSerializer, **answers(401, 403, 404, 429)},
        summary="Whom your album is shared with",
    )
    @extend_schema(
        methods=["POST"],
        request=a.ShareCreateSerializer,
        responses={
            200: a.ShareSerializer,
            **answers(400, 401, 403, 404, 413, 415, 429),
        },
        summary="Share your album with an account, or change how",
    )
    @action(detail=True, methods=["get", "post"])
    def shares(self, request, pk=None):
        album = self.get_album()
        if request.method == "POST":
            data = valid(a.ShareCreateSerializer, request.data)
            share = album_share(album, user=request.user, **data)
            return Response(a.ShareSerializer(share).data)
        shares = album_shares(viewer=request.user, album=album)
        return Response({"results": a.ShareSerializer(shares, many=True).data})

    @extend_schema(
        request=None,
        responses={
            204: None,
            **errors(
                401,
                403,
                404,
                429,
                meanings={
                    403: "The album is yours: only those it is shared with may "
                    "leave it.",
                    404: MEANINGS[404],
                },
            ),
        },
        summary="Leave an album shared with you",
        description="As when its owner stops sharing it with you: you no "
        "longer see it, nor those of its images that are not public, and "
        "the images you added as a contributor leave it (they stay yours).",
    )
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        album_leave(self.get_album(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses={
            204: None,
            **answers(401, 403, 429),
            404: OpenApiResponse(
                s.ErrorSerializer,
                description="No such album, one you may not open, or it is not "
                "shared with that account (or the account was deleted).",
            ),
        },
        summary="Stop sharing your album with an account",
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"shares/(?P<username>[^/]+)",
        url_name="share",
    )
    def unshare(self, request, pk=None, username=None):
        album = self.get_album()
        # Found as sharing finds the account: "Bob" for bob.
        share = album_share_with(viewer=request.user, album=album, username=username)
        if share is None:
            raise exceptions.NotFound("The album is not shared with that account.")
        album_unshare(album, user=request.user, person=share.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

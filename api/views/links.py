"""``/api/v1/links/``: your share links, made, revoked and removed through
the same services as the pages. Another person's album, image or link is not
found."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gallery.models import ShareLink
from gallery.selectors import owned_album, owned_images, share_link_of, share_links_of
from gallery.services.links import (
    share_link_create,
    share_link_remove,
    share_link_revoke,
)

from .. import album_serializers as a
from ..parsers import JSONParser
from ..schema import errors
from .listing import uuid_or_404, valid

MEANINGS = {404: "No such link, album or image of yours."}


def answers(*codes):
    return errors(*codes, meanings=MEANINGS)


@extend_schema_view(
    list=extend_schema(
        responses={200: a.LinkListSerializer, **answers(401, 429)},
        summary="Your share links",
        operation_id="v1_links_list",
    ),
    create=extend_schema(
        request=a.LinkCreateSerializer,
        responses={201: a.LinkMadeSerializer, **answers(400, 401, 404, 413, 415, 429)},
        summary="Make a share link to your album or image (its address is "
        "in this answer only)",
    ),
    destroy=extend_schema(
        responses={
            204: None,
            **errors(
                400, meanings={400: "It still works (`link_open`): revoke it first."}
            ),
            **answers(401, 404, 429),
        },
        summary="Remove your revoked or expired share link from the list: its "
        "address answers as one that never existed",
    ),
)
class LinkViewSet(viewsets.GenericViewSet):
    queryset = ShareLink.objects.none()  # for the schema's id type only
    serializer_class = a.LinkSerializer
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser]
    http_method_names = ["get", "post", "delete", "head", "options"]
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"

    def list(self, request):
        links = share_links_of(viewer=request.user)
        return Response({"results": a.LinkSerializer(links, many=True).data})

    def create(self, request):
        data = valid(a.LinkCreateSerializer, request.data)
        album = image = None
        if data.get("album"):
            album = owned_album(viewer=request.user, pk=data["album"])
        else:
            image = owned_images(request.user).filter(pk=data["image"]).first()
        if album is None and image is None:
            raise exceptions.NotFound()
        link, token = share_link_create(
            user=request.user,
            album=album,
            image=image,
            expires_in_days=data.get("expires_in_days"),
            password=data.get("password", ""),
            allow_download=data["allow_download"],
            label=data.get("label", ""),
        )
        url = request.build_absolute_uri(reverse("gallery:link", args=[token]))
        body = a.LinkMadeSerializer(link, context={"url": url}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: a.LinkSerializer, **answers(401, 404, 429)},
        summary="Revoke your share link: its page and files stop at once",
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        link = self._own_link(pk)
        share_link_revoke(link, user=request.user)
        return Response(a.LinkSerializer(link).data)

    def destroy(self, request, pk=None):
        share_link_remove(self._own_link(pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _own_link(self, pk):
        link = share_link_of(viewer=self.request.user, pk=uuid_or_404(pk))
        if link is None:
            raise exceptions.NotFound()
        return link

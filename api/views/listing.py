"""What the API's views share: a query or body read through a serializer,
and one page of a keyset listing (images, an album's images, the trash) in
one shape."""

import uuid

from django.db.models import prefetch_related_objects
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from gallery.pagination import InvalidCursor


def valid(serializer_class, data):
    """``data`` as ``serializer_class`` reads it; a 400 naming each bad
    field otherwise."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def uuid_or_404(text):
    """``text`` as an id; 404 for anything else, as for an id nobody has."""
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFound() from None


def page_response(request, read_page, serialize):
    """``read_page()``, a selector's keyset page of images, as
    ``{"results", "next_cursor", "next"}``: ``serialize(images)`` gives the
    results (each names its owner: read in one query), ``next`` is this
    request's URL with the next cursor. A cursor that is not ours is a 400."""
    try:
        page = read_page()
    except InvalidCursor:
        raise ValidationError(
            {"cursor": "This cursor is not valid; start again without one."},
            code="invalid_cursor",
        ) from None
    prefetch_related_objects(page.items, "owner")
    return Response(
        {
            "results": serialize(page.items),
            "next_cursor": page.next_cursor,
            "next": _next_url(request, page.next_cursor),
        }
    )


def _next_url(request, cursor):
    if cursor is None:
        return None
    params = request.query_params.copy()
    params["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

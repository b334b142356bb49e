"""Image files for API clients: the site's permission-checked delivery,
reached with an API token as well as a session."""

from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from gallery.delivery import send_image_file

from ..schema import errors


class ImageFileView(APIView):
    kind = None
    renderer_classes = [JSONRenderer]

    @extend_schema(
        responses={
            (200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY),
            **errors(401, 404, 429),
        },
        summary="Download one of an image's files",
    )
    def get(self, request, pk):
        response = send_image_file(request, pk, self.kind)
        patch_vary_headers(response, ["Authorization"])
        return response

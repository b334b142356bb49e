from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import ApiToken
from ..schema import errors
from ..serializers import MeSerializer


class MeView(APIView):
    """Who the API thinks you are: a cheap way to check a token."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: MeSerializer, **errors(401, 429)})
    def get(self, request):
        token = request.auth if isinstance(request.auth, ApiToken) else None
        return Response(
            {
                "username": request.user.get_username(),
                "token_name": token.name if token else None,
            }
        )


@extend_schema(exclude=True)
class NotFoundView(APIView):
    permission_classes = [permissions.AllowAny]

    def dispatch(self, request, *args, **kwargs):
        # Every method, so a typo answers 404 rather than 405.
        self.http_method_names = [*APIView.http_method_names]
        return super().dispatch(request, *args, **kwargs)

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise exceptions.NotFound("There is no such API address.")

    get = post = put = patch = delete = http_method_not_allowed

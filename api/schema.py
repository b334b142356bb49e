"""The OpenAPI description's shared pieces, and drf-spectacular extensions:
how our own classes appear in the schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse

from .serializers import ErrorSerializer

ERROR_MEANINGS = {
    400: "The input is not valid; `code` says why.",
    401: "No token, or a wrong, revoked or expired one.",
    403: "Not allowed (for example, someone else's image).",
    404: "No such image, or one you may not see.",
    413: "The request is too large.",
    415: "Wrong Content-Type: files go as multipart/form-data, the rest as JSON.",
    429: "Too many requests; wait for `Retry-After` seconds.",
}


def errors(*codes, meanings=None):
    """``{status: error response}`` for ``extend_schema(responses=...)``;
    ``meanings`` ({status: description}) words some of them for one place."""
    meanings = {**ERROR_MEANINGS, **(meanings or {})}
    return {
        code: OpenApiResponse(ErrorSerializer, description=meanings[code])
        for code in codes
    }


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from Account › API tokens "
            "or `manage.py create_token`.",
        }

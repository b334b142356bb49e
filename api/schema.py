"""drf-spectacular extensions: how our own classes appear in the schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from Settings › API tokens "
            "or `manage.py create_token`.",
        }


class PagedListSchema(AutoSchema):
    """Our list answers one page object (``results``, ``next_cursor``,
    ``next``), not the bare array drf-spectacular assumes for ``list``."""

    def _is_list_view(self, serializer=None):
        if getattr(self.view, "action", None) == "list":
            return False
        return super()._is_list_view(serializer)

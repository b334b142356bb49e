"""``Authorization: Bearer <key>`` with a personal API token."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from rest_framework import authentication, exceptions

from .tokens import TokenExpired, token_authenticate


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise self._failed("Send the token as 'Authorization: Bearer <token>'.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise self._failed("The API token is not valid.") from None
        try:
            token = token_authenticate(key)
        except TokenExpired as expired:
            day = date_format(timezone.localtime(expired.token.expires_at))
            raise exceptions.AuthenticationFailed(
                f"This API token expired on {day}: make a new one under "
                f"Account › API tokens ({reverse('api-tokens')}).",
                code="token_expired",
            ) from None
        if token is None:
            raise self._failed("The API token is not valid or has been revoked.")
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when credentials are missing or wrong.
        return 'Bearer realm="api"'

    @staticmethod
    def _failed(message):
        return exceptions.AuthenticationFailed(message, code="invalid_token")

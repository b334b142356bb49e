"""Rate limits: one bucket per API token (or signed-in user), one per
anonymous address. Rates are settings, read on every request.

Counters live in the default cache, where they are the only keys (see the
settings' cache section), and an anonymous caller is told apart by the same
address rule as the sign-in lock-out (``gallery.request_limits.client_ip``):
a header the client wrote itself, such as X-Forwarded-For, never counts."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from gallery.request_limits import client_ip

from .models import ApiToken


class RateThrottle(SimpleRateThrottle):
    def get_ident(self, request):
        return client_ip(request)


class TokenRateThrottle(RateThrottle):
    scope = "token"

    def get_rate(self):
        return settings.IMAGEREPO_API_RATE_TOKEN

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousRateThrottle(RateThrottle):
    scope = "anon"

    def get_rate(self):
        return settings.IMAGEREPO_API_RATE_ANON

    def get_cache_key(self, request, view):
        if request.user.is_authenticated:
            return None
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }

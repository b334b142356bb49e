"""Personal API tokens: the only code that creates, checks or revokes them."""

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from .models import ApiToken

KEY_PREFIX = "imgr_"
PREFIX_LENGTH = len(KEY_PREFIX) + 6
DEFAULT_NAME = "API token"
# Recording every use would make each GET a database write.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_key(key):
    # A plain SHA-256 is enough here: keys carry 240 random bits, so there is
    # nothing to brute-force, and lookups stay one indexed equality match.
    return hashlib.sha256(key.encode()).hexdigest()


class TokenExpired(Exception):
    """The key is a token's that has expired (``.token`` says when)."""

    def __init__(self, token):
        super().__init__(f"expired at {token.expires_at}")
        self.token = token


def token_create(*, user, name="", lifetime: timedelta | None = None):
    """Make a token for ``user`` that opens the API for ``lifetime`` (None:
    until revoked); returns ``(token, key)``. The key is not stored
    anywhere: hand it to the user now, it cannot be shown again."""
    key = KEY_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(
        user=user,
        name=(name or "").strip()[:100] or DEFAULT_NAME,
        prefix=key[:PREFIX_LENGTH],
        key_hash=hash_key(key),
        expires_at=timezone.now() + lifetime if lifetime else None,
    )
    return token, key


def token_revoke(token):
    """Stop ``token`` from opening the API, at once and for good."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(key):
    """The active token whose key is ``key`` (with its user), or ``None``;
    raises :class:`TokenExpired` for one whose time is up, so its holder
    can be told why and what to do."""
    if not key.startswith(KEY_PREFIX):
        return None
    token = (
        ApiToken.objects.unrevoked()
        .select_related("user")
        .filter(key_hash=hash_key(key))
        .first()
    )
    if token is not None and token.is_expired:
        raise TokenExpired(token)
    if token is not None:
        _touch(token)
    return token


def _touch(token):
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now

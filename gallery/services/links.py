"""Share links: making, opening, revoking and removing them.

A link's token is 32 random bytes shown once, to its owner; only its SHA-256
is stored, so the database cannot give the addresses away. A password is
hashed with Django's password hasher, never kept or sent in a URL.

Wrong tokens and passwords count against the client; past its hourly
allowance every link answers it "too many", so tokens and passwords cannot
be guessed by trying. Wrong passwords count against their link too, so that
many addresses together cannot keep guessing one link's.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone

from ..models import ShareLink
from . import hourly, refused

TOKEN_BYTES = 32
LABEL_MAX_LENGTH = ShareLink._meta.get_field("label").max_length


def clean_label(label):
    """``label`` as a link keeps it: trimmed, and any run of spaces or line
    breaks inside made one space, as an album's title is."""
    label = " ".join((label or "").split())
    if len(label) > LABEL_MAX_LENGTH:
        raise refused(
            "label",
            "A label is at most %(limit)s characters.",
            code="max_length",
            params={"limit": LABEL_MAX_LENGTH},
        )
    return label


def share_link_create(
    *,
    user,
    album=None,
    image=None,
    expires_in_days: int | None = None,
    password: str = "",
    allow_download: bool = False,
    label: str = "",
) -> tuple[ShareLink, str]:
    """A link to ``album`` or ``image`` (``user``'s own) and its token, which
    is never stored and so cannot be shown again. ``label`` tells the owner's
    links apart; only the owner ever sees it."""
    target = album or image
    if target is None or target.owner_id != user.pk:
        raise PermissionDenied("Only the owner may share this.")
    label = clean_label(label)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = ShareLink.objects.create(
        owner=user,
        album=album,
        image=None if album else image,
        label=label,
        token_hash=ShareLink.hash_token(token),
        password=make_password(password) if password else "",
        expires_at=timezone.now() + timedelta(days=expires_in_days)
        if expires_in_days
        else None,
        allow_download=allow_download,
    )
    return link, token


def share_link_revoke(link, *, user):
    """Close the link: its page and every file address it handed out answer
    404 from the next request on."""
    if link.owner_id != user.pk:
        raise PermissionDenied("Only the link's owner may revoke it.")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])


def share_link_remove(link, *, user):
    """Take a closed (revoked or expired) link off its owner's list. Its row
    goes, token hash and all, so its address answers from then on as one
    that never existed. An open link is refused: tidying the list must not
    stop a link someone still uses, so that takes a revocation first."""
    if link.owner_id != user.pk:
        raise PermissionDenied("Only the link's owner may remove it.")
    if link.is_open(timezone.now()):
        raise ValidationError(
            "This link still works, so it cannot be removed: revoke it first.",
            code="link_open",
        )
    link.delete()


def guessing_stopped(*, client: str, link=None) -> bool:
    """Whether ``client`` (its address), or anyone at all when ``link`` is
    given, has guessed wrong too often this hour to be answered."""
    if link is not None:
        limit = settings.IMAGEREPO_SHARE_LINK_PASSWORD_FAILURES_PER_HOUR
        if hourly.count(f"share-link-password-failures:{link.pk}") >= limit:
            return True
    limit = settings.IMAGEREPO_SHARE_LINK_FAILURES_PER_HOUR
    return hourly.count(f"share-link-failures:{client}") >= limit


def wrong_token(*, client: str, token: str) -> None:
    """Count ``token``, which opens nothing, against ``client``: once. A
    page whose link was revoked asks for each of its images with that token,
    which is one wrong link, not dozens (they would lock the client out of
    every other link it holds)."""
    if hourly.first_time(f"share-link-token:{client}:{ShareLink.hash_token(token)}"):
        hourly.add_one(f"share-link-failures:{client}")


def share_link_password_ok(link, password: str, *, client: str) -> bool:
    """Whether ``password`` opens ``link``; a wrong one is counted against
    ``client`` and against the link."""
    if link.has_password and check_password(password, link.password):
        return True
    hourly.add_one(f"share-link-failures:{client}")
    hourly.add_one(f"share-link-password-failures:{link.pk}")
    return False


def share_link_viewed(link):
    ShareLink.objects.filter(pk=link.pk).update(view_count=F("view_count") + 1)

"""Share links: making, opening, revoking and removing them.

A link's token is 32 random bytes shown once, to its owner; only its SHA-256
is stored, so the database cannot give the addresses away. A password is
hashed with Django's password hasher, never kept or sent in a URL.
"""

import secrets
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone

from ..models import ShareLink

TOKEN_BYTES = 32
LABEL_MAX_LENGTH = ShareLink._meta.get_field("label").max_length


def clean_label(label):
    """``label`` as a link keeps it: trimmed, and any run of spaces or line
    breaks inside made one space, as an album's title is."""
    label = " ".join((label or "").split())
    if len(label) > LABEL_MAX_LENGTH:
        raise ValidationError(
            {
                "label": ValidationError(
                    "A label is at most %(limit)s characters.",
                    code="max_length",
                    params={"limit": LABEL_MAX_LENGTH},
                )
            }
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


def share_link_password_ok(link, password: str) -> bool:
    return link.has_password and check_password(password, link.password)


def share_link_viewed(link):
    ShareLink.objects.filter(pk=link.pk).update(view_count=F("view_count") + 1)

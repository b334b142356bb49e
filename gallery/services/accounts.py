"""Accounts: the e-mail address a reset goes to, the budget of reset mails,
what a successful reset undoes, and deleting an account. Django's own auth
views set and check passwords; these are the writes around them."""

import hashlib
import time

import axes.utils
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from ..models import Account, Image, ShareLink
from .images import images_restore, images_trash

# What may become of a password reset request: a mail goes out (if the
# address has an account), or the address or the client has had its hourly
# share of them.
SEND, ADDRESS_LIMITED, CLIENT_LIMITED = "send", "address-limited", "client-limited"


def account_set_email(*, user, email: str) -> None:
    """Make ``email`` (a valid address) the one reset mails go to."""
    user.email = email
    user.save(update_fields=["email"])


def password_reset_allowance(*, client: str, email: str) -> str:
    """Whether a reset mail may go to ``email``, asked for by ``client`` (its
    address): :data:`SEND`, or :data:`CLIENT_LIMITED` past the client's hourly
    requests, or :data:`ADDRESS_LIMITED` past the address's hourly mails.
    Every address counts, with an account or not, so the answer tells nothing
    about which addresses have one."""
    if not _within_hourly(
        f"password-reset-requests:{client}",
        settings.IMAGEREPO_PASSWORD_RESET_REQUESTS_PER_HOUR,
    ):
        return CLIENT_LIMITED
    # Hashed: an address is no fit for a cache key, and need not sit in one.
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    if not _within_hourly(
        f"password-reset-mails:{address}",
        settings.IMAGEREPO_PASSWORD_RESET_MAILS_PER_HOUR,
    ):
        return ADDRESS_LIMITED
    return SEND


def signup_allowed(*, client: str) -> bool:
    """Whether ``client`` (its address) may make one more account this hour
    (IMAGEREPO_SIGNUPS_PER_HOUR, 0 for no limit); counts it if so."""
    limit = settings.IMAGEREPO_SIGNUPS_PER_HOUR
    return not limit or _within_hourly(f"signups:{client}", limit)


def _within_hourly(key, limit):
    """Count one more for ``key`` this hour; False once past ``limit``."""
    key = f"{key}:{int(time.time() // 3600)}"
    cache.add(key, 0, timeout=3600)
    return cache.incr(key) <= limit


def password_reset_done(*, user) -> None:
    """After ``user`` chose a new password from a reset mail: their failed
    sign-ins no longer count. Whoever can read the account's mail may sign in
    again at once, instead of waiting out a lock-out from their own typos."""
    axes.utils.reset(username=user.get_username())


def account_delete(*, user) -> int:
    """Delete ``user``'s account, as its owner asked: it can no longer sign
    in (nor its API tokens or reset mails work), its links stop, and its
    images go to the trash, so nobody sees them any more. ``purge_trash``
    removes the account with its images once IMAGEREPO_TRASH_DAYS have
    passed; until then an administrator can still undo it. Returns how many
    images went to the trash."""
    now = timezone.now()
    with transaction.atomic():
        Account.of(user)
        Account.objects.filter(pk=user.pk).update(deleted_at=now)
        user.is_active = False
        user.save(update_fields=["is_active"])
        ShareLink.objects.filter(owner=user, revoked_at__isnull=True).update(
            revoked_at=now
        )
        # Dated as the account's deletion, so that an undo knows which
        # images went with it (and leaves those trashed before alone).
        return images_trash(Image.objects.filter(owner=user), at=now)


def account_undelete(*, user) -> int:
    """Undo :func:`account_delete` before ``purge_trash`` gets to it: the
    person may sign in again and finds their images as they were, those in
    the trash before the deletion still there (their links stay revoked).
    Returns how many images came back."""
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=user.pk)
        if account.deleted_at is None:
            return 0
        restored = images_restore(
            Image.objects.filter(owner=user, trashed_at=account.deleted_at)
        )
        Account.objects.filter(pk=user.pk).update(deleted_at=None)
        user.is_active = True
        user.save(update_fields=["is_active"])
    return restored

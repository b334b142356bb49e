"""Accounts: the e-mail address a reset goes to (changed once the new one
confirms it), the budget of reset mails, what a successful reset undoes, and
deleting an account. Django's own auth views set and check passwords; these
are the writes around them."""

import hashlib
import logging
from dataclasses import dataclass, replace

import axes.utils
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from ..models import Account, Image, ShareLink
from ..selectors import email_in_use
from . import hourly
from .images import images_restore, images_trash

logger = logging.getLogger(__name__)

# What may become of a password reset request: a mail goes out (if the
# address has an account), or the address or the client has had its hourly
# share of them.
SEND, ADDRESS_LIMITED, CLIENT_LIMITED = "send", "address-limited", "client-limited"

# What became of a request to change an address: the link was mailed, or the
# account has had its hourly share of such mails, or the mail server failed.
MAILED, MAILS_LIMITED, MAIL_FAILED = "mailed", "mails-limited", "mail-failed"

# Keeps a link that confirms an address apart from every other signed value.
EMAIL_CHANGE_SALT = "gallery.accounts.email-change"


@dataclass(frozen=True)
class EmailChange:
    """What a confirmation link asks for: ``user`` takes ``email``. Once
    made, ``told`` is the old address if a notice went to it."""

    user: AbstractBaseUser
    email: str
    told: str = ""


def email_change_request(*, user, email: str, domain: str, use_https: bool) -> str:
    """Mail ``email`` a link that makes it ``user``'s address once opened
    (:func:`email_change_apply`). Nothing changes before then, so a mistyped
    address, or one that is not theirs, never receives the account's reset
    links. The link names ``domain`` and https if ``use_https``, as the reset
    mail's does; it works for PASSWORD_RESET_TIMEOUT. Returns :data:`MAILED`,
    or :data:`MAILS_LIMITED` past IMAGEREPO_PASSWORD_RESET_MAILS_PER_HOUR of
    them for the account (the site must not mail any address it is told to,
    however often), or :data:`MAIL_FAILED` if the mail could not be sent
    (logged)."""
    limit = settings.IMAGEREPO_PASSWORD_RESET_MAILS_PER_HOUR
    if not _within_hourly(f"email-change-mails:{user.pk}", limit):
        return MAILS_LIMITED
    asked = {"user": user.pk, "email": email, "was": _address_tag(user)}
    context = {
        "user": user,
        "token": signing.dumps(asked, salt=EMAIL_CHANGE_SALT),
        "domain": domain,
        "protocol": "https" if use_https else "http",
        "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    subject = render_to_string("registration/email_change_subject.txt", context)
    body = render_to_string("registration/email_change_email.txt", context)
    try:
        send_mail("".join(subject.splitlines()), body, None, [email])
    except OSError:
        logger.exception("Failed to send an address confirmation for %s", user.pk)
        return MAIL_FAILED
    return MAILED


def email_change_pending(*, token: str) -> EmailChange | None:
    """The change a confirmation link (``token``) asks for, if it may still
    be made: the link is genuine and not expired, its account is open and
    still has the address it had when the link was sent (so a link works
    once, and an old one cannot undo a later change), and no other account
    has taken the new address since. None otherwise."""
    return _pending(token, get_user_model().objects.all())


def email_change_apply(
    *, token: str, viewer, domain: str, use_https: bool
) -> EmailChange | None:
    """Make the change a confirmation link asks for, if
    :func:`email_change_pending` allows it and ``viewer`` is signed in as
    the account: whoever reads the mail must also know the account's
    password, or a stranger at a mistyped address could confirm it and then
    reset the password. The old address, if there was one, is told: someone
    who got hold of the password could otherwise move the account's resets
    to their own address unseen. None if nothing changed."""
    with transaction.atomic():
        change = _pending(token, get_user_model().objects.select_for_update())
        if change is None or change.user.pk != getattr(viewer, "pk", None):
            return None
        old = change.user.email
        account_set_email(user=change.user, email=change.email)
    if old and _tell_old_address(change, old, domain=domain, use_https=use_https):
        return replace(change, told=old)
    return change


def _tell_old_address(change, old, *, domain, use_https):
    """Mail ``old`` that the address changed; whether it went. The new
    address is shown masked: the old mailbox may be the one someone else
    reads (the reason to change it)."""
    context = {
        "user": change.user,
        "email": _masked(change.email),
        "domain": domain,
        "protocol": "https" if use_https else "http",
    }
    subject = render_to_string("registration/email_changed_subject.txt", context)
    body = render_to_string("registration/email_changed_email.txt", context)
    try:
        send_mail("".join(subject.splitlines()), body, None, [old])
    except OSError:
        # The change is made and the account page shows it; a notice that
        # cannot go out is no reason to undo it.
        logger.exception("Failed to tell %s's old address of a change", change.user.pk)
        return False
    return True


def _masked(email):
    """``alice@new.example`` as ``a•••@new.example``."""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}•••@{domain}"


def _pending(token, users):
    try:
        asked = signing.loads(
            token, salt=EMAIL_CHANGE_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT
        )
    except signing.BadSignature:  # expired links too
        return None
    # An account its owner deleted (account_delete) is inactive, as is one
    # an administrator switched off.
    user = users.filter(pk=asked["user"], is_active=True).first()
    if (
        user is None
        or not constant_time_compare(asked["was"], _address_tag(user))
        or email_in_use(email=asked["email"], other_than=user)
    ):
        return None
    return EmailChange(user=user, email=asked["email"])


def _address_tag(user):
    """Stands for ``user``'s current address (and password) in a link. Not
    the address itself: a signed value is readable, and the link goes to the
    new address, whose owner (a stranger, if it was mistyped) must not learn
    the old one. With the password's hash, as Django's reset tokens: a new
    password spends every link asked for before it, one an intruder asked
    for included."""
    value = f"{user.pk}:{user.email}:{user.password}"
    return salted_hmac(EMAIL_CHANGE_SALT, value, algorithm="sha256").hexdigest()


def account_set_email(*, user, email: str) -> None:
    """Make ``email`` (a valid address) the one reset mails go to. Django's
    reset tokens depend on the address, so this spends the links sent to the
    old one."""
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
    return hourly.add_one(key) <= limit


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

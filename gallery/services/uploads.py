"""Uploads from people: the one path for the upload form, the upload page's
JSON endpoint, the API and the admin.

:func:`upload_images` checks a request's limits once (files per request,
the hourly allowance) and gives one :class:`UploadOutcome` per file;
:func:`upload_image` stores one file; :func:`check_hashes` tells an uploader
which files it need not send. Each entrance only renders the outcomes, so
every one of them speaks the same words: ``created``, ``duplicate`` or
``rejected``, with a ``code`` and a ``message``.
"""

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from ..limits import (
    account_closed,
    deleted_meanwhile,
    file_too_large,
    invalid_visibility,
    too_many_files,
)
from ..models import Account, Album, Image, Visibility
from ..selectors import albums_to_add_to, can_add_to
from . import first_error, refused
from .albums import album_add_images, album_for_import, clean_title
from .allowance import rate_limited_error, take_upload_allowance
from .images import image_restore, image_update
from .ingest import hash_file, prepare_image
from .quotas import quota_ledger
from .storing import build_image, existing_image, insert_images, write_image_files

CREATED, DUPLICATE, REJECTED = "created", "duplicate", "rejected"
OUTCOMES = (CREATED, DUPLICATE, REJECTED)

# What a duplicate's code says: bytes the owner already has never make an
# image more visible than it is, only less.
DUPLICATE_MESSAGES = {
    "duplicate": "You already have this photo.",
    "duplicate_now_private": "You already had this photo as a public one; "
    "it is now private.",
    "duplicate_kept_private": "You already have this photo as a private one; "
    "it stays private.",
    "restored": "This photo was in your trash; it is back.",
    "restored_now_private": "This photo was in your trash as a public one; "
    "it is back, now private.",
    "restored_kept_private": "This photo was in your trash as a private one; "
    "it is back, still private.",
}
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
# What an upload's ``album`` says to go into a new album (see upload_album).
NEW_ALBUM = "new"


@dataclass(frozen=True)
class UploadOutcome:
    """What became of one file. ``outcome`` is one of :data:`OUTCOMES`;
    ``code`` says more (``created``, a duplicate's code, or why it was
    rejected) and ``message`` says it to people; ``image`` is the stored
    image, or None for a rejected file."""

    name: str
    outcome: str
    code: str
    message: str
    image: Image | None = None

    @classmethod
    def rejected(cls, name: str, error: ValidationError) -> "UploadOutcome":
        _, first = first_error(error)
        return cls(name, REJECTED, first.code or "invalid", first.messages[0])


def upload_images(
    *,
    owner,
    files: Sequence,
    title: str = "",
    description: str = "",
    visibility: str = Visibility.PRIVATE,
    refused: Iterable[str] = (),
    album: "Album | NewAlbum | None" = None,
    remember_visibility: bool = False,
) -> list[UploadOutcome]:
    """Store ``files`` (uploaded files) for ``owner``, one outcome per file
    in order, then one per name in ``refused`` (files skipped while they
    streamed in, for being too large). ``title`` and ``description`` go to
    every file, as the browser's uploader sends them; a blank title titles
    each after its file name. Files past the hourly
    allowance are rejected unread; too many files at once are all rejected.
    Given an ``album`` (see :func:`upload_album`), the images stored and the
    duplicates go in it; one ``owner`` may not add to is refused before any
    file is read. With ``remember_visibility`` (a choice the person made on
    the upload page), ``visibility`` is what that page offers them next."""
    _check_album(album, owner)
    if remember_visibility and visibility in Visibility.values:
        remember_upload_visibility(owner, visibility)
    too_large = [UploadOutcome.rejected(name, file_too_large()) for name in refused]
    if len(files) > settings.IMAGEREPO_MAX_FILES_PER_REQUEST:
        error = too_many_files(len(files))
        return [UploadOutcome.rejected(f.name, error) for f in files] + too_large
    allowed = take_upload_allowance(owner, len(files))
    fields = {
        "title": title,
        "description": description,
        "visibility": visibility,
    }
    outcomes = [upload_image(owner=owner, file=f, **fields) for f in files[:allowed]]
    if album is not None:
        stored = [o.image for o in outcomes if o.image is not None]
        if stored:
            _add_to(album, owner, stored)
    over = rate_limited_error()
    outcomes += [UploadOutcome.rejected(f.name, over) for f in files[allowed:]]
    return outcomes + too_large


def remember_upload_visibility(owner, visibility: str) -> None:
    """Make ``visibility`` the choice ``owner``'s upload page offers first."""
    Account.of(owner)
    Account.objects.filter(pk=owner.pk).update(upload_visibility=visibility)


@dataclass(frozen=True)
class NewAlbum:
    """An album an upload asks for by title: made (or the owner's album of
    that title taken) once an image goes in, so an upload whose files are
    all refused leaves no empty album behind."""

    title: str


def _check_album(album, owner):
    """Refuse, before any file is read, an album ``owner`` may not add to."""
    if isinstance(album, Album) and not can_add_to(album, owner):
        raise unknown_album()


def _add_to(album, owner, images):
    if isinstance(album, NewAlbum):
        album = album_for_import(owner=owner, title=album.title)
    album_add_images(album, user=owner, images=images)


def upload_album(*, owner, album_id, album_title="") -> "Album | NewAlbum | None":
    """The album an upload asks to go in: ``album_id`` as sent (a form
    field's text; blank for none) naming an album ``owner`` may add to, or
    :data:`NEW_ALBUM` for ``owner``'s album called ``album_title``, made if
    missing once an image goes in (a :class:`NewAlbum`; every file of a
    batch names it, so the first one stored makes it).
    Raises ``ValidationError`` ``unknown_album`` for any other id and
    ``album_title_required`` for a blank title, so an upload into a wrong
    album stores nothing."""
    album_id = str(album_id or "").strip()
    if not album_id:
        return None
    if album_id == NEW_ALBUM:
        title = album_title if isinstance(album_title, str) else ""
        return NewAlbum(clean_title(title, field="album_title"))
    try:
        pk = uuid.UUID(album_id)
    except ValueError:
        raise unknown_album() from None
    album = albums_to_add_to(viewer=owner).filter(pk=pk).first()
    if album is None:
        raise unknown_album()
    return album


def unknown_album():
    return refused(
        "album",
        "There is no such album that you may add photos to.",
        code="unknown_album",
    )


def upload_image(
    *,
    owner,
    file,
    name: str = "",
    title: str = "",
    description: str = "",
    visibility: str = Visibility.PRIVATE,
) -> UploadOutcome:
    """Hash, check, decode, render and store one file for ``owner``. A
    rejected file leaves no file and no row behind; bytes the owner already
    has come back as that image (see :func:`duplicate_outcome`). A new image
    must fit in the owner's quota: checked once its size is known, before
    it is decoded, and counted only if it is stored."""
    name = name or getattr(file, "name", "") or "image"
    try:
        if not getattr(owner, "is_active", True):
            # Its images are in the trash on their way out: none may come
            # back or join them (an upload in flight as it was deleted).
            raise account_closed()
        check_visibility(visibility)
        digest = hash_file(file)
        existing = existing_image(owner, digest.sha256)
        if existing is not None:
            return duplicate_outcome(existing, name=name, visibility=visibility)
        with quota_ledger(owner) as quota:
            quota.take(digest.sha256, digest.size)
            prepared = prepare_image(file, filename=name, digest=digest)
            image = build_image(
                prepared,
                owner=owner,
                title=title,
                description=description,
                visibility=visibility,
            )
            write_image_files(image, prepared, file)
            [stored] = insert_images([image])
            if not stored.is_duplicate:
                quota.keep(digest.sha256)
    except ValidationError as error:
        return UploadOutcome.rejected(name, error)
    if stored.is_duplicate:  # the same bytes landed a moment ago
        return duplicate_outcome(stored, name=name, visibility=visibility)
    return UploadOutcome(name, CREATED, CREATED, "Added.", stored)


def duplicate_outcome(image, *, name: str, visibility: str | None) -> UploadOutcome:
    """The outcome of sending bytes the owner already has as ``image``,
    asking for ``visibility``. Asked private, a public image becomes private
    (the safe direction); asked public, a private one stays private. An
    image in the trash comes back. Every outcome says what happened.
    ``None`` asks for nothing."""
    code = "duplicate"
    if image.in_trash:
        if not image_restore(image):
            return UploadOutcome.rejected(name, deleted_meanwhile())
        code = "restored"
    if visibility == Visibility.PRIVATE and not image.is_private:
        image_update(image, visibility=Visibility.PRIVATE)
        code = f"{code}_now_private"
    elif visibility == Visibility.PUBLIC and image.is_private:
        code = f"{code}_kept_private"
    return UploadOutcome(name, DUPLICATE, code, DUPLICATE_MESSAGES[code], image)


def check_hashes(
    *,
    owner,
    digests,
    visibility: str | None = None,
    album: "Album | NewAlbum | None" = None,
) -> tuple[list[UploadOutcome], list[str]]:
    """Which of ``digests`` (SHA-256s in hex) ``owner`` already has: a
    duplicate outcome for each of those, named by its digest (an uploader
    need not send them; asked ``visibility`` is applied, and the images go in
    ``album``, as an upload would), and the digests still to send. Raises
    ``ValidationError`` for a body that is not such a list, or one over
    IMAGEREPO_MAX_HASHES_PER_CHECK."""
    if visibility is not None:
        check_visibility(visibility)
    _check_album(album, owner)
    wanted = clean_digests(digests)
    known = Image.objects.owned_by(owner).filter(sha256__in=wanted)
    found = {image.sha256: image for image in known}
    existing = [
        duplicate_outcome(found[sha], name=sha, visibility=visibility)
        for sha in wanted
        if sha in found
    ]
    if album is not None and found:
        _add_to(album, owner, list(found.values()))
    return existing, [sha for sha in wanted if sha not in found]


def clean_digests(digests) -> list[str]:
    """``digests`` as lower-case SHA-256 hex digests, each once, in order."""
    if digests is None:
        raise refused("sha256", "Send the SHA-256 digests to check.", code="required")
    if not isinstance(digests, list) or not all(isinstance(d, str) for d in digests):
        raise refused("sha256", "Send a list of SHA-256 digests.", code="invalid")
    if not digests:
        raise refused("sha256", "Send at least one SHA-256 digest.", code="empty")
    limit = settings.IMAGEREPO_MAX_HASHES_PER_CHECK
    if len(digests) > limit:
        raise refused(
            "sha256",
            "Send at most %(limit)s digests at a time.",
            code="too_many_hashes",
            params={"limit": limit},
        )
    wanted = list(dict.fromkeys(d.lower() for d in digests))
    if not all(SHA256_HEX.fullmatch(d) for d in wanted):
        raise refused(
            "sha256", "A SHA-256 digest is 64 hexadecimal digits.", code="invalid_hash"
        )
    return wanted


def check_visibility(visibility):
    if visibility not in Visibility.values:
        raise invalid_visibility()

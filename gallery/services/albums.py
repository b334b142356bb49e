"""Albums and sharing them: the only code that changes either.

Who may do what is checked here, from the acting user: an album's owner
changes it, shares it and removes anything from it; a contributor adds and
removes their own images; images added are always the adder's own.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from ..models import Album, AlbumImage, AlbumOrder, AlbumShare, Image, ShareRole
from ..selectors import albums_open_to, albums_titled, can_add_to, named
from . import refused

TITLE_MAX_LENGTH = Album._meta.get_field("title").max_length


def clean_title(title, *, field="title"):
    """``title`` as an album keeps it; refused if blank, or holding what no
    database stores (a NUL, or half of a UTF-16 pair sent as a JSON escape:
    these titles do not always come through a form's field), or too long:
    cut short, it would name another album than the one asked for. ``field``
    is the input it came in."""
    title = " ".join((title or "").split())
    if not title:
        raise refused(field, "An album needs a title.", code="album_title_required")
    if len(title) > TITLE_MAX_LENGTH:
        raise refused(
            field,
            "An album title is at most %(limit)d characters.",
            code="max_length",
            params={"limit": TITLE_MAX_LENGTH},
        )
    if not _storable(title):
        raise refused(
            field,
            "An album title cannot hold control characters.",
            code="album_title_invalid",
        )
    return title


def _storable(text):
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _taken(owner, title, exclude=None):
    # In any case: "christmas 2020" beside "Christmas 2020" is the same
    # album to a person, and one title would have to pick between them.
    others = albums_titled(owner=owner, title=title)
    if any(album.pk != getattr(exclude, "pk", None) for album in others):
        raise refused(
            "title",
            "You already have an album called “%(title)s”.",
            code="album_exists",
            params={"title": title},
        )


def album_create(*, owner, title, description="", order=None, images=()) -> Album:
    """A new album, of ``owner``'s ``images`` if given (as
    :func:`album_add_images` adds them: others' are skipped); ``order``
    (``AlbumOrder``) left out lists it newest first. Made with its photos or
    not at all."""
    title = clean_title(title)
    order = _valid_order(order or AlbumOrder.NEWEST)
    _taken(owner, title)
    try:
        with transaction.atomic():
            album = Album.objects.create(
                owner=owner,
                title=title,
                description=(description or "").strip(),
                order=order,
            )
            if images:
                album_add_images(album, user=owner, images=images)
            return album
    except IntegrityError:  # the same title created at the same moment
        _taken(owner, title)
        raise


def album_for_import(*, owner, title, order=None) -> Album:
    """The owner's album called ``title`` (in another case too, see
    selectors.albums_titled), made if missing, in ``order`` (an
    ``AlbumOrder``; an album already there keeps its own)."""
    title = clean_title(title)
    album = _album_called(owner, title)
    if album is None:
        try:
            album = album_create(owner=owner, title=title, order=order)
        except ValidationError:  # made meanwhile by another process
            album = _album_called(owner, title)
    return album


def _album_called(owner, title):
    # Written so, else in another case; of two that differ only in case (two
    # creates at one moment can make them), the oldest.
    same = albums_titled(owner=owner, title=title)
    exact = [album for album in same if album.title == title]
    return (exact or same or [None])[0]


def album_update(album, *, user, title=None, description=None, cover=None, order=None):
    """Rename, describe, pick the cover (an image in the album, or its
    id; ``cover`` False clears it) or the order (``AlbumOrder``) of the
    album's photos. ``None`` leaves a field as is. The
    present cover may be given again while it is in the trash: the choice
    is kept for when it comes back."""
    _must_own(album, user)
    fields = []
    if title is not None:
        album.title = clean_title(title)
        _taken(album.owner, album.title, exclude=album)
        fields.append("title")
    if description is not None:
        album.description = description.strip()
        fields.append("description")
    if order is not None:
        album.order = _valid_order(order)
        fields.append("order")
    if cover is not None:
        if cover is not False:
            # Only the present cover may stay from the trash: a page saved
            # while it waits there must not lose the owner's choice. Read
            # as stored: a model form has already set ``album.cover``.
            present = Album.objects.filter(pk=album.pk).values("cover")
            candidates = album.images.filter(Q(trashed_at=None) | Q(pk__in=present))
            cover = candidates.filter(pk=getattr(cover, "pk", cover)).first()
            if cover is None:
                raise refused(
                    "cover",
                    "That photo is not in this album: choose one that is.",
                    code="cover_not_in_album",
                )
        album.cover = cover or None
        fields.append("cover")
    try:
        with transaction.atomic():
            album.save(update_fields=[*fields, "updated_at"])
    except IntegrityError:  # renamed to the same title at the same moment
        _taken(album.owner, album.title, exclude=album)
        raise
    return album


def album_delete(album, *, user):
    """Delete the album; its images stay where they are."""
    _must_own(album, user)
    album.delete()


def album_add_images(album, *, user, images) -> int:
    """Add ``user``'s own images among ``images`` (a queryset or list) to
    ``album``; returns how many were new to it. Others' images are skipped."""
    if not can_add_to(album, user):
        raise PermissionDenied(
            "Only the album's owner and its contributors may add images."
        )
    ids = list(
        Image.objects.owned_by(user)
        .filter(pk__in=[getattr(i, "pk", i) for i in images])
        .values_list("pk", flat=True)
    )
    # Counted among these images alone: a big album is not read twice, and
    # other images added meanwhile are not counted as this call's.
    present = album.entries.filter(image_id__in=ids)
    before = present.count()
    AlbumImage.objects.bulk_create(
        [AlbumImage(album=album, image_id=pk, added_by=user) for pk in ids],
        ignore_conflicts=True,
    )
    added = present.count() - before
    if added:
        album.save(update_fields=["updated_at"])
    return added


def album_remove_images(album, *, user, images) -> int:
    """Take ``images`` out of ``album`` (they stay in the library): any of
    them for its owner; for anyone else the album is shared with, their own
    (a contributor made a viewer may still take back what they added)."""
    pks = [getattr(i, "pk", i) for i in images]
    entries = album.entries.filter(image_id__in=pks)
    if album.owner_id != user.pk:
        if not albums_open_to(viewer=user).filter(pk=album.pk).exists():
            raise PermissionDenied("You cannot change this album.")
        entries = entries.filter(image__owner=user)
    removed, _ = entries.delete()
    if not removed:
        return 0
    if (
        album.cover_id in pks
        and not album.entries.filter(image_id=album.cover_id).exists()
    ):
        album.cover = None
    album.save(update_fields=["cover", "updated_at"])
    return removed


def album_share(album, *, user, username, role=None, allow_download=None):
    """Share ``album`` with the account called ``username`` (or change how
    it is shared with them): ``role`` and ``allow_download`` left out (None)
    stay as they were, for a new share a viewer without downloads."""
    _must_own(album, user)
    if role is not None and role not in ShareRole.values:
        raise refused("role", "Unknown role.", code="invalid_choice")
    person = _account_called((username or "").strip())
    if person is None:
        raise refused(
            "username",
            "There is no account called “%(name)s”.",
            code="unknown_user",
            params={"name": (username or "").strip()},
        )
    if person.pk == album.owner_id:
        raise refused("username", "This is your own album.", code="own_album")
    asked = {"role": role, "allow_download": allow_download}
    changes = {name: value for name, value in asked.items() if value is not None}
    share, _ = AlbumShare.objects.update_or_create(
        album=album,
        user=person,
        defaults=changes,
        create_defaults={"role": ShareRole.VIEWER, "allow_download": False, **changes},
    )
    return share


def _account_called(name):
    """The account ``name`` names (see selectors.named), if it is active.
    Closed accounts are looked at too: the exact name of a closed account
    must never fall through to another account's name in another case."""
    User = get_user_model()
    person = named(User.objects.all(), User.USERNAME_FIELD, name)
    return person if person is not None and person.is_active else None


def album_unshare(album, *, user, person):
    """Stop sharing ``album`` with ``person``: from their next request on,
    they see none of its private images, and a contributor's own images are
    taken out of it."""
    _must_own(album, user)
    _end_share(album, person)


def album_leave(album, *, user):
    """``user`` leaves ``album``, shared with them: as if its owner had
    stopped sharing it with them (:func:`album_unshare`)."""
    if not album.shares.filter(user=user).exists():  # their own, say
        raise PermissionDenied("Only someone the album is shared with may leave it.")
    _end_share(album, user)


def _end_share(album, person):
    with transaction.atomic():
        AlbumShare.objects.filter(album=album, user=person).delete()
        # A contributor's photos leave with them: they could no longer take
        # them out themselves.
        album.entries.filter(image__owner=person).delete()
        # As when a photo is taken out: a cover no longer in the album would
        # come back unasked if the photo were added again.
        if Image.objects.filter(pk=album.cover_id, owner=person).exists():
            album.cover = None
            album.save(update_fields=["cover", "updated_at"])


def _valid_order(order):
    if order not in AlbumOrder.values:
        raise refused("order", "Unknown order.", code="invalid_choice")
    return order


def _must_own(album, user):
    if album.owner_id != getattr(user, "pk", None):
        raise PermissionDenied("Only the album's owner may do this.")

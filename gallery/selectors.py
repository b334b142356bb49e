"""Reads: which images a viewer may see, a page, a count or one at a time.

Every page, the API and the file views ask here, and every function starts
from ``ImageQuerySet.visible_to`` (or ``in_album`` for an album's images,
``owned_by`` for what only an owner may have): nothing else decides who sees
what.
"""

import operator
from dataclasses import dataclass
from datetime import datetime
from functools import reduce

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.utils import timezone

from .models import (
    Account,
    Album,
    AlbumShare,
    Image,
    ShareLink,
    Visibility,
    still_sharing,
)
from .pagination import (
    ORDERS,
    TAKEN_FORWARDS,
    TRASHED,
    KeysetPage,
    timeline_page,
    year_start,
)
from .search import count_matches, ranked_page
from .search.dates import date_readings
from .search.terms import WORD

# What a signed-in person may narrow the gallery to; "all" is everyone's view.
SHOWS = ("all", "mine", "public", "private", "shared")
FILE_KINDS = ("thumbnail", "display", "original")


def visible_images(viewer):
    """Every image ``viewer`` (a user, or anonymous) may see."""
    return Image.objects.visible_to(viewer)


def owned_images(viewer):
    """``viewer``'s own images: the ones they may change."""
    return Image.objects.owned_by(viewer)


def _parts(viewer, show, owner):
    """The images ``show`` picks for ``viewer`` as disjoint querysets, each
    read newest first from one index. A page merges them: SQLite cannot walk
    one index for an OR of two columns in date order. None at all when the
    viewer can have none there (a visitor's own photos, a person nothing is
    shared with): a search backend needs a query to plan."""
    if show in ("mine", "private") and not getattr(viewer, "is_authenticated", False):
        return []
    visible = Image.objects.visible_to
    parts = {
        "all": lambda: Image.objects.visible_parts(viewer),
        "mine": lambda: [visible(viewer).owned_by(viewer)],
        "public": lambda: [visible(viewer).public()],
        "private": lambda: [visible(viewer).owned_by(viewer).private()],
        "shared": lambda: [
            part for part in [Image.objects.shared_with(viewer)] if part is not None
        ],
    }[show]()
    if owner:
        username = f"owner__{get_user_model().USERNAME_FIELD}"
        parts = [part.filter(**{username: owner}) for part in parts]
    return parts


@dataclass(frozen=True, eq=False)
class Listing:
    """The images a gallery, search or API list shows ``viewer``, worked out
    once per request and read by :func:`image_page`,
    :func:`image_count_capped` and :func:`timeline_years`: the disjoint
    parts to merge (see :func:`_parts`), narrowed to the dates taken asked
    for and to a date the query names (``names_a_date``), and the words
    left to look for."""

    parts: tuple
    words: str
    names_a_date: bool = False


def image_listing(
    *,
    viewer,
    show: str = "all",
    query: str = "",
    owner: str = "",
    taken_after: datetime | None = None,
    taken_before: datetime | None = None,
) -> Listing:
    """What ``viewer`` sees under ``show`` (one of :data:`SHOWS`), narrowed
    by ``owner`` (a username), the date taken (``taken_after`` included,
    ``taken_before`` not) and ``query``. A day, month or year in the query
    (gallery.search.dates) is read as the date the photos were taken only
    if a photo taken then matches the rest of it, the most precise reading
    first ("room 12 june 2019": on 12 June, else in June with the word
    "12"); else it is searched for as words like any other, as in a title
    that names a year ("Christmas 1987", scanned in 2019)."""
    query = " ".join(query.split())
    parts = _parts(viewer, show, owner)
    parts = _taken_between(parts, taken_after, taken_before)
    for words, start, end in date_readings(query):
        dated = _taken_between(parts, start, end)
        if _any_match(dated, words):
            return Listing(tuple(dated), words, names_a_date=True)
    return Listing(tuple(parts), query)


def image_page(
    *,
    listing: Listing,
    order: str = "taken",
    cursor: str = "",
    before: str = "",
    year: int | None = None,
    size: int,
) -> KeysetPage:
    """The ``size`` images of ``listing`` after ``cursor``: newest first in
    ``order`` (one of :data:`~gallery.pagination.ORDERS`), or with words to
    look for the best matches first. Without words, ``before`` (a page's
    ``newer_cursor``) asks for the page before, ``year`` jumps to the
    newest image of that year or the next older one. Raises
    ``gallery.pagination.InvalidCursor`` for a cursor that is not ours."""
    parts = list(listing.parts)
    if not parts:
        return KeysetPage([], next_cursor=None)
    if listing.words:
        return ranked_page(reduce(operator.or_, parts), listing.words, cursor, size)
    if year:
        return timeline_page(
            parts, order=ORDERS[order], size=size, after=year_start(year)
        )
    return _paged(parts, ORDERS[order], size, cursor, before)


def _paged(parts, order, size, cursor="", before=""):
    """The page of ``parts`` after ``cursor``, or before ``before`` (a
    page's ``newer_cursor``), in ``order``."""
    return timeline_page(
        parts,
        order=order,
        size=size,
        after=order.read(cursor) if cursor and not before else None,
        before=order.read(before) if before else None,
    )


def image_count_capped(
    *, listing: Listing, cap: int, first_page: KeysetPage | None = None
) -> int:
    """How many images ``listing`` holds, counting no further than ``cap +
    1``: "1,000+" reads as well as an exact figure and never costs a scan of
    a million rows. A ``first_page`` that holds every image is its own
    count."""
    if first_page is not None and first_page.next_cursor is None:
        return len(first_page.items)
    if not listing.parts:
        return 0
    if listing.words:
        return count_matches(reduce(operator.or_, listing.parts), listing.words, cap)
    total = 0
    for part in listing.parts:  # past the cap, the other parts change nothing
        total += part[: cap + 1 - total].count()
        if total > cap:
            break
    return total


def _taken_between(parts, start, end):
    if start:
        parts = [part.filter(taken_at__gte=start) for part in parts]
    if end:
        parts = [part.filter(taken_at__lt=end) for part in parts]
    return parts


def _any_match(parts, words):
    if not parts:
        return False
    if words:
        return count_matches(reduce(operator.or_, parts), words, 0) > 0
    return any(part.exists() for part in parts)


def timeline_years(*, listing: Listing, order: str = "taken") -> list[int]:
    """The years a year jump through ``listing`` offers, newest first: from
    its newest image's to its oldest's, each end read from an index. Years
    between without photos are offered too (a jump there lands on the next
    older photos, and the page says so): finding them would cost a query
    per year spanned on every page (BENCHMARKS.md, "Signed-in pages")."""
    field = ORDERS[order].field
    ends = []
    for part in listing.parts:
        ends += [
            part.order_by(f"-{field}").values_list(field, flat=True).first(),
            part.order_by(field).values_list(field, flat=True).first(),
        ]
    ends = [end for end in ends if end is not None]
    if not ends:
        return []
    return list(range(max(ends).year, min(ends).year - 1, -1))


def image_neighbours(
    *, viewer, image, order: str = "taken"
) -> tuple[Image | None, Image | None]:
    """The images just newer and just older than ``image`` in ``order``
    among those ``viewer`` may see, or None at either end."""
    timeline = ORDERS[order]
    visible = Image.objects.visible_to(viewer)
    position = timeline.sort_key(image)
    newer = timeline.backwards(timeline.before(visible, position))
    older = timeline.in_order(timeline.after(visible, position))
    return newer.first(), older.first()


def image_location(*, viewer, image) -> tuple[float, float] | None:
    """Where ``image`` was taken, for its owner alone: a place says where
    someone lives or was, which no public photo should tell anyone else."""
    if not image.has_location or image.owner_id != getattr(viewer, "pk", None):
        return None
    return image.latitude, image.longitude


def image_source(*, viewer, image) -> tuple[str, str] | None:
    """The file name ``image`` was uploaded as and its bytes' SHA-256, for
    its owner alone: the name may say more than the title, and the hash
    would let anyone confirm they uploaded one exact file."""
    if image.owner_id != getattr(viewer, "pk", None):
        return None
    return image.original_filename, image.sha256


def downloadable_ids(*, viewer, images) -> set:
    """The ids among ``images`` whose originals ``viewer`` may download (one
    query for a whole page, none when they are all the viewer's own)."""
    own = {
        image.pk for image in images if image.owner_id == getattr(viewer, "pk", None)
    }
    others = [image.pk for image in images if image.pk not in own]
    if not others:
        return own
    allowed = Image.objects.downloadable_by(viewer).filter(pk__in=others)
    return own | set(allowed.values_list("pk", flat=True))


def image_for_file(*, viewer, pk, kind: str) -> Image | None:
    """The image whose ``kind`` file (one of :data:`FILE_KINDS`) ``viewer``
    may download, or None: an original goes to its owner and to those an
    album shared with them lets download originals, renditions to anyone who
    may see the image; an image in the trash, to its owner alone."""
    if kind == "original":
        readable = Image.objects.downloadable_by(viewer)
    else:
        readable = Image.objects.visible_to(viewer)
    image = readable.filter(pk=pk).first()
    return image or Image.objects.trash_of(viewer).filter(pk=pk).first()


def trash_page(*, viewer, cursor: str = "", before: str = "", size: int) -> KeysetPage:
    """``viewer``'s images in the trash, last deleted first; ``before`` (a
    page's ``newer_cursor``) asks for the page before. Raises
    ``gallery.pagination.InvalidCursor`` for a cursor that is not ours."""
    return _paged([Image.objects.trash_of(viewer)], TRASHED, size, cursor, before)


def trash_summary(*, viewer) -> dict:
    """How many images ``viewer`` has in the trash and how many bytes they
    take (freed only by purging)."""
    totals = Image.objects.trash_of(viewer).aggregate(
        count=Count("pk"), size=Sum("file_size")
    )
    return {"count": totals["count"], "size": totals["size"] or 0}


def expired_trash_summary(*, older_than: datetime) -> dict:
    """How many images, in every account's trash, were trashed before
    ``older_than``, their bytes, and how many accounts their owners deleted
    before then: what ``purge_trash`` would remove."""
    totals = Image.objects.trashed_before(older_than).aggregate(
        count=Count("pk"), size=Sum("file_size")
    )
    closed = Account.objects.filter(deleted_at__lt=older_than).count()
    return {"count": totals["count"], "size": totals["size"] or 0, "accounts": closed}


def trashed_images(*, viewer, ids=None):
    """``viewer``'s images in the trash (those of ``ids`` if given): the ones
    they may restore or delete for good."""
    images = Image.objects.trash_of(viewer)
    return images if ids is None else images.filter(pk__in=ids)


@dataclass(frozen=True)
class AccountSummary:
    """What an account stores, trash included, and the most it may store
    (None: no limit)."""

    images: int
    bytes: int
    images_in_trash: int
    image_limit: int | None
    byte_limit: int | None


def account_summary(*, viewer) -> AccountSummary:
    """What ``viewer``'s account stores and may store. The stored figures
    are the account's counters, which count the trash until it is purged;
    how many of the images wait there is said apart."""
    account = Account.of(viewer)
    return AccountSummary(
        images=account.images_stored,
        bytes=account.bytes_stored,
        images_in_trash=Image.objects.trash_of(viewer).count(),
        image_limit=account.image_limit,
        byte_limit=account.byte_limit,
    )


def named(queryset, field: str, name: str):
    """The row of ``queryset`` whose ``field`` is ``name``: written exactly,
    or in another case when no row has it exactly and one alone has it so
    (people type "Bob" for bob); else None."""
    exact = queryset.filter(**{field: name}).first()
    if exact is not None or not name:
        return exact
    alike = list(queryset.filter(**{f"{field}__iexact": name})[:2])
    return alike[0] if len(alike) == 1 else None


def email_in_use(*, email: str, other_than=None) -> bool:
    """Whether an account, other than ``other_than``, has ``email`` (in any
    case: a reset mail goes to every account with the address)."""
    users = get_user_model().objects.filter(email__iexact=email)
    if other_than is not None:
        users = users.exclude(pk=other_than.pk)
    return users.exists()


def albums_for(*, viewer) -> tuple[list[Album], list[Album]]:
    """``viewer``'s own albums and the albums shared with them, each with
    ``image_count`` (the images in it ``viewer`` may see) and ``cover``."""
    own = _summarised(Album.objects.owned_by(viewer), viewer)
    shared = _summarised(Album.objects.shared_with(viewer), viewer)
    return own, shared


def album_summary(*, viewer, album: Album) -> Album:
    """``album`` with what :func:`albums_for` gives each album: its
    ``image_count`` and ``cover`` as ``viewer`` sees them (a cover they may
    not see, or none, gives way to the newest image they may), and ``role``:
    "owner", or how it is shared with them."""
    found = _summarised(Album.objects.visible_to(viewer).filter(pk=album.pk), viewer)
    album.image_count, album.cover, album.role = (
        (found[0].image_count, found[0].cover, found[0].role)
        if found
        else (0, None, None)
    )
    return album


def _summarised(albums, viewer) -> list[Album]:
    """``albums`` (ones ``viewer`` may open) with their summaries, in title
    order, in two queries however many albums there are."""
    if not getattr(viewer, "is_authenticated", False):
        return []
    live = Image.objects.in_album(OuterRef("pk"), viewer=viewer)
    albums = list(
        # With their owners: a list names whose each album is.
        albums.select_related("cover", "owner")
        .order_by("title", "pk")  # an aggregate query drops Meta.ordering
        .annotate(
            # The live entries (of accounts still sharing): whoever may open
            # an album sees them all.
            image_count=Count(
                "entries",
                filter=Q(entries__image__trashed_at=None)
                & still_sharing("entries__image__"),
            ),
            cover_seen=Exists(live.filter(pk=OuterRef("cover"))),
            newest=Subquery(ORDERS["taken"].newest_first(live).values("pk")[:1]),
            share_role=Subquery(
                AlbumShare.objects.filter(album=OuterRef("pk"), user=viewer).values(
                    "role"
                )[:1]
            ),
        )
    )
    newest = Image.objects.in_bulk(
        [album.newest for album in albums if not album.cover_seen and album.newest]
    )
    for album in albums:
        if not album.cover_seen:
            album.cover = newest.get(album.newest)
        owner = album.owner_id == getattr(viewer, "pk", None)
        album.role = "owner" if owner else album.share_role
    return albums


def album_shares(*, viewer, album: Album):
    """Whom ``album`` is shared with (oldest share first, with each
    account): its owner's to know, so anyone else is refused. Deleted and
    switched-off accounts are left out: they see nothing and cannot be
    shared with again, but their shares are kept, and listed again, should
    the account be restored (``account_undelete``)."""
    return _shares(viewer, album).filter(user__is_active=True)


def album_share_with(*, viewer, album: Album, username: str) -> AlbumShare | None:
    """The share of ``album`` with the account ``username`` names, found as
    sharing finds it (see :func:`named`), if that account is listed by
    :func:`album_shares`; else None. Looked for among every share: the exact
    name of a closed account must not fall through to another's."""
    name = f"user__{get_user_model().USERNAME_FIELD}"
    share = named(_shares(viewer, album), name, username)
    return share if share is not None and share.user.is_active else None


def album_share_of(*, viewer, album: Album, user_pk) -> AlbumShare | None:
    """The share of ``album`` with the account whose id is ``user_pk`` (text,
    as a form sends it), if :func:`album_shares` lists it; else None, for
    anything that is not an account's id too."""
    text = str(user_pk or "")
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        return None
    return album_shares(viewer=viewer, album=album).filter(user=int(text)).first()


def own_share(*, viewer, album: Album) -> AlbumShare | None:
    """The share that lets ``viewer`` open ``album``, someone else's, if
    there is one."""
    if not getattr(viewer, "is_authenticated", False):
        return None
    return album.shares.filter(user=viewer).first()


def _shares(viewer, album):
    _must_own(album, viewer, "Only the album's owner may see whom it is shared with.")
    return album.shares.select_related("user")


def album_for(*, viewer, pk) -> Album | None:
    """The album ``viewer`` may open (their own or shared with them), or None."""
    return (
        Album.objects.visible_to(viewer).select_related("owner").filter(pk=pk).first()
    )


def album_page(
    *,
    viewer,
    album: Album,
    cursor: str = "",
    before: str = "",
    size: int,
) -> KeysetPage:
    """The album's images ``viewer`` may see, by date taken in the album's
    order. One queryset, not the gallery's parts: read from the album's
    entries and sorted, it costs what the album holds. Each part would walk
    its whole date index probing the album: a small album's page would cost
    what the library holds."""
    # With their owners: a contributor's photos say whose they are.
    images = Image.objects.in_album(album, viewer=viewer).select_related("owner")
    return _paged([images], album_order(album), size, cursor, before)


def album_order(album: Album):
    """The timeline ``album`` is read in (``Album.order``)."""
    return TAKEN_FORWARDS if album.oldest_first else ORDERS["taken"]


def album_cover_choices(*, viewer, album: Album, limit: int):
    """The images of ``album`` its owner, ``viewer``, picks its cover from:
    the present cover first, then the newest ``limit`` taken, newest first.
    A page of every photo of a big album would be thousands of thumbnails
    (see :func:`album_holds_more_than`). The present cover is offered from
    the trash too (see :func:`album_cover_in_trash`): keeping it keeps the
    owner's choice, and so is one whose owner was switched off
    (``still_sharing``)."""
    _must_own(album, viewer, "Only the album's owner may pick its cover.")
    images = Image.objects.in_album(album, viewer=viewer)
    newest = ORDERS["taken"].newest_first(images).values("pk")[:limit]
    present = Image.objects.filter(pk=album.cover_id, albums=album).values("pk")
    # First, or an older cover sits out of sight below all the newer photos.
    present_first = Case(When(pk=album.cover_id, then=0), default=1)
    chosen = Image.objects.filter(Q(pk__in=newest) | Q(pk__in=present))
    return chosen.select_related("owner").order_by(
        present_first, f"-{ORDERS['taken'].field}", "-pk"
    )


def album_holds_more_than(*, viewer, album: Album, count: int) -> bool:
    """Whether ``album`` holds more than ``count`` images ``viewer`` sees:
    read no further than one past ``count``, whatever the album's size."""
    images = Image.objects.in_album(album, viewer=viewer)
    return images.order_by().values("pk")[count : count + 1].exists()


def album_cover_in_trash(*, viewer, album: Album) -> Image | None:
    """``album``'s chosen cover if it waits in the trash (its owner's or a
    contributor's) while still in the album, else None. The choice is kept:
    meanwhile the album shows its newest photo (see :func:`album_summary`),
    and once the photo is restored it is the cover again."""
    _must_own(album, viewer, "Only the album's owner may pick its cover.")
    if album.cover_id is None:
        return None
    return Image.objects.trashed().filter(pk=album.cover_id, albums=album).first()


def _must_own(album, viewer, message):
    if album.owner_id != getattr(viewer, "pk", None):
        raise PermissionDenied(message)


def album_photos_of_others(*, viewer, album: Album, cap: int) -> int:
    """How many of the album's photos were added by others than its owner,
    ``viewer``, counting no further than ``cap + 1``: the album's links leave
    those out (see ``via_link``). Counting every one would read every entry
    of a large family album on each of its pages. Others add photos only to
    an album shared with them, and theirs leave with the share
    (``album_unshare``): an album shared with nobody is not counted."""
    _must_own(album, viewer, "Only the album's owner makes its links.")
    if not album.shares.exists():
        return 0
    others = Image.objects.in_album(album, viewer=viewer).exclude(owner=viewer)
    # In no order: sorted, the album's every entry would be read to pick
    # the first ones.
    return others.order_by()[: cap + 1].count()


# What a zip of originals needs of each image (gallery.delivery.zip_response).
DOWNLOAD_FIELDS = (
    "pk",
    "owner_id",
    "original",
    "original_filename",
    "format",
    "taken_at",
    "title",
)


def album_downloads(*, viewer, album: Album) -> list[Image]:
    """The images of ``album`` whose originals ``viewer`` may download (see
    ``ImageQuerySet.downloadable_by``), newest taken first."""
    images = _downloadable_in(album, viewer)
    return list(ORDERS["taken"].newest_first(images).only(*DOWNLOAD_FIELDS))


def album_has_downloads(*, viewer, album: Album) -> bool:
    """Whether ``viewer`` may download any original of ``album``."""
    return _downloadable_in(album, viewer).exists()


def _downloadable_in(album, viewer):
    allowed = Image.objects.downloadable_by(viewer).values("pk")
    return Image.objects.in_album(album, viewer=viewer).filter(pk__in=allowed)


def share_link_downloads(*, link: ShareLink) -> list[Image]:
    """The images whose originals an open ``link`` hands out, newest taken
    first: all it opens if it allows downloads, else none."""
    if not link.allow_download:
        return []
    images = ORDERS["taken"].newest_first(Image.objects.via_link(link))
    return list(images.only(*DOWNLOAD_FIELDS))


def albums_open_to(*, viewer):
    """The albums ``viewer`` may open: theirs, and those shared with them."""
    return Album.objects.visible_to(viewer)


def can_add_to(album: Album, user) -> bool:
    """Whether ``user`` may add images to ``album`` (see ``albums_to_add_to``)."""
    return Album.objects.addable_by(user).filter(pk=album.pk).exists()


def albums_to_add_to(*, viewer, without: Image | None = None):
    """The albums ``viewer`` may add images to: theirs, and those shared
    with them as a contributor (with their owner, to say whose); those
    that hold ``without`` already left out."""
    albums = Album.objects.addable_by(viewer).select_related("owner")
    return albums if without is None else albums.exclude(entries__image=without)


def albums_matching(*, viewer, query: str, limit: int) -> list[Album]:
    """Up to ``limit`` albums ``viewer`` may open whose title holds every
    word of ``query`` (a search's words), the newest first: a search for
    "summer" names the album "Summer 2019" beside the photos it finds.
    Only its first IMAGEREPO_SEARCH_MAX_TERMS words count, as in the search."""
    words = WORD.findall(query)[: settings.IMAGEREPO_SEARCH_MAX_TERMS]
    if not words:
        return []
    albums = Album.objects.visible_to(viewer).select_related("owner")
    for word in words:
        albums = albums.filter(title__icontains=word)
    return list(albums.order_by("-created_at")[:limit])


def albums_titled(*, owner, title: str) -> list[Album]:
    """``owner``'s albums called ``title`` in any case, as a person reads
    it ("été" is "Été", "strasse" "Straße"), the oldest first. Compared
    here, not in SQL: SQLite's case-insensitive match knows A to Z alone.
    An owner has a few hundred albums at most; only their titles are read."""
    wanted = title.casefold()
    titles = Album.objects.filter(owner=owner).values_list("pk", "title")
    same = [pk for pk, other in titles if other.casefold() == wanted]
    if not same:
        return []
    return list(Album.objects.filter(pk__in=same).order_by("created_at"))


def albums_holding(*, viewer, image: Image):
    """The albums ``viewer`` may open that hold ``image``, by title."""
    albums = Album.objects.visible_to(viewer).filter(entries__image=image)
    return albums.select_related("owner").order_by("title")


def owned_album(*, viewer, pk) -> Album | None:
    """``viewer``'s own album ``pk`` (one they may change or share), or None."""
    return Album.objects.owned_by(viewer).filter(pk=pk).first()


def share_link_for(*, token: str) -> ShareLink | None:
    """The open (not revoked, not expired) link with this token, or None:
    whether it never existed, was revoked, has expired, opens an image now
    in the trash or belongs to a switched-off account (``still_sharing``) is
    not told apart."""
    link = (
        ShareLink.objects.select_related("album", "image")
        .filter(still_sharing(), token_hash=ShareLink.hash_token(token))
        .first()
    )
    if link is None or not link.is_open(timezone.now()):
        return None
    if link.image is not None and link.image.in_trash:
        return None
    return link


def share_link_page(
    *, link: ShareLink, cursor: str = "", before: str = "", size: int
) -> KeysetPage:
    """The images a link opens, in its album's order."""
    order = album_order(link.album) if link.album else ORDERS["taken"]
    return _paged([Image.objects.via_link(link)], order, size, cursor, before)


def share_link_file(*, link: ShareLink, pk, kind: str) -> Image | None:
    """The image whose ``kind`` file the link may hand out, or None: the
    originals only when the link allows downloads."""
    if kind not in FILE_KINDS or (kind == "original" and not link.allow_download):
        return None
    return Image.objects.via_link(link).filter(pk=pk).first()


def share_links_of(*, viewer, album=None, image=None) -> list[ShareLink]:
    """``viewer``'s links (to ``album`` or ``image`` if given), newest first."""
    if not getattr(viewer, "is_authenticated", False):
        return []
    links = ShareLink.objects.filter(owner=viewer)
    if album is not None:
        links = links.filter(album=album)
    if image is not None:
        links = links.filter(image=image)
    return list(links)


def share_link_of(*, viewer, pk) -> ShareLink | None:
    """``viewer``'s own link ``pk`` (one they may revoke), or None."""
    if not getattr(viewer, "is_authenticated", False):
        return None
    return ShareLink.objects.filter(owner=viewer, pk=pk).first()


def storage_of(*, viewer) -> Account | None:
    """``viewer``'s account, to show what it stores against its limits;
    None while neither the account nor the site sets a limit."""
    account = Account.objects.filter(user=viewer).first() or Account(user=viewer)
    if account.byte_limit is None and account.image_limit is None:
        return None
    return account


def upload_visibility_for(*, viewer) -> str:
    """What ``viewer``'s upload page offers first: their last choice there,
    private until they make one."""
    chosen = Account.objects.filter(user=viewer).values_list(
        "upload_visibility", flat=True
    )
    return chosen.first() or Visibility.PRIVATE

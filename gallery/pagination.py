"""Keyset (cursor) pagination: page 1,000 costs what page 1 costs.

A cursor is the sort key of the last item shown (its creation time and id,
which its page already showed), encoded; the next page is "the first items
after that key", which an index answers directly. It holds no row number, so
it tells nothing about images the viewer may not see.
"""

import base64
import binascii
import heapq
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q


@dataclass
class KeysetPage:
    items: list
    next_cursor: str | None
    # The page before this one, when there is one (timelines only).
    newer_cursor: str | None = None


# Ours are under 100 characters; anything much longer is refused unread.
MAX_CURSOR_LENGTH = 256


class InvalidCursor(ValueError):
    """A cursor we did not make, or made for another listing. The pages show
    the first page instead; the API answers 400 ``invalid_cursor``."""


def encode_cursor(position):
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_cursor(cursor, fields):
    """The position in ``cursor``: one value per item, each made by its parser
    in ``fields`` (e.g. :func:`moment`, :func:`image_id`). The only place a
    cursor is read: its length is checked before decoding, its shape and every
    value after. Raises :class:`InvalidCursor` for anything else."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor("cursor too long")
    try:
        items = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(items, list) or len(items) != len(fields):
            raise ValueError("not a position of this shape")
        return [parse(item) for parse, item in zip(fields, items, strict=True)]
    except (ValueError, TypeError, OverflowError, RecursionError, binascii.Error):
        raise InvalidCursor("not a cursor of ours") from None


def moment(value):
    """A cursor item as an aware date and time, in UTC: a date out of range
    there (year 10000) overflows here, not in the database driver."""
    if not isinstance(value, str):
        raise TypeError("a date is text")
    at = datetime.fromisoformat(value)
    if at.tzinfo is None:
        raise ValueError("a date in a cursor has a time zone")
    return at.astimezone(UTC)


def image_id(value):
    """A cursor item as an image id (32 hex digits)."""
    if not isinstance(value, str):
        raise TypeError("an image id is text")
    return uuid.UUID(hex=value)


# A position in upload order: the last image's creation time and id.
NEWEST = (moment, image_id)


def newest_key(image):
    return [image.created_at.isoformat(), image.pk.hex]


@dataclass(frozen=True)
class Order:
    """A timeline: every image by one of its dates, newest first, or with
    ``descending`` false oldest first (an album read as the story it tells)."""

    name: str
    field: str
    descending: bool = True

    def key(self, image):
        return [self.name, getattr(image, self.field).isoformat(), image.pk.hex]

    def read(self, cursor):
        """A position in this order, from a cursor made by :meth:`key`."""
        name, *position = read_cursor(cursor, (str, moment, image_id))
        if name != self.name:
            raise InvalidCursor("a cursor of another order")
        return position

    def sort_key(self, image):
        return (getattr(image, self.field), image.pk)

    def opening_with(self, image):
        """A cursor whose page (newest first) opens with ``image``: a link to
        where it is in the timeline. Its position is just past it: the next
        moment, before any id."""
        at = getattr(image, self.field) + timedelta(microseconds=1)
        return encode_cursor([self.name, at.isoformat(), uuid.UUID(int=0).hex])

    def after(self, queryset, position):
        """Images past ``position`` in this order."""
        return (_older if self.descending else _newer)(queryset, self.field, position)

    def before(self, queryset, position):
        """Images ahead of ``position`` in this order."""
        return (_newer if self.descending else _older)(queryset, self.field, position)

    def in_order(self, queryset):
        return (self.newest_first if self.descending else self.oldest_first)(queryset)

    def backwards(self, queryset):
        return (self.oldest_first if self.descending else self.newest_first)(queryset)

    def newest_first(self, queryset):
        return queryset.order_by(f"-{self.field}", "-pk")

    def oldest_first(self, queryset):
        return queryset.order_by(self.field, "pk")


def _older(queryset, field, position):
    # ``field <= t`` comes first so the index seeks to it; the OR alone would
    # make SQLite walk the index from the top (and so in _newer).
    at, pk = position
    return queryset.filter(**{f"{field}__lte": at}).filter(
        Q(**{f"{field}__lt": at}) | Q(pk__lt=pk)
    )


def _newer(queryset, field, position):
    at, pk = position
    return queryset.filter(**{f"{field}__gte": at}).filter(
        Q(**{f"{field}__gt": at}) | Q(pk__gt=pk)
    )


TAKEN = Order("taken", "taken_at")
UPLOADED = Order("uploaded", "created_at")
ORDERS = {order.name: order for order in (TAKEN, UPLOADED)}
# An album its owner set to be read oldest first (its cursors are its own).
TAKEN_FORWARDS = Order("taken-forwards", "taken_at", descending=False)
# The Trash page: last deleted first (not a gallery order).
TRASHED = Order("trashed", "trashed_at")
# Search lists each of its tiers in upload order.
older_than = UPLOADED.after


def year_start(year):
    """The position just before every image of ``year`` and after every
    image of later years: a year jump is a cursor like any other."""
    return [datetime(year + 1, 1, 1, tzinfo=UTC), uuid.UUID(int=0)]


def timeline_page(parts, *, order, size, after=None, before=None):
    """The first ``size`` images in ``order`` past position ``after`` (or
    ahead of ``before``, the page before it) across ``parts``: disjoint
    querysets, each read from its own index and merged here, so no part reads
    more than ``size + 1`` rows. Positions come from ``order.read`` or
    :func:`year_start`."""
    if before is not None:
        ahead = _merged(
            [order.backwards(order.before(p, before)) for p in parts],
            order,
            size + 1,
            in_order=False,
        )
        if len(ahead) <= size:  # back at the top: the first page as such
            return timeline_page(parts, order=order, size=size)
        after = order.sort_key(ahead[size])
    rows = [order.in_order(order.after(p, after) if after else p) for p in parts]
    page = _merged(rows, order, size + 1, in_order=True)
    items = page[:size]
    return KeysetPage(
        items,
        next_cursor=encode_cursor(order.key(items[-1])) if len(page) > size else None,
        newer_cursor=encode_cursor(order.key(items[0])) if after and items else None,
    )


def _merged(querysets, order, limit, *, in_order):
    rows = [queryset[:limit] for queryset in querysets]
    newest_first = order.descending == in_order
    merged = heapq.merge(*rows, key=order.sort_key, reverse=newest_first)
    return [image for _, image in zip(range(limit), merged, strict=False)]

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
from datetime import UTC, datetime

from django.db.models import Q


@dataclass
class KeysetPage:
    items: list
    next_cursor: str | None


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


# A position in newest-first order: the last image's creation time and id.
NEWEST = (moment, image_id)


def newest_key(image):
    return [image.created_at.isoformat(), image.pk.hex]


def older_than(queryset, position):
    """Images after ``position`` (a ``NEWEST`` position read by
    :func:`read_cursor`) in newest-first order. ``created_at <= t`` comes
    first so the index seeks to it; the OR alone would make SQLite walk the
    index from the top."""
    created_at, pk = position
    return queryset.filter(created_at__lte=created_at).filter(
        Q(created_at__lt=created_at) | Q(pk__lt=pk)
    )


def newest_first_page(parts, cursor, size):
    """The ``size`` newest images after ``cursor`` across ``parts``: disjoint
    querysets, each read from its own index and merged here, so no part
    reads more than ``size + 1`` rows. Raises :class:`InvalidCursor`."""
    position = read_cursor(cursor, NEWEST) if cursor else None
    rows = []
    for part in parts:
        if position:
            part = older_than(part, position)
        rows.append(part.order_by("-created_at", "-pk")[: size + 1])
    merged = heapq.merge(
        *rows, key=lambda image: (image.created_at, image.pk), reverse=True
    )
    page = [image for _, image in zip(range(size + 1), merged, strict=False)]
    items = page[:size]
    has_more = len(page) > size
    return KeysetPage(items, encode_cursor(newest_key(items[-1])) if has_more else None)

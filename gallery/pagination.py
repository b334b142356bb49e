"""Keyset (cursor) pagination: page 1,000 costs what page 1 costs.

A cursor is the sort key of the last item shown, encoded opaquely; the next
page is "the first items after that key", which an index answers directly.
"""

import base64
import binascii
import heapq
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q


@dataclass
class KeysetPage:
    items: list
    next_cursor: str | None


def encode_cursor(position):
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor):
    """The position (a list) in ``cursor``, or ``None`` if it is not ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (ValueError, binascii.Error):
        return None
    return position if isinstance(position, list) and position else None


def newest_key(image):
    return [image.created_at.isoformat(), image.pk.hex]


def older_than(queryset, position):
    """Images after ``position`` (a ``newest_key``) in newest-first order.
    ``created_at <= t`` comes first so the index seeks to it; the OR alone
    would make SQLite walk the index from the top. Raises ValueError for a
    position that is not a date and an id."""
    created_at, pk = datetime.fromisoformat(position[0]), uuid.UUID(hex=position[1])
    return queryset.filter(created_at__lte=created_at).filter(
        Q(created_at__lt=created_at) | Q(pk__lt=pk)
    )


def newest_first_page(parts, cursor, size):
    """The ``size`` newest images after ``cursor`` across ``parts``: disjoint
    querysets, each read from its own index and merged here, so no part
    reads more than ``size + 1`` rows."""
    position = decode_cursor(cursor) if cursor else None
    rows = []
    for part in parts:
        if position:
            try:
                part = older_than(part, position)
            except (ValueError, TypeError, IndexError):
                return newest_first_page(parts, None, size)
        rows.append(part.order_by("-created_at", "-pk")[: size + 1])
    merged = heapq.merge(
        *rows, key=lambda image: (image.created_at, image.pk), reverse=True
    )
    page = [image for _, image in zip(range(size + 1), merged, strict=False)]
    items = page[:size]
    has_more = len(page) > size
    return KeysetPage(items, encode_cursor(newest_key(items[-1])) if has_more else None)

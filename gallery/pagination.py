"""Keyset (cursor) pagination: page 1,000 costs what page 1 costs."""

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q


@dataclass
class KeysetPage:
    items: list
    next_cursor: str | None


def encode_cursor(image):
    raw = f"{image.created_at.isoformat()}|{image.pk.hex}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor):
    """``(created_at, id)`` from a cursor, or ``None`` if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _, hex_id = raw.partition("|")
        return datetime.fromisoformat(stamp), uuid.UUID(hex=hex_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def keyset_page(queryset, cursor, size):
    """The ``size`` images after ``cursor`` in newest-first order."""
    position = decode_cursor(cursor) if cursor else None
    if position:
        created_at, pk = position
        queryset = queryset.filter(
            Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk)
        )
    rows = list(queryset.order_by("-created_at", "-pk")[: size + 1])
    items = rows[:size]
    next_cursor = encode_cursor(items[-1]) if len(rows) > size else None
    return KeysetPage(items, next_cursor)

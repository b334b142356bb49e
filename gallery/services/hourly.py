"""Counts kept for the current hour in the default cache, for limits on
what a client or an account may try: guesses, mails, sign-ups.

Kept in the cache, not the database, because each is cheap to lose: a
cleared cache forgives an hour's count at worst. (The upload allowance is
counted in the database instead, see ``allowance``.)
"""

import time

from django.core.cache import cache

HOUR = 3600


def _this_hour(key):
    return f"{key}:{int(time.time() // HOUR)}"


def count(key) -> int:
    """How many were counted for ``key`` this hour."""
    return cache.get(_this_hour(key), 0)


def add_one(key) -> int:
    """Count one more for ``key`` this hour; the new count."""
    key = _this_hour(key)
    cache.add(key, 0, timeout=HOUR)
    return cache.incr(key)


def first_time(key) -> bool:
    """True the first time ``key`` is seen this hour, False after."""
    return cache.add(_this_hour(key), 1, timeout=HOUR)

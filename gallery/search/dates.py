"""Dates in a search: "2019", "june 2019", "2019-06" or "6/2019" asks for
photos taken then.

A year is four digits from the first photographs to a century on; a month
name (or its first three letters) just before a year narrows it to that
month, as does a month number joined to it (year-month or month/year). A
word that only looks like a date (month 13) stays a word. What is left of
the query is searched for as words.
"""

import re
from datetime import UTC, datetime

from ..metadata import EARLIEST_YEAR

LATEST_YEAR = 2100
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH = {name: n for n, name in enumerate(MONTHS, 1)} | {
    name[:3]: n for n, name in enumerate(MONTHS, 1)
}
_YEAR = re.compile(r"\d{4}")
_NUMBERED = (
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})"),
    re.compile(r"(?P<month>\d{1,2})/(?P<year>\d{4})"),
)


def _date_at(words, i):
    """``(year, month, first)`` for a date whose last word is ``words[i]``:
    ``month`` None for a whole year, ``first`` the index of its first word;
    or None."""
    for pattern in _NUMBERED:
        if match := pattern.fullmatch(words[i]):
            month = int(match["month"])
            return (int(match["year"]), month, i) if 1 <= month <= 12 else None
    if not _YEAR.fullmatch(words[i]):
        return None
    month = _MONTH.get(words[i - 1].lower().rstrip(".,")) if i else None
    return int(words[i]), month, i - 1 if month else i


def split_dates(query):
    """``(words, start, end)``: the query without its date, and the date's
    range of wall clocks, kept as if UTC as ``Image.taken_at`` keeps them
    (``start`` included, ``end`` not), or None for both."""
    words = query.split()
    for i in range(len(words)):
        date = _date_at(words, i)
        if date is None or not EARLIEST_YEAR <= date[0] <= LATEST_YEAR:
            continue
        year, month, first = date
        rest = " ".join(words[:first] + words[i + 1 :])
        if month:
            start = datetime(year, month, 1, tzinfo=UTC)
            end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
        else:
            start = datetime(year, 1, 1, tzinfo=UTC)
            end = datetime(year + 1, 1, 1, tzinfo=UTC)
        return rest, start, end
    return query, None, None

"""Dates in a search: "2019" or "june 2019" asks for photos taken then.

A year is four digits from the first photographs to a century on; a month
name (or its first three letters) just before a year narrows it to that
month. What is left of the query is searched for as words.
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


def split_dates(query):
    """``(words, start, end)``: the query without its date, and the date's
    range in UTC (``start`` included, ``end`` not), or None for both."""
    words = query.split()
    for i, word in enumerate(words):
        if not _YEAR.fullmatch(word) or not EARLIEST_YEAR <= int(word) <= LATEST_YEAR:
            continue
        year = int(word)
        month = _MONTH.get(words[i - 1].lower().rstrip(".,")) if i else None
        first = i - 1 if month else i
        rest = " ".join(words[:first] + words[i + 1 :])
        if month:
            start = datetime(year, month, 1, tzinfo=UTC)
            end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
        else:
            start = datetime(year, 1, 1, tzinfo=UTC)
            end = datetime(year + 1, 1, 1, tzinfo=UTC)
        return rest, start, end
    return query, None, None

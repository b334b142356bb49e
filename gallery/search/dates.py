"""Dates in a search: "2019", "june 2019", "2019-06" or "6/2019" asks for
photos taken then; "15 june 2019", "june 15, 2019" or "2019-06-15" for a
day.

A year is four digits from the first photographs to a century on; a month
name (or its first three letters) just before a year narrows it to that
month, as does a month number joined to it (year-month or month/year), and
a day of the month beside the month's name (or year-month-day) to that day.
A word that only looks like a date (month 13, 30 February) stays a word.
What is left of the query is searched for as words.
"""

import re
from datetime import UTC, datetime, timedelta

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
_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?,?", re.IGNORECASE)
_NUMBERED = (
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?"),
    re.compile(r"(?P<month>\d{1,2})/(?P<year>\d{4})"),
)


def _month(word):
    return _MONTH.get(word.lower().rstrip(".,"))


def _day(word):
    match = _DAY.fullmatch(word)
    return int(match[1]) if match else None


def _dates_at(words, i):
    """The dates whose last word is ``words[i]``, the most precise first:
    ``(year, month, day, the indexes of their words)``, ``month`` and
    ``day`` None for what they do not name. A day beside a month may be a
    word of the query instead ("room 12 june 2019"): the month alone
    follows it."""
    for pattern in _NUMBERED:
        if match := pattern.fullmatch(words[i]):
            day = match.groupdict().get("day")
            return [(int(match["year"]), int(match["month"]), day and int(day), {i})]
    if not _YEAR.fullmatch(words[i]):
        return []
    year = int(words[i])
    before = [None, None, *words[:i]][-2:]  # the two words before the year
    if before[1] and (month := _month(before[1])):
        day = _day(before[0]) if before[0] else None  # 15 june 2019
        days = [] if day is None else [(year, month, day, {i - 2, i - 1, i})]
        return [*days, (year, month, None, {i - 1, i})]
    if before[0] and (month := _month(before[0])):
        day = _day(before[1])  # june 15, 2019
        if day is not None:
            return [
                (year, month, day, {i - 2, i - 1, i}),
                (year, month, None, {i - 2, i}),
            ]
    return [(year, None, None, {i})]


def _range(year, month, day):
    """The wall clocks of that year, month or day (``start``, ``end``), or
    None for a date no calendar has."""
    try:
        start = datetime(
            year,
            1 if month is None else month,
            1 if day is None else day,
            tzinfo=UTC,
        )
    except ValueError:
        return None
    if day is not None:
        return start, start + timedelta(days=1)
    if month is not None:
        return start, datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return start, datetime(year + 1, 1, 1, tzinfo=UTC)


def date_readings(query):
    """The ways ``query`` may name a date, the most precise first, each
    ``(words, start, end)``: the query without the date's words, and the
    date's range of wall clocks, kept as if UTC as ``Image.taken_at`` keeps
    them (``start`` included, ``end`` not). The first date in the query
    counts; none, for a query that names no date."""
    words = query.split()
    for i in range(len(words)):
        readings = []
        for year, month, day, used in _dates_at(words, i):
            found = EARLIEST_YEAR <= year <= LATEST_YEAR and _range(year, month, day)
            if found:
                rest = " ".join(w for n, w in enumerate(words) if n not in used)
                readings.append((rest, *found))
        if readings:
            return readings
    return []

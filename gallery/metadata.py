"""What a photo's own metadata says: when it was taken, with what, and where.

Pure (no database, no storage): read from an image Pillow has opened, before
its pixels are decoded, in the same pass that checks and renders it. Cameras
and phones write EXIF badly as often as well, so every field is read on its
own and anything that does not make sense is left empty: metadata never
rejects an image and never raises.
"""

import logging
import math
import re
import warnings
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PIL import ExifTags

logger = logging.getLogger(__name__)

TEXT_MAX_LENGTH = 100
# Photography began in the 1820s; EXIF dates before it are a camera's
# unset clock (often 0000:00:00 or 1970) or garbage.
EARLIEST_YEAR = 1826
# A clock a little ahead of the server's is a wrong time zone, not a guess.
FUTURE_SLACK = timedelta(days=2)

_DATE = re.compile(r"\s*(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"\s*([+-])(\d{2}):(\d{2})\s*$")


class TakenSource:
    """Where an image's date taken came from."""

    CAMERA = "camera"  # the photo's own EXIF date
    FILE = "file"  # the imported file's modification time: a guess
    UPLOAD = "upload"  # when it was added: a guess
    OWNER = "owner"  # typed by its owner (a scan, a photo sent without its date)
    CHOICES = [
        (CAMERA, "Camera"),
        (FILE, "File date (a guess)"),
        (UPLOAD, "Upload date (a guess)"),
        (OWNER, "Set by its owner"),
    ]
    # Dates that say when the photo was taken, not when a file was made.
    KNOWN = (CAMERA, OWNER)


@dataclass(frozen=True)
class PhotoMetadata:
    """``taken_at`` is the photo's wall clock, what its clock showed, kept as
    if it were UTC: people remember a photo by the day and hour where it was
    taken, so the timeline orders, heads and filters by that. With a known
    ``taken_offset`` (minutes east of UTC) the true moment is ``taken_at``
    less the offset; without one, the wall clock is all there is."""

    taken_at: datetime | None = None
    taken_offset: int | None = None
    taken_source: str = ""
    camera_make: str = ""
    camera_model: str = ""
    lens: str = ""
    focal_length: float | None = None  # millimetres
    f_number: float | None = None
    exposure_time: float | None = None  # seconds
    iso: int | None = None
    latitude: float | None = None
    longitude: float | None = None

    def dated(self, moment, source):
        """This metadata with ``moment`` (an aware datetime, in the zone its
        wall clock is to be read in) as its date taken, unless it has one
        from the camera already."""
        if self.taken_at is not None:
            return self
        return replace(
            self,
            taken_at=moment.replace(tzinfo=UTC),
            taken_offset=int(moment.utcoffset().total_seconds() // 60),
            taken_source=source,
        )


NO_METADATA = PhotoMetadata()


def offset_label(minutes):
    """UTC+02:00 for 120, UTC−05:00 (a minus sign) for -300."""
    sign = "−" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


# Places people know an offset by, to name it in a list of offsets
# ("UTC+02:00 Paris, Cairo"): which are on which offset depends on the date
# (daylight saving), so they are read for a photo's own.
PLACES = {
    "Pacific/Pago_Pago": "Pago Pago",
    "Pacific/Honolulu": "Honolulu",
    "Pacific/Marquesas": "Marquesas",
    "America/Anchorage": "Anchorage",
    "America/Los_Angeles": "Los Angeles",
    "America/Vancouver": "Vancouver",
    "America/Denver": "Denver",
    "America/Phoenix": "Phoenix",
    "America/Chicago": "Chicago",
    "America/Mexico_City": "Mexico City",
    "America/New_York": "New York",
    "America/Toronto": "Toronto",
    "America/Bogota": "Bogotá",
    "America/Lima": "Lima",
    "America/Halifax": "Halifax",
    "America/Santiago": "Santiago",
    "America/St_Johns": "St. John’s",
    "America/Sao_Paulo": "São Paulo",
    "America/Argentina/Buenos_Aires": "Buenos Aires",
    "Atlantic/South_Georgia": "South Georgia",
    "Atlantic/Azores": "Azores",
    "Atlantic/Cape_Verde": "Cape Verde",
    "Europe/London": "London",
    "Europe/Dublin": "Dublin",
    "Europe/Lisbon": "Lisbon",
    "Atlantic/Reykjavik": "Reykjavík",
    "Europe/Paris": "Paris",
    "Europe/Berlin": "Berlin",
    "Europe/Madrid": "Madrid",
    "Europe/Rome": "Rome",
    "Africa/Lagos": "Lagos",
    "Europe/Athens": "Athens",
    "Europe/Kyiv": "Kyiv",
    "Africa/Cairo": "Cairo",
    "Africa/Johannesburg": "Johannesburg",
    "Asia/Jerusalem": "Jerusalem",
    "Europe/Istanbul": "Istanbul",
    "Europe/Moscow": "Moscow",
    "Africa/Nairobi": "Nairobi",
    "Asia/Riyadh": "Riyadh",
    "Asia/Tehran": "Tehran",
    "Asia/Dubai": "Dubai",
    "Asia/Kabul": "Kabul",
    "Asia/Karachi": "Karachi",
    "Asia/Tashkent": "Tashkent",
    "Asia/Kolkata": "Delhi",
    "Asia/Colombo": "Colombo",
    "Asia/Kathmandu": "Kathmandu",
    "Asia/Dhaka": "Dhaka",
    "Asia/Yangon": "Yangon",
    "Asia/Bangkok": "Bangkok",
    "Asia/Jakarta": "Jakarta",
    "Asia/Shanghai": "Beijing",
    "Asia/Singapore": "Singapore",
    "Australia/Perth": "Perth",
    "Australia/Eucla": "Eucla",
    "Asia/Tokyo": "Tokyo",
    "Asia/Seoul": "Seoul",
    "Australia/Darwin": "Darwin",
    "Australia/Adelaide": "Adelaide",
    "Australia/Brisbane": "Brisbane",
    "Australia/Sydney": "Sydney",
    "Australia/Lord_Howe": "Lord Howe",
    "Pacific/Noumea": "Nouméa",
    "Pacific/Auckland": "Auckland",
    "Pacific/Fiji": "Fiji",
    "Pacific/Chatham": "Chatham Islands",
    "Pacific/Tongatapu": "Tonga",
    "Pacific/Apia": "Samoa",
    "Pacific/Kiritimati": "Kiritimati",
}


def places_by_offset(wall_clock):
    """``{offset in minutes: [place, ...]}`` for the :data:`PLACES` whose
    clocks read ``wall_clock`` (naive, or kept as if UTC) on that offset.
    Empty without a time zone database."""
    wall_clock = wall_clock.replace(tzinfo=None)
    places = defaultdict(list)
    for key, name in PLACES.items():
        try:
            offset = ZoneInfo(key).utcoffset(wall_clock)
        except ZoneInfoNotFoundError:
            continue
        places[int(offset.total_seconds()) // 60].append(name)
    return places


def typed_offset(moment):
    """The UTC offset of an aware ``moment`` in minutes, None for a naive
    one; ValueError for one no zone has: past 14 hours, or not whole minutes
    (as :func:`_offset` reads EXIF's)."""
    if moment.tzinfo is None:
        return None
    minutes, seconds = divmod(moment.utcoffset().total_seconds(), 60)
    if seconds or abs(minutes) > 14 * 60:
        raise ValueError(moment.utcoffset())
    return int(minutes)


def typed_date(moment, *, now):
    """A date taken as its owner gives it: ``(taken_at, taken_offset)`` kept
    the way a camera's are (see :class:`PhotoMetadata`): the wall clock as
    written, and the offset if one was given (see :func:`typed_offset`, whose
    ValueError this raises). None for a time no photo was taken at: a wall
    clock before photography, or a moment past tomorrow."""
    offset = typed_offset(moment)
    wall_clock = moment.replace(tzinfo=UTC)
    too_late = _moment(wall_clock, offset) > now + FUTURE_SLACK
    if wall_clock.year < EARLIEST_YEAR or too_late:
        return None
    return wall_clock, offset


def _moment(wall_clock, offset):
    """The moment a wall clock (kept as if UTC) stands for, at ``offset``;
    the wall clock itself when the offset is unknown."""
    try:
        return wall_clock - timedelta(minutes=offset or 0)
    except OverflowError:  # 0001-01-01 east of UTC, 9999-12-31 west of it
        return wall_clock


def read_metadata(img, *, now=None):
    """The :class:`PhotoMetadata` in an opened Pillow image's EXIF."""
    try:
        with warnings.catch_warnings():
            # Pillow warns of corrupt EXIF and reads what it can: so do we.
            warnings.simplefilter("ignore")
            exif = img.getexif()
            main = dict(exif)
            sub = dict(exif.get_ifd(ExifTags.IFD.Exif))
            gps = dict(exif.get_ifd(ExifTags.IFD.GPSInfo))
    except Exception as exc:  # a broken EXIF block: no metadata, same image
        logger.info("Unreadable EXIF: %r", exc)
        return NO_METADATA
    tags = {**main, **sub}
    taken_at, offset = _taken(tags, now or datetime.now(UTC))
    latitude, longitude = _position(gps)
    return PhotoMetadata(
        taken_at=taken_at,
        taken_offset=offset,
        taken_source=TakenSource.CAMERA if taken_at else "",
        camera_make=_text(tags.get(ExifTags.Base.Make)),
        camera_model=_text(tags.get(ExifTags.Base.Model)),
        lens=_text(tags.get(ExifTags.Base.LensModel)),
        focal_length=_number(tags.get(ExifTags.Base.FocalLength), 0.1, 10_000),
        f_number=_number(tags.get(ExifTags.Base.FNumber), 0.3, 1_000),
        exposure_time=_number(tags.get(ExifTags.Base.ExposureTime), 1e-6, 100_000),
        iso=_iso(tags.get(ExifTags.Base.ISOSpeedRatings)),
        latitude=latitude,
        longitude=longitude,
    )


# ---------------------------------------------------------------- dates

# Most specific first: when the shutter opened, when it was digitised (a
# scan), when the file was last written.
_DATE_TAGS = [
    (ExifTags.Base.DateTimeOriginal, ExifTags.Base.OffsetTimeOriginal),
    (ExifTags.Base.DateTimeDigitized, ExifTags.Base.OffsetTimeDigitized),
    (ExifTags.Base.DateTime, ExifTags.Base.OffsetTime),
]


def _taken(tags, now):
    for date_tag, offset_tag in _DATE_TAGS:
        wall_clock = _date(tags.get(date_tag))
        if wall_clock is None:
            continue
        offset = _offset(tags.get(offset_tag))
        wall_clock = wall_clock.replace(tzinfo=UTC)
        if _moment(wall_clock, offset) > now + FUTURE_SLACK:
            continue
        return wall_clock, offset
    return None, None


def _date(value):
    match = _DATE.match(_text(value) or "")
    if not match:
        return None
    try:
        moment = datetime(*(int(part) for part in match.groups()))
    except ValueError:  # 2019:02:30, 0000:00:00
        return None
    return moment if moment.year >= EARLIEST_YEAR else None


def _offset(value):
    match = _OFFSET.match(_text(value) or "")
    if not match:
        return None
    sign, hours, minutes = match.groups()
    total = int(hours) * 60 + int(minutes)
    # Real zones run from UTC-12:00 to UTC+14:00.
    if total > 14 * 60 or int(minutes) >= 60:
        return None
    return -total if sign == "-" else total


# ---------------------------------------------------------------- values


def _text(value):
    """A printable, trimmed string from an EXIF text value, or ""."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return ""
    value = "".join(c for c in value if c.isprintable()).strip()
    return value[:TEXT_MAX_LENGTH]


def _number(value, low, high):
    """A finite float from an EXIF rational within [low, high], or None."""
    if isinstance(value, tuple) and len(value) == 1:
        value = value[0]
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if not math.isfinite(number) or not low <= number <= high:
        return None
    return round(number, 6)


def _iso(value):
    if isinstance(value, tuple):
        value = value[0] if value else None
    number = _number(value, 1, 10_000_000)
    return int(number) if number else None


def _position(gps):
    """Latitude and longitude in degrees (south and west negative), or None
    for both when either is missing or impossible."""
    latitude = _degrees(
        gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), 90
    )
    longitude = _degrees(
        gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), 180
    )
    if latitude is None or longitude is None:
        return None, None
    return latitude, longitude


def _degrees(value, ref, limit):
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    parts = [_number(part, 0, 360) for part in value]
    if any(part is None for part in parts):
        return None
    degrees, minutes, seconds = parts
    # Exactly 60 is a value rounded up (59.996 written to two places, as
    # some phones do): the next minute, not a broken position.
    if minutes > 60 or seconds > 60:
        return None
    total = degrees + minutes / 60 + seconds / 3600
    if total > limit:
        return None
    ref = (_text(ref) or "").upper()
    if ref not in ("N", "S", "E", "W"):
        return None
    return round(-total if ref in ("S", "W") else total, 7)

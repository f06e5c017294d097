"""Reading the times a tablet sends, and the bounds every stored time stays within.

A tablet's clock is not trusted: it may be years off, reset to 1970, or send a date that does
not exist. Python holds years 1 to 9999 only, PostgreSQL far more, so a time like
`9999-12-31T23:59:59-14:00` is year 10000 once in UTC, stored happily, and then unreadable by
every page that loads the row. Here a tablet's text is read without ever raising; what a
stored time may be is decided by `EARLIEST`/`LATEST` (also the database's check constraints),
and what a signature may trust is decided in `signings/services/tablet_times.py`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.dateparse import parse_datetime

# Every stored time lies in [EARLIEST, LATEST): the check constraints on the tables say the
# same, so no code path can store a time Python cannot read back.
EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(2200, 1, 1, tzinfo=datetime.UTC)
# A clock offset is stored clamped to this many seconds either way (ten years: far beyond any
# real drift, and within a 32-bit integer column).
OFFSET_LIMIT_SECONDS = 10 * 366 * 24 * 3600
# Longer text is not a time: `2024-01-17T08:30:00.123456+07:00` is 32 characters.
MAX_TEXT = 64
# What a date-time looks like before it is checked to exist (a tablet's broken clock still
# writes this shape; anything else is not a clock reading but a broken request).
_SHAPE = re.compile(r"^[+-]?\d{4,6}-\d{1,2}-\d{1,2}(?:[T ]\d|$)")


@dataclass(frozen=True)
class ClientTime:
    """A time as a tablet wrote it, and the moment it names when it names a real one.

    `value` keeps the tablet's own UTC offset (the replay fingerprint hashes it as sent); it
    is None when the text names no real moment (30 February, month 13). Comparing and
    subtracting aware values never overflows; converting one to UTC may (year 10000), so
    nothing here converts.
    """

    raw: str
    value: datetime.datetime | None

    @property
    def naive(self) -> bool:
        return self.value is not None and self.value.tzinfo is None

    @property
    def storable(self) -> bool:
        """Aware and within the bounds every stored time keeps."""
        return within(self.value, EARLIEST, LATEST - datetime.timedelta(microseconds=1))


def looks_like_time(text: str) -> bool:
    return len(text) <= MAX_TEXT and bool(_SHAPE.match(text.strip()))


def read(text: str) -> ClientTime:
    """Read a tablet's ISO 8601 text; never raises."""
    raw = text[:MAX_TEXT]
    try:
        value = parse_datetime(raw.strip())
    except (ValueError, OverflowError):
        # Django answers ValueError for a well-formed date that does not exist.
        value = None
    return ClientTime(raw=raw, value=value)


def within(value: datetime.datetime | None, low: datetime.datetime,
           high: datetime.datetime) -> bool:
    return value is not None and value.tzinfo is not None and low <= value <= high


def offset_seconds(client_now: datetime.datetime, server_now: datetime.datetime) -> int:
    """Tablet clock minus server clock, clamped to what a column holds."""
    seconds = round((client_now - server_now).total_seconds())
    return max(-OFFSET_LIMIT_SECONDS, min(OFFSET_LIMIT_SECONDS, seconds))


def header_offset(header: str, server_now: datetime.datetime) -> int | None:
    """The clock offset an `X-Kiosk-Clock` header shows, or None when it shows none.

    A real moment of any year counts (a tablet reset to 1900 is exactly what the officer must
    see), clamped; text that names no real moment, or no time zone, is ignored.
    """
    reading = read(header or "")
    if reading.value is None or reading.naive:
        return None
    return offset_seconds(reading.value, server_now)

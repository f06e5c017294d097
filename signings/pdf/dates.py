"""Dates as printed on Indonesian official documents: "Sampit, 17 Januari 2024"."""

from __future__ import annotations

import datetime
import zoneinfo

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)


def local(moment: datetime.datetime, tz_name: str) -> datetime.datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(tz_name))


def indonesian_date(day: datetime.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def place_and_date(place: str, moment: datetime.datetime, tz_name: str) -> str:
    """The signing date is the calendar day in the agency's own time zone (WIB/WITA/WIT)."""
    return f"{place}, {indonesian_date(local(moment, tz_name).date())}"


def zone_name(tz_name: str, moment: datetime.datetime | None = None) -> str:
    """WIB, WITA or WIT; another zone by its abbreviation at `moment` (or its name)."""
    known = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
    if tz_name in known:
        return known[tz_name]
    return moment.strftime("%Z") if moment is not None else tz_name


def indonesian_datetime(moment: datetime.datetime, tz_name: str, *,
                        seconds: bool = False) -> str:
    """17 Januari 2024 08.30 WIB, or with seconds 17 Januari 2024 08.30.15 WIB."""
    value = local(moment, tz_name)
    zone = zone_name(tz_name, value)
    clock = f"{value:%H.%M.%S}" if seconds else f"{value:%H.%M}"
    return f"{indonesian_date(value.date())} {clock} {zone}"

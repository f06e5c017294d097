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


def indonesian_datetime(moment: datetime.datetime, tz_name: str) -> str:
    value = local(moment, tz_name)
    zone = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}.get(
        tz_name, value.strftime("%Z"))
    return f"{indonesian_date(value.date())} {value:%H.%M} {zone}"

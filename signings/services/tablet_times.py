"""What the server makes of a tablet's clock: which of its times to trust, and the signing time.

A tablet's times are evidence, not facts. Each one it sends is trusted only when it names a
real moment inside the event's window: from a day before the event opened (or the tablet was
paired, if earlier) to a day after receipt. Anything else (year 9999, 30 February, a tablet
reset to 1900) is not stored as a time: its text is kept in `Signature.untrusted_times`, the
receipt time is the signing time, and the signature is flagged `clock_suspect`. The database's
check constraints (`signings.clock.EARLIEST`/`LATEST`) stop any other path.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings

from signings import clock
from signings.models import KioskDevice, SigningEvent

# How far outside the event a tablet's time may lie and still be believed.
WINDOW_MARGIN = datetime.timedelta(days=1)
# Seconds a tablet's clock may differ from the server's before its timestamps are distrusted.
DEFAULT_MAX_CLOCK_SKEW = 300


@dataclass(frozen=True, kw_only=True)
class Readings:
    """A tablet's clock readings for one signature: the moment each names (None when it
    names no real one) and, from the API, its text as sent."""

    signed: datetime.datetime | None = None
    sent: datetime.datetime | None = None
    consent: datetime.datetime | None = None
    raw: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TabletTimes:
    signed_at: datetime.datetime  # on the server's clock
    client_signed_at: datetime.datetime | None  # trusted readings only
    consent_at: datetime.datetime | None
    offset: int | None  # tablet minus server when sending, seconds
    suspect: bool
    untrusted: dict[str, str]  # field -> the text the tablet sent


def max_skew() -> int:
    return int(getattr(settings, "PAKTA_KIOSK_MAX_CLOCK_SKEW", DEFAULT_MAX_CLOCK_SKEW))


def clock_is_suspect(offset: int | None) -> bool:
    return offset is not None and abs(offset) > max_skew()


def window(*, event: SigningEvent, device: KioskDevice | None,
           received: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """The span a tablet time of this event may lie in to be believed."""
    starts = [moment for moment in (event.opened_at, device.paired_at if device else None)
              if moment is not None]
    low = (min(starts) if starts else received) - WINDOW_MARGIN
    high = received + WINDOW_MARGIN
    return max(low, clock.EARLIEST), min(high, clock.LATEST - datetime.timedelta(seconds=1))


def believe(value: datetime.datetime | None, raw: str | None, *, low: datetime.datetime,
            high: datetime.datetime) -> tuple[datetime.datetime | None, str | None]:
    """One reading judged against [low, high]: (the moment, None) when it is believed, (None,
    its text as sent) when not, (None, None) when nothing was sent."""
    if value is None and raw is None:
        return None, None
    if clock.within(value, low, high):
        return value, None
    return None, raw if raw is not None else value.isoformat() if value else ""


def judge(readings: Readings, *, event: SigningEvent, device: KioskDevice | None,
          received: datetime.datetime, tablet: bool) -> TabletTimes:
    """Which readings to trust and when the person signed, on the server's clock.

    A tablet may send hours after signing (it was offline); its own timestamp, corrected by its
    measured clock offset, is the best estimate, never later than the receipt nor before the
    pairing. An untrusted reading, a large offset, or an estimate well before the pairing (a
    clock far behind that sent no `client_sent_at`) mean the clock is not believed: the
    receipt time is used and the signature is flagged. Other methods only keep the bounds
    every stored time keeps.
    """
    if tablet:
        low, high = window(event=event, device=device, received=received)
    else:
        low, high = clock.EARLIEST, clock.LATEST - datetime.timedelta(seconds=1)
    untrusted: dict[str, str] = {}

    def trust(name: str, value: datetime.datetime | None) -> datetime.datetime | None:
        believed, text = believe(value, readings.raw.get(name), low=low, high=high)
        if text is not None:
            untrusted[name] = text
        return believed

    signed = trust("client_signed_at", readings.signed)
    sent = trust("client_sent_at", readings.sent)
    consent = trust("consent_at", readings.consent)
    offset = clock.offset_seconds(sent, received) if sent is not None else None
    suspect = bool(untrusted) or clock_is_suspect(offset)
    signed_at = received
    if tablet and signed is not None and not suspect:
        estimate = signed - datetime.timedelta(seconds=offset or 0)
        paired = device.paired_at if device is not None else None
        if paired is not None and estimate < paired - datetime.timedelta(seconds=max_skew()):
            suspect = True
        else:
            signed_at = min(max(estimate, paired) if paired is not None else estimate, received)
    return TabletTimes(signed_at=signed_at, client_signed_at=signed, consent_at=consent,
                       offset=offset, suspect=suspect, untrusted=untrusted)

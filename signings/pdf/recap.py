"""The recap of an event: the official record of the assembly, in signing order.

Uses the small JPEG thumbnails made at signing time (a 1,000-row recap renders twice as fast
as with the full PNGs, and the file is far smaller).
"""

from __future__ import annotations

import base64

from django.template.loader import render_to_string
from django.utils import timezone, translation

from signings.models import SigningEvent, Tally
from signings.pdf import dates, engine
from signings.pdf.fetcher import SafeURLFetcher
from signings.pdf.pact import letterhead_for
from signings.readmodels.event_record import event_record
from signings.readmodels.tally import labelled
from signings.signature_image import make_thumbnail


def _thumb(signature) -> str:
    try:
        if signature.thumbnail:
            with signature.thumbnail.open("rb") as handle:
                data = handle.read()
        elif signature.image:
            # The thumbnail task has not run yet (or failed): make one in memory, store nothing.
            with signature.image.open("rb") as handle:
                data = make_thumbnail(handle.read())
        else:
            return ""
    except OSError:
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")


def recap_context(event: SigningEvent) -> dict:
    record = event_record(event)
    tz_name = event.agency.timezone
    rows = [
        {
            "signature": s,
            "employee": s.employee,
            "thumb": _thumb(s),
            "time": dates.indonesian_datetime(s.signed_at, tz_name),
            "method": s.get_method_display(),
        }
        for s in record.signed
    ]
    return {
        "event": event,
        "record": record,
        "rows": rows,
        "letterhead": letterhead_for(event.agency),
        "event_date": dates.indonesian_date(event.date),
        "generated": dates.indonesian_datetime(timezone.now(), tz_name),
        "witnesses": [str(w) for w in (event.witnesses or [])],
        "Tally": Tally,
        "tallies": labelled(record.counts),
    }


def render_recap(event: SigningEvent, *, fetcher: SafeURLFetcher | None = None) -> bytes:
    # The recap is an official Indonesian record, cached whatever the reader's language.
    with translation.override("id"):
        html = render_to_string("pdf/recap.html", recap_context(event))
    return engine.render_pdf(html, stylesheet="recap", fetcher=fetcher)

"""The recap of an event: the official record of the assembly, in signing order.

Uses the small JPEG thumbnails made at signing time (a 1,000-row recap renders twice as fast
as with the full PNGs, and the file is far smaller).
"""

from __future__ import annotations

import base64
import hashlib
import json

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count, Max, Q
from django.template.loader import render_to_string
from django.utils import timezone

from signings.models import SigningEvent
from signings.pdf import dates, engine
from signings.pdf.fetcher import SafeURLFetcher
from signings.pdf.pact import letterhead_for
from signings.services.event_record import event_record
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
    }


def render_recap(event: SigningEvent, *, fetcher: SafeURLFetcher | None = None) -> bytes:
    html = render_to_string("pdf/recap.html", recap_context(event))
    return engine.render_pdf(html, stylesheet="recap", fetcher=fetcher)


RECAP_DIR = "recaps"


def recap_fingerprint(event: SigningEvent) -> str:
    """Changes whenever anything printed on the recap changes: the event, its signatures and
    voids, the absences, who is expected, and the signers' roster details."""
    signatures = event.signatures.aggregate(
        count=Count("id"), last=Max("id"), voided=Count("voided_at"), last_void=Max("voided_at"),
        thumbs=Count("id", filter=~Q(thumbnail="")),
    )
    outcomes = event.outcomes.aggregate(count=Count("id"), last=Max("recorded_at"))
    expected = event.expected.aggregate(
        count=Count("id"), last=Max("id"), roster=Max("employee__updated_at"),
    )
    state = [event.pk, event.status, event.title, event.venue, event.date, event.witnesses,
             event.pledge_read, event.template_version_id, event.agency.name,
             event.agency.address, signatures, outcomes, expected]
    canonical = json.dumps(state, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:20]


def cached_recap(event: SigningEvent) -> bytes:
    """The recap, rendered once per state of the event.

    A 1,000-signatory recap takes WeasyPrint well over ten seconds; auditors download the
    recap of a closed event again and again, and the archive task renders it too, so the
    result is kept in storage under the event's fingerprint.
    """
    prefix = f"{RECAP_DIR}/event-{event.pk}-"
    name = f"{prefix}{recap_fingerprint(event)}.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            return handle.read()
    data = render_recap(event)
    try:
        _directories, files = default_storage.listdir(RECAP_DIR)
    except FileNotFoundError:
        files = []
    for stale in files:
        if f"{RECAP_DIR}/{stale}".startswith(prefix):
            default_storage.delete(f"{RECAP_DIR}/{stale}")
    default_storage.save(name, ContentFile(data))
    return data

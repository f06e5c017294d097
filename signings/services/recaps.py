"""The event recap kept in storage, rendered once per state of the event.

signings.pdf.recap renders and returns bytes; keeping them is a write, so it lives here.
"""

from __future__ import annotations

import hashlib
import json

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count, Max, Q

from signings.models import SigningEvent
from signings.pdf import recap as recap_pdf

RECAP_DIR = "recaps"
# Part of the fingerprint: bump it when the recap's layout or wording changes, so recaps kept
# in storage are rendered again. 2: one set of words for the counts, sign-later with missing.
RECAP_LAYOUT = 2


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
    state = [RECAP_LAYOUT, event.pk, event.status, event.title, event.venue, event.date,
             event.witnesses, event.pledge_read, event.template_version_id, event.agency.name,
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
    data = recap_pdf.render_recap(event)
    try:
        _directories, files = default_storage.listdir(RECAP_DIR)
    except FileNotFoundError:
        files = []
    for stale in files:
        if f"{RECAP_DIR}/{stale}".startswith(prefix):
            default_storage.delete(f"{RECAP_DIR}/{stale}")
    default_storage.save(name, ContentFile(data))
    return data

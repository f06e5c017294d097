"""The recap of an event: the official record of the assembly, in signing order.

Uses the small JPEG thumbnails made at signing time (a 1,000-row recap renders twice as fast
as with the full PNGs, and the file is far smaller).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from dataclasses import dataclass

from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.utils import timezone, translation

from signings.models import SigningEvent, Tally, WitnessSignature
from signings.pdf import dates, engine
from signings.pdf.fetcher import SafeURLFetcher
from signings.pdf.pact import (
    letterhead_for,
    qr_data_url,
    verification_url,
    witness_signature_of,
)
from signings.readmodels.event_record import EventRecord, event_record
from signings.readmodels.tally import labelled
from signings.signature_image import make_thumbnail

# Blank lines for witnesses to write themselves in when the event recorded none: at an apel
# the direct superior or another official witnesses, often with a supervisor (DOMAIN.md).
BLANK_WITNESS_LINES = 2


@dataclass(frozen=True)
class RecapEvidence:
    """What makes a rendered recap checkable: its code (QR, /v/) and the audit chain head at
    its making. Left out only for previews that are never issued."""

    verification_code: str
    chain_head: str
    chain_count: int
    made_at: datetime.datetime


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


def _witness_line(signature, tz_name: str) -> str:
    """"Menyaksikan: <name>, <time>", or who is awaited."""
    signed = witness_signature_of(signature)
    if signed is not None:
        return (f"Disaksikan {signed.witness.display_name}, "
                f"{dates.indonesian_datetime(signed.signed_at, tz_name)}")
    if signature.witness is not None:
        return f"Menunggu saksi: {signature.witness.display_name}"
    return "Saksi belum ditentukan"


def recap_title(event: SigningEvent) -> str:
    """The recap's own title, as printed at its head and named in its seal."""
    return f"Rekapitulasi penandatanganan {event.template_version.title}"


def responsible_officer(event: SigningEvent):
    """The officer who answers for the record: who closed the event, else who opened it."""
    return event.closed_by or event.opened_by or event.created_by


def _officer_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _evidence_context(event: SigningEvent, evidence: RecapEvidence | None) -> dict:
    tz_name = event.agency.timezone
    made_at = evidence.made_at if evidence else timezone.now()
    context = {
        "recap_title": recap_title(event),
        "officer_name": _officer_name(responsible_officer(event)),
        "place_and_date": dates.place_and_date(event.agency.city, made_at, tz_name),
        "blank_witnesses": range(BLANK_WITNESS_LINES),
        "evidence": evidence,
    }
    if evidence is not None:
        url = verification_url(evidence.verification_code)
        context.update({"verify_url": url, "qr_data_url": qr_data_url(url)})
    return context


def recap_row(signature, tz_name: str, *, witnessed: bool) -> dict:
    """One signer's row; `witnessed`: the event's template has a "Menyaksikan" block."""
    return {
        "signature": signature,
        "employee": signature.employee,
        "thumb": _thumb(signature),
        "time": dates.indonesian_datetime(signature.signed_at, tz_name),
        "method": signature.get_method_display(),
        "witness": _witness_line(signature, tz_name) if witnessed else "",
    }


@dataclass(frozen=True)
class RecapPart:
    """One chunk of a long recap (signings/pdf/recap_chunks.py): its rows, numbered from
    row_offset + 1, with the head (letterhead, counts, QR) and/or the tail (absent, missing,
    voided, attestation)."""

    rows: list[dict]
    row_offset: int = 0
    head: bool = True
    tail: bool = True


def recap_context(event: SigningEvent, evidence: RecapEvidence | None = None, *,
                  record: EventRecord | None = None, part: RecapPart | None = None) -> dict:
    """The whole recap, or one part of it."""
    record = record or event_record(event)
    tz_name = event.agency.timezone
    witnessed = event.template_version.witness_required
    if part is None:
        part = RecapPart(rows=[recap_row(s, tz_name, witnessed=witnessed)
                               for s in record.signed])
    return {
        "event": event,
        "record": record,
        "rows": part.rows,
        "row_offset": part.row_offset,
        "part_head": part.head,
        "part_tail": part.tail,
        "letterhead": letterhead_for(event.agency),
        "event_date": dates.indonesian_date(event.date),
        "generated": dates.indonesian_datetime(
            evidence.made_at if evidence else timezone.now(), tz_name),
        "witnesses": [str(w) for w in (event.witnesses or [])],
        "witnessed": witnessed,
        "Tally": Tally,
        "tallies": labelled(record.counts),
        **_evidence_context(event, evidence),
    }


def render_recap(event: SigningEvent, *, evidence: RecapEvidence | None = None,
                 fetcher: SafeURLFetcher | None = None) -> bytes:
    """The unsealed recap in one pass; signings/services/recaps.py issues it (code, seal, audit
    entry), in chunks (signings/pdf/recap_chunks.py) above PAKTA_RECAP_CHUNK_ROWS signatories."""
    # The recap is an official Indonesian record, issued once whatever the reader's language.
    with translation.override("id"):
        html = render_to_string("pdf/recap.html", recap_context(event, evidence))
    return engine.render_pdf(html, stylesheet="recap", fetcher=fetcher)


# Part of the fingerprint: bump it when the recap's layout or wording changes, so a new state is
# issued. 2: one set of words for the counts, sign-later with missing. 3: the witness
# ("Menyaksikan") of each pact.
RECAP_LAYOUT = 3


def recap_fingerprint(event: SigningEvent) -> str:
    """Changes whenever anything printed on the recap changes: the event, its signatures and
    voids, the absences, who is expected, and the signers' roster details. Not whether the
    thumbnail task has run: a missing thumbnail is made in memory by the same function, so the
    page is the same, and two archives built while the tasks catch up must carry one recap."""
    signatures = event.signatures.aggregate(
        count=Count("id"), last=Max("id"), voided=Count("voided_at"), last_void=Max("voided_at"),
    )
    witnessed = WitnessSignature.objects.filter(signature__event=event).aggregate(
        count=Count("id"), last=Max("id"))
    outcomes = event.outcomes.aggregate(count=Count("id"), last=Max("recorded_at"))
    expected = event.expected.aggregate(
        count=Count("id"), last=Max("id"), roster=Max("employee__updated_at"),
    )
    state = [RECAP_LAYOUT, event.pk, event.status, event.title, event.venue, event.date,
             event.witnesses, event.pledge_read, event.template_version_id, event.agency.name,
             event.agency.address, signatures, witnessed, outcomes, expected]
    canonical = json.dumps(state, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:20]

"""The record of one event as auditors read it: who signed, who was absent and why, who is
missing. Shared by the auditor's event page, the recap PDF and the archive manifest; a fixed
number of queries whatever the size of the event. The lists and `counts` follow the one
definition of the counts (`ExpectedSignerQuerySet.with_state`)."""

from __future__ import annotations

from dataclasses import dataclass

from signings.models import (
    AttendanceOutcome,
    ExpectedSigner,
    Signature,
    SigningEvent,
    Tally,
)
from signings.readmodels.tally import labelled


@dataclass
class EventRecord:
    event: SigningEvent
    signed: list[Signature]
    voided: list[Signature]
    absent: list[AttendanceOutcome]
    # Expected signers neither signed nor absent; `outcome` is their "sign later" note or None.
    missing: list[ExpectedSigner]
    counts: dict[str, int]

    @property
    def tallies(self) -> list[dict]:
        return labelled(self.counts)


def signatures_for(event: SigningEvent):
    return (
        Signature.objects.filter(event=event)
        .select_related("employee__agency", "officer", "device", "witness",
                        "witness_signature__witness")
        .in_signing_order()
    )


def event_record(event: SigningEvent, *, with_signed: bool = True) -> EventRecord:
    """with_signed=False leaves `signed` empty, for a caller that streams the signatures
    itself (a recap of thousands, signings/pdf/recap_chunks.py)."""
    signatures = signatures_for(event)
    if not with_signed:
        signatures = signatures.filter(voided_at__isnull=False)
    all_signatures = list(signatures)
    expected = ExpectedSigner.objects.filter(event=event)
    outcomes = {
        o.employee_id: o
        for o in AttendanceOutcome.objects.filter(event=event).select_related("employee__agency")
    }
    absent_ids = set(expected.in_tally(Tally.ABSENT).values_list("employee_id", flat=True))
    missing = list(
        expected.in_tally(Tally.MISSING)
        .select_related("employee__agency").order_by("employee__agency__path", "employee__name")
    )
    for row in missing:
        row.outcome = outcomes.get(row.employee_id)
    absent = sorted((outcomes[pk] for pk in absent_ids),
                    key=lambda o: (o.employee.agency.path, o.employee.name))
    return EventRecord(
        event=event,
        signed=[s for s in all_signatures if not s.is_void],
        voided=[s for s in all_signatures if s.is_void],
        absent=absent, missing=missing, counts=expected.tally(),
    )

"""The record of one event as auditors read it: who signed, who was absent and why, who is
missing. Shared by the auditor's event page, the recap PDF and the archive manifest; a fixed
number of queries whatever the size of the event."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from signings.models import (
    AttendanceOutcome,
    ExpectedSigner,
    Signature,
    SigningEvent,
)


@dataclass
class EventRecord:
    event: SigningEvent
    signed: list[Signature]
    voided: list[Signature]
    absent: list[AttendanceOutcome]
    missing: list[ExpectedSigner]
    expected_count: int

    @property
    def percent(self) -> int:
        if not self.expected_count:
            return 0
        return round(len(self.signed) * 100 / self.expected_count)


def signatures_for(event: SigningEvent):
    return (
        Signature.objects.filter(event=event)
        .select_related("employee__agency", "officer", "device")
        .in_signing_order()
    )


def event_record(event: SigningEvent) -> EventRecord:
    all_signatures = list(signatures_for(event))
    signed = [s for s in all_signatures if not s.is_void]
    voided = [s for s in all_signatures if s.is_void]
    signed_ids = {s.employee_id for s in signed}
    outcomes = [
        o for o in AttendanceOutcome.objects.filter(event=event)
        .select_related("employee__agency").order_by("employee__name")
        if o.employee_id not in signed_ids
    ]
    absent_ids = {o.employee_id for o in outcomes}
    has_outcome = AttendanceOutcome.objects.filter(event=event, employee=OuterRef("employee"))
    missing = list(
        ExpectedSigner.objects.filter(event=event).unsigned()
        .exclude(Exists(has_outcome))
        .select_related("employee__agency").order_by("employee__agency__path", "employee__name")
    )
    expected_count = ExpectedSigner.objects.filter(event=event).count()
    return EventRecord(
        event=event, signed=signed, voided=voided,
        absent=[o for o in outcomes if o.employee_id in absent_ids], missing=missing,
        expected_count=expected_count,
    )


"""What happened to expected signers who did not sign: absent with a reason, or signing later."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from signings.errors import PaktaError
from signings.models import (
    AbsenceReason,
    AttendanceOutcome,
    AttendanceStatus,
    Employee,
    EventStatus,
    SigningEvent,
)
from signings.services import audit
from signings.services.context import AuditContext


class AttendanceError(PaktaError):
    """A refused attendance note."""


@dataclass(frozen=True, kw_only=True)
class OutcomeNote:
    """What the officer notes about someone who did not sign."""

    status: str  # AttendanceStatus
    reason: str = ""  # AbsenceReason, for ABSENT
    note: str = ""


@transaction.atomic
def record_outcome(
    *, event: SigningEvent, employee: Employee, outcome: OutcomeNote, context: AuditContext,
) -> AttendanceOutcome:
    status, reason, note = outcome.status, outcome.reason, outcome.note
    if event.status == EventStatus.CLOSED:
        raise AttendanceError(
            "event.closed", _("Acara sudah ditutup; buka kembali untuk mencatat kehadiran.")
        )
    if not event.expected.filter(employee=employee).exists():
        raise AttendanceError(
            "employee.not_expected", _("Pegawai ini tidak terdaftar sebagai peserta acara ini.")
        )
    if event.signatures.valid().filter(employee=employee).exists():
        raise AttendanceError(
            "employee.signed", _("Pegawai ini sudah menandatangani; keterangan tidak diperlukan.")
        )
    if status == AttendanceStatus.ABSENT and reason not in AbsenceReason.values:
        raise AttendanceError("reason.missing", _("Pilih alasan ketidakhadiran."))
    if reason == AbsenceReason.OTHER and not note.strip():
        raise AttendanceError("note.missing", _("Jelaskan alasan lainnya pada catatan."))
    saved, created = AttendanceOutcome.objects.update_or_create(
        event=event,
        employee=employee,
        defaults={"status": status, "reason": reason, "note": note.strip(),
                  "recorded_by": context.actor},
    )
    audit.record(
        action="signing.attendance.recorded",
        obj=saved,
        agency=employee.agency,
        details={"event": event.pk, "employee": employee.pk, "status": status, "reason": reason,
                 "created": created},
        context=context,
    )
    return saved


@transaction.atomic
def clear_outcome(*, event: SigningEvent, employee: Employee,
                  context: AuditContext) -> None:
    if event.status == EventStatus.CLOSED:
        # A closed event is frozen: its absence notes are part of the record.
        raise AttendanceError(
            "event.closed", _("Acara sudah ditutup; buka kembali untuk mencatat kehadiran.")
        )
    outcome = AttendanceOutcome.objects.filter(event=event, employee=employee).first()
    if outcome is None:
        return
    audit.record(
        action="signing.attendance.cleared", obj=outcome, agency=employee.agency, context=context,
        details={"event": event.pk, "employee": employee.pk},
    )
    outcome.delete()

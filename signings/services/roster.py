"""Changing the roster one employee at a time: create, edit, deactivate, delete.

Each write is one transaction with its audit entry. Bulk changes from spreadsheets live in
`signings.services.imports`.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from signings.errors import PaktaError
from signings.models import Employee
from signings.services import audit
from signings.services.context import AuditContext

# The fields an officer edits; the audit entry records the before/after of exactly these.
EDITABLE_FIELDS = (
    "name", "title_prefix", "title_suffix", "category", "nip", "nik", "staff_number",
    "position", "grade", "echelon", "agency_id", "superior_id", "is_active",
)


class RosterError(PaktaError):
    """A refused roster change."""


def _snapshot(employee: Employee) -> dict:
    return {field: getattr(employee, field) for field in EDITABLE_FIELDS}


def _save(employee: Employee) -> None:
    # The form checked NIP/NIK uniqueness, but another officer may have saved the same person
    # a moment ago: the database constraint decides, and the officer gets a sentence.
    try:
        with transaction.atomic():
            employee.save()
    except IntegrityError:
        raise RosterError(
            "employee.duplicate",
            _("NIP/NIK ini baru saja didaftarkan untuk pegawai lain. Periksa daftar pegawai."),
        ) from None


@transaction.atomic
def create_employee(*, employee: Employee, context: AuditContext) -> Employee:
    """Save a new, already validated employee (a bound ModelForm's instance)."""
    _save(employee)
    audit.record(
        action="roster.employee.created", obj=employee, agency=employee.agency, context=context,
        details={"after": _snapshot(employee)},
    )
    return employee


@transaction.atomic
def update_employee(*, employee: Employee, context: AuditContext) -> Employee:
    """Save edits to a validated employee; the audit entry lists what changed."""
    before = Employee.objects.select_for_update().get(pk=employee.pk)
    old, new = _snapshot(before), _snapshot(employee)
    changes = audit.changes(old, new)
    _save(employee)
    audit.record(
        action="roster.employee.updated", obj=employee, agency=employee.agency, context=context,
        details={"changes": changes},
    )
    return employee


@transaction.atomic
def set_active(*, employee: Employee, active: bool, context: AuditContext) -> Employee:
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if employee.is_active == active:
        return employee
    employee.is_active = active
    employee.save(update_fields=["is_active", "updated_at"])
    audit.record(
        action="roster.employee.activated" if active else "roster.employee.deactivated",
        obj=employee, agency=employee.agency, details={}, context=context,
    )
    return employee


@transaction.atomic
def delete_employee(*, employee: Employee, context: AuditContext) -> None:
    """Remove an employee entered by mistake. Anyone who ever signed stays (deactivate them)."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if employee.signatures.exists():
        raise RosterError(
            "employee.has_signatures",
            _("Pegawai yang pernah menandatangani tidak dapat dihapus; nonaktifkan saja."),
        )
    audit.record(
        action="roster.employee.deleted", obj=employee, agency=employee.agency, context=context,
        details={"before": _snapshot(employee)},
    )
    # Unsigned places on event lists and absence notes go with the mistaken record.
    employee.attendance_outcomes.all().delete()
    employee.expected_at.all().delete()
    employee.headed_agencies.update(head=None)
    employee.delete()

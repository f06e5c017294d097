"""Confirming an import: the plan recomputed and written in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from signings import access
from signings.access import Ability
from signings.models import Agency, Employee
from signings.services import audit
from signings.services.context import AuditContext
from signings.services.imports.formats import Table
from signings.services.imports.plan import ImportPlan, RowOutcome, plan_import
from signings.services.imports.rows import COMPARED_FIELDS
from signings.tabular import ImportFileError


class StalePlanError(ImportFileError):
    pass


@dataclass(frozen=True, kw_only=True)
class ImportSource:
    """The upload's table, and the file's name and SHA-256 for the audit entry."""

    table: Table
    filename: str = ""
    sha256: str = ""


def apply_import(
    *, source: ImportSource, agency: Agency, fingerprint: str, context: AuditContext,
) -> ImportPlan:
    """Write the plan in one transaction with one audit entry.

    The plan is recomputed here; if it differs from the preview the user confirmed
    (`fingerprint`), nothing is written and StalePlanError asks them to look again.
    """
    user = context.actor
    access.check(user, Ability.MANAGE, agency)
    with transaction.atomic():
        plan = plan_import(table=source.table, agency=agency, user=user)
        if plan.fingerprint() != fingerprint:
            raise StalePlanError(
                "import.stale",
                _("Data pegawai berubah sejak pratinjau dibuat. Periksa pratinjau terbaru, "
                  "lalu konfirmasi lagi."),
            )
        updates = [row for row in plan.writable if row.employee_id]
        current = Employee.objects.select_for_update().in_bulk([r.employee_id for r in updates])
        changed, moved, superiors = [], [], []
        now = timezone.now()
        for row in updates:
            assert row.data is not None  # writable rows carry their values
            employee = current[row.employee_id]
            if row.data["agency_id"] != employee.agency_id and row.note:
                moved.append(employee.pk)
            for name, value in _fields(row.data).items():
                setattr(employee, name, value)
            employee.agency = plan.agencies[employee.agency_id]
            # The plan checked every superior against the units as they will be after this
            # import (a superior may move in the same file); clean() would see the units as
            # they are now, and load each superior with a query of its own.
            before = employee.superior_id
            employee.superior = None
            employee.clean()  # derives birth date and sex from NIP/NIK
            employee.superior_id = before
            if row.superior_nip:
                superiors.append((employee, row, before))
            employee.updated_at = now
            changed.append(employee)
        new = []
        for row in plan.writable:
            if row.employee_id:
                continue
            assert row.data is not None  # writable rows carry their values
            employee = Employee(**_fields(row.data))
            employee.clean()
            new.append(employee)
            if row.superior_nip:
                superiors.append((employee, row, None))
        try:
            with transaction.atomic():
                Employee.objects.bulk_create(new, batch_size=500)
                superior_changes = _set_superiors(superiors, new)
                Employee.objects.bulk_update(
                    changed, [*COMPARED_FIELDS, "superior", "birth_date", "sex", "updated_at"],
                    batch_size=500,
                )
                # The new employees' superiors: some are new too, known once created.
                Employee.objects.bulk_update([e for e, row, _b in superiors if not row.employee_id],
                                             ["superior"], batch_size=500)
        except IntegrityError:
            raise StalePlanError(
                "import.conflict",
                _("Sebagian data bentrok dengan perubahan lain yang baru disimpan. Unggah "
                  "ulang berkasnya."),
            ) from None
        audit.record(
            action="roster.import.confirmed", obj=None, agency=agency, context=context,
            details={"filename": source.filename, "sha256": source.sha256,
                     "format": source.table.format, **plan.counts,
                     "created_ids": [e.pk for e in new], "updated_ids": [e.pk for e in changed],
                     "moved_ids": moved, "superior_changes": superior_changes},
        )
    return plan


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    """The Employee field values of a row: its superior's NIP is resolved separately."""
    return {name: value for name, value in data.items() if name != "superior_nip"}


def _set_superiors(superiors: list[tuple[Employee, RowOutcome, int | None]],
                   new: list[Employee]) -> list[dict[str, int | None]]:
    """Point each employee at the superior the plan resolved; return what changed."""
    created = {employee.nip: employee.pk for employee in new if employee.nip}
    changes = []
    for employee, row, before in superiors:
        employee.superior_id = row.superior_id or created[row.superior_nip]
        changes.append({"employee_id": employee.pk, "from": before, "to": employee.superior_id})
    return changes

"""The preview: what confirming an import would do, row by row. Reads only."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext as _

from signings import access, text
from signings.access import Ability
from signings.models import Agency, Echelon, Employee, EmployeeCategory
from signings.services.imports import siasn
from signings.services.imports.formats import SIASN, Table
from signings.services.imports.outcome import RowOutcome, RowStatus
from signings.services.imports.rows import COMPARED_FIELDS, FIELD_LABELS, parse_row
from signings.services.imports.superiors import Candidate, resolve_superiors
from signings.services.imports.units import UnitResolver

if TYPE_CHECKING:
    from signings.access import AnyUser


@dataclass
class ImportPlan:
    rows: list[RowOutcome]
    format: str = ""
    # Unit names no unit of the tree answers to, with how many rows carry each.
    unmatched_units: list[tuple[str, int]] = field(default_factory=list)
    # The units and agencies the rows name, so that apply needs no query to check them.
    agencies: dict[int, Agency] = field(default_factory=dict, repr=False)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in (RowStatus.NEW, RowStatus.CHANGED,
                                           RowStatus.UNCHANGED, RowStatus.ERROR)}

    @property
    def writable(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.status in (RowStatus.NEW, RowStatus.CHANGED)]

    def fingerprint(self) -> str:
        """Identifies what would be written: confirmation must match the preview shown."""
        payload = [(r.row, r.status, r.employee_id, r.data, r.superior_nip)
                   for r in self.writable]
        text = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _key(data: dict) -> tuple:
    if data["nip"]:
        return ("nip", data["nip"])
    if data["nik"]:
        return ("nik", data["nik"])
    return ("staff", data["agency_id"], data["staff_number"])


def _identity_label(data: dict, cells: dict[str, str]) -> str:
    return (data.get("nip") or data.get("nik") or data.get("staff_number")
            or cells.get("nip") or cells.get("nik") or "")


def _display(field_name: str, value: Any, agencies: dict[int, Agency]) -> str:
    if field_name == "agency_id":
        agency = agencies.get(value)
        return agency.name if agency else ""
    if field_name == "is_active":
        return _("ya") if value else _("tidak")
    if field_name == "echelon":
        return str(Echelon(value).label)
    if field_name == "category" and value:
        return str(EmployeeCategory(value).label)
    return "" if value is None else str(value)


def _template_cells(table: Table, cells: dict[str, str]) -> dict[str, str]:
    """The row in the vocabulary of Pakta's template, whatever export it came from."""
    if table.format == SIASN:
        return siasn.to_template(cells)
    if table.default_category and not cells.get("category", "").strip():
        return {**cells, "category": table.default_category}
    return cells


def _parse(table: Table, units: UnitResolver) -> list[tuple[int, dict[str, str], dict, list]]:
    parsed = []
    for number, cells in table.cells():
        # A NUL or a direction override is refused here, at preview, naming the row and the
        # column as the file names it: its values must reach neither a query nor the
        # confirmation. This runs on every format, before any translation.
        errors = text.row_problems(cells, labels=table.labels, row=number)
        data: dict[str, Any] = {"name": text.scrub(cells.get("name", ""))}
        if not errors:
            data, errors = parse_row(_template_cells(table, cells), units)
        parsed.append((number, cells, data, errors))
    return parsed


def plan_import(*, table: Table, agency: Agency, user: AnyUser) -> ImportPlan:
    """What confirming would do, row by row. Reads only; a constant number of queries."""
    units = UnitResolver(agency)
    agencies = dict(units.by_pk)
    parsed = _parse(table, units)

    nips = {d["nip"] for _n, _c, d, _e in parsed if d.get("nip")}
    niks = {d["nik"] for _n, _c, d, _e in parsed if d.get("nik")}
    staff = {d["staff_number"] for _n, _c, d, e in parsed
             if not d.get("nip") and not d.get("nik") and d.get("staff_number")}
    existing = list(
        Employee.objects.filter(
            Q(nip__in=nips) | Q(nik__in=niks)
            | (Q(staff_number__in=staff, nip__isnull=True, nik__isnull=True)
               & Q(agency__path__startswith=agency.path))
        ).select_related("agency", "superior__agency")
    )
    by_nip = {e.nip: e for e in existing if e.nip}
    by_nik = {e.nik: e for e in existing if e.nik}
    by_staff = {(e.agency_id, e.staff_number): e for e in existing
                if not e.nip and not e.nik and e.staff_number}
    for employee in existing:
        agencies.setdefault(employee.agency_id, employee.agency)

    outcomes: list[RowOutcome] = []
    seen: dict[tuple, tuple[int, dict]] = {}
    candidates: list[Candidate] = []
    rejected: dict[str, int] = {}
    kept = table.kept
    for number, cells, data, errors in parsed:
        outcome = RowOutcome(row=number, status=RowStatus.ERROR, name=data.get("name", ""),
                             identity=text.scrub(_identity_label(data, cells)))
        if errors:
            outcome.errors = errors
            outcomes.append(outcome)
            if data.get("nip"):
                rejected.setdefault(data["nip"], number)
            continue
        key = _key(data)
        if key in seen:
            first_row, first_data = seen[key]
            if first_data == data:
                outcome.status = RowStatus.UNCHANGED
                outcome.note = _("Duplikat baris %(row)d; diabaikan.") % {"row": first_row}
            else:
                outcome.errors = [_("NIP/NIK yang sama sudah ada di baris %(row)d dengan data "
                                    "berbeda.") % {"row": first_row}]
            outcomes.append(outcome)
            continue
        seen[key] = (number, data)

        if key[0] == "nip":
            current = by_nip.get(data["nip"])
        elif key[0] == "nik":
            current = by_nik.get(data["nik"])
        else:
            current = by_staff.get((data["agency_id"], data["staff_number"]))
        # The NIK of this row may already belong to a different person.
        other = by_nik.get(data["nik"]) if data["nik"] else None
        if other is not None and other is not current:
            outcome.errors = [_("NIK ini sudah terdaftar untuk pegawai lain.")]
            outcomes.append(outcome)
            if data["nip"]:
                rejected.setdefault(data["nip"], number)
            continue

        if current is None:
            outcome.status = RowStatus.NEW
            outcome.data = data
            outcomes.append(outcome)
            candidates.append(Candidate(outcome, data, None))
            continue
        if not access.can(user, Ability.MANAGE, current.agency):
            # Do not say which agency: it lies outside what this officer may see.
            outcome.errors = [_("Pegawai ini terdaftar pada instansi lain di luar kewenangan "
                                "Anda; minta instansi tersebut memindahkannya.")]
            outcomes.append(outcome)
            if data["nip"]:
                rejected.setdefault(data["nip"], number)
            continue
        outcome.employee_id = current.pk
        # What the export does not carry stays as Pakta has it.
        data = {**data, **{name: getattr(current, name) for name in kept}}
        changes = [
            (str(FIELD_LABELS[f]), _display(f, getattr(current, f), agencies),
             _display(f, data[f], agencies))
            for f in COMPARED_FIELDS if getattr(current, f) != data[f]
        ]
        if not changes:
            outcome.status = RowStatus.UNCHANGED
        else:
            outcome.status = RowStatus.CHANGED
            outcome.changes = changes
            outcome.data = data
            if not current.agency.is_within(agency):
                outcome.note = _("Pindah dari %(agency)s.") % {"agency": current.agency.name}
        outcomes.append(outcome)
        candidates.append(Candidate(outcome, data, current))
    _settle_superiors(candidates, rejected, agencies, user)
    return ImportPlan(rows=outcomes, format=table.format,
                      unmatched_units=sorted(units.unmatched.items()), agencies=agencies)


def _settle_superiors(candidates: list[Candidate], rejected: dict[str, int],
                      agencies: dict[int, Agency], user: AnyUser) -> None:
    failed, changes = resolve_superiors(candidates=candidates, rejected=rejected,
                                        agencies=agencies, user=user)
    for row, problem in failed.items():
        outcome = row.outcome
        outcome.status, outcome.errors = RowStatus.ERROR, [problem]
        outcome.data, outcome.changes, outcome.employee_id = None, [], None
    for change in changes:
        outcome = change.row.outcome
        outcome.changes.append(change.change)
        outcome.superior_nip, outcome.superior_id = change.nip, change.pk
        if outcome.status == RowStatus.UNCHANGED:
            outcome.status, outcome.data = RowStatus.CHANGED, change.row.data

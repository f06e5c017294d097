"""The neutrality-pledge report for BKN, per event: totals by employee category and by unit,
and who did not sign, with why.

The counts are `ExpectedSigner.objects.with_state()`'s (via `tally_counts` and
`compliance.compliance_rows`), so this report agrees with the live view, the recap and the
compliance report. Four queries whatever the size of the event.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from signings.models import (
    AttendanceOutcome,
    AttendanceStatus,
    EmployeeCategory,
    ExpectedSigner,
    SigningEvent,
    Tally,
)
from signings.models.event import tally_counts
from signings.readmodels import compliance
from signings.tabular import xlsx_text


@dataclass
class NonSigner:
    name: str
    nip: str
    position: str
    unit: str
    tally: str  # Tally.ABSENT or Tally.MISSING
    reason: str
    note: str


@dataclass
class BknReport:
    event: SigningEvent
    by_category: list[tuple[str, dict[str, int]]]
    by_unit: list[compliance.ComplianceRow]
    total: compliance.ComplianceRow
    non_signers: list[NonSigner] = field(default_factory=list)


def bkn_report(event: SigningEvent) -> BknReport:
    expected = ExpectedSigner.objects.filter(event=event)
    per_category = {
        row["employee__category"]: row
        for row in expected.with_state().values("employee__category")
        .annotate(**tally_counts()).order_by()
    }
    by_category = [
        (str(label), {t: per_category[value][t] for t in Tally.values})
        for value, label in EmployeeCategory.choices if value in per_category
    ]
    by_unit = compliance.compliance_rows(event.agency, event)
    outcomes = {
        o.employee_id: o for o in AttendanceOutcome.objects.filter(event=event)
    }
    non_signers = []
    owing = (
        expected.with_state().filter(has_signed=False).select_related("employee__agency")
        .order_by("employee__agency__path", "employee__name", "employee__pk")
    )
    for row in owing:
        employee, outcome = row.employee, outcomes.get(row.employee_id)
        absent = outcome is not None and outcome.status == AttendanceStatus.ABSENT
        non_signers.append(NonSigner(
            name=str(employee), nip=employee.nip or "", position=employee.position,
            unit=employee.agency.name,
            tally=str(Tally.ABSENT.label if absent else Tally.MISSING.label),
            reason=str(outcome.get_reason_display() if absent and outcome else
                       (outcome.get_status_display() if outcome else "")),
            note=outcome.note if outcome else "",
        ))
    return BknReport(event=event, by_category=by_category, by_unit=by_unit,
                     total=compliance.totals(by_unit, event.agency), non_signers=non_signers)


def bkn_report_xlsx(report: BknReport, *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Kategori"
    sheet.append([xlsx_text(title)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(["Kategori", *(str(label) for label in Tally.labels)])
    for cell in sheet[2]:
        cell.font = bold
    for label, counts in report.by_category:
        sheet.append([label, *(counts[t] for t in Tally.values)])
    sheet.append(["Jumlah", *(getattr(report.total, t) for t in Tally.values)])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    sheet.column_dimensions["A"].width = 30

    units = workbook.create_sheet("Unit")
    units.append(["Unit", *(str(label) for label in Tally.labels), "Persentase (%)"])
    for cell in units[1]:
        cell.font = bold
    root_depth = report.event.agency.depth
    for row in report.by_unit:
        name = "  " * max(row.agency.depth - root_depth, 0) + xlsx_text(row.agency.name)
        units.append([name, *(getattr(row, t) for t in Tally.values), row.percent])
    units.column_dimensions["A"].width = 60

    missing = workbook.create_sheet("Belum tanda tangan")
    missing.append(["Nama", "NIP", "Jabatan", "Unit", "Keadaan", "Alasan", "Catatan"])
    for cell in missing[1]:
        cell.font = bold
    for person in report.non_signers:
        missing.append([xlsx_text(person.name), xlsx_text(person.nip),
                        xlsx_text(person.position), xlsx_text(person.unit), person.tally,
                        person.reason, xlsx_text(person.note)])
    for column, width in zip("ABCDEFG", (40, 20, 40, 40, 20, 20, 40), strict=True):
        missing.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

"""Compliance per agency of a subtree: expected, signed, absent, missing, percentage.

Two queries whatever the size of the tree: the agencies, and one grouped count. The counts are
`ExpectedSigner.objects.with_state()`'s, like every other page's.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from signings.models import Agency, ExpectedSigner, SigningEvent, Tally
from signings.models.event import tally_counts
from signings.tabular import xlsx_text


@dataclass
class ComplianceRow:
    agency: Agency
    expected: int = 0
    signed: int = 0
    absent: int = 0
    missing: int = 0

    @property
    def percent(self) -> float:
        return round(self.signed * 100 / self.expected, 1) if self.expected else 0.0

    @property
    def indent(self) -> int:
        return self.agency.depth


def compliance_rows(root: Agency, event: SigningEvent | None = None) -> list[ComplianceRow]:
    expected = ExpectedSigner.objects.filter(employee__agency__path__startswith=root.path)
    if event is not None:
        expected = expected.filter(event=event)
    counts = (
        expected.with_state().values("employee__agency").annotate(**tally_counts()).order_by()
    )
    by_agency = {c["employee__agency"]: c for c in counts}
    rows = []
    for agency in Agency.objects.subtree_of(root).order_by("path"):
        c = by_agency.get(agency.pk)
        if c is None:
            continue
        rows.append(ComplianceRow(agency=agency, **{t: c[t] for t in Tally.values}))
    return rows


def totals(rows: list[ComplianceRow], root: Agency) -> ComplianceRow:
    return ComplianceRow(agency=root, **{t: sum(getattr(r, t) for r in rows)
                                         for t in Tally.values})


def compliance_xlsx(root: Agency, rows: list[ComplianceRow], *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.formatting.rule import DataBarRule
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Kepatuhan"
    sheet.append([xlsx_text(title)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(["Instansi", *(str(label) for label in Tally.labels), "Persentase (%)"])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        name = "  " * max(row.agency.depth - root.depth, 0) + xlsx_text(row.agency.name)
        sheet.append([name, *(getattr(row, t) for t in Tally.values), row.percent])
    total = totals(rows, root)
    sheet.append(["Jumlah", *(getattr(total, t) for t in Tally.values), total.percent])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    last = sheet.max_row - 1
    if last >= 3:
        sheet.conditional_formatting.add(
            f"F3:F{last}", DataBarRule(start_type="num", start_value=0, end_type="num",
                                       end_value=100, color="2E7D32"))
    sheet.column_dimensions["A"].width = 60
    for column in "BCDEF":
        sheet.column_dimensions[column].width = 15
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

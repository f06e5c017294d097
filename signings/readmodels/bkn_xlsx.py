"""The BKN report as XLSX: the same `BknReport` the sealed PDF prints (signings/pdf/bkn.py)."""

from __future__ import annotations

import io

from django.utils import translation

from signings.models import Tally
from signings.readmodels.bkn_report import BknReport
from signings.tabular import xlsx_text


def bkn_report_xlsx(report: BknReport, *, title: str) -> bytes:
    # Indonesian whatever the reader's language, like the PDF of the same report.
    with translation.override("id"):
        return _workbook(report, title=title)


def _workbook(report: BknReport, *, title: str) -> bytes:
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
    root_depth = report.agency.depth
    for row in report.by_unit:
        name = "  " * max(row.agency.depth - root_depth, 0) + xlsx_text(row.agency.name)
        units.append([name, *(getattr(row, t) for t in Tally.values), row.percent])
    units.column_dimensions["A"].width = 60

    missing = workbook.create_sheet("Belum tanda tangan")
    missing.append(["Nama", "NIP", "Jabatan", "Unit", "Keadaan", "Alasan", "Catatan",
                    "Kategori", "Acara"])
    for cell in missing[1]:
        cell.font = bold
    for person in report.non_signers:
        missing.append([xlsx_text(person.name), xlsx_text(person.nip),
                        xlsx_text(person.position), xlsx_text(person.unit), person.tally,
                        person.reason, xlsx_text(person.note), person.category,
                        xlsx_text(person.event)])
    for column, width in zip("ABCDEFGHI", (40, 20, 40, 40, 20, 20, 40, 20, 40), strict=True):
        missing.column_dimensions[column].width = width

    events = workbook.create_sheet("Acara")
    events.append(["Tanggal", "Acara", "Instansi", "Templat"])
    for cell in events[1]:
        cell.font = bold
    for event in report.events:
        events.append([event.date, xlsx_text(event.title), xlsx_text(event.agency.name),
                       xlsx_text(event.template_version.title)])
    for column, width in zip("ABCD", (12, 60, 40, 50), strict=True):
        events.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

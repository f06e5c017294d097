"""ANRI archive metadata: one row per event record in the archive, as CSV and XLSX.

ANRI's description standard asks, per record: classification code, description, period,
level of development, quantity and retention. The code and the retention are the agency's own
(`Agency.archive_classification_code`, `Agency.archive_retention`). The XLSX is rewritten with
fixed entry times and properties so the archive stays byte-for-byte deterministic.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile

from signings.tabular import neutralise, xlsx_text

COLUMNS = ["Kode klasifikasi", "Uraian", "Kurun waktu", "Tingkat perkembangan", "Jumlah",
           "Retensi"]
# Sealed electronic originals, not copies.
LEVEL = "Asli (elektronik, bersegel)"


def rows(*, agency, events, pacts_per_event: dict[int, int]) -> list[list[str]]:
    """One row per event: its pacts and its recap are one record."""
    out = []
    for event in events:
        pacts = pacts_per_event.get(event.pk, 0)
        out.append([
            agency.archive_classification_code,
            f"Pakta integritas: {event.title}, {event.agency.name}",
            event.date.strftime("%d-%m-%Y"),
            LEVEL,
            f"{pacts} pakta, 1 rekapitulasi",
            agency.archive_retention,
        ])
    return out


def as_csv(table: list[list[str]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    writer.writerows([neutralise(value) for value in row] for row in table)
    # A BOM so spreadsheet programs read the names as UTF-8.
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def as_xlsx(table: list[list[str]], *, moment: datetime.datetime | None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    fixed = (moment or datetime.datetime(1980, 1, 1, tzinfo=datetime.UTC)).replace(
        tzinfo=None, microsecond=0)
    workbook = Workbook()
    workbook.properties.created = workbook.properties.modified = fixed
    sheet = workbook.active
    sheet.title = "Metadata arsip"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table:
        sheet.append([xlsx_text(value) for value in row])
    for column, width in zip("ABCDEF", (18, 60, 14, 28, 24, 50), strict=True):
        sheet.column_dimensions[column].width = width
    raw = io.BytesIO()
    workbook.save(raw)
    return _fixed_times(raw.getvalue(), fixed)


def _fixed_times(data: bytes, moment: datetime.datetime) -> bytes:
    """The same workbook with every entry stamped `moment` (openpyxl stamps the clock)."""
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute,
             moment.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()

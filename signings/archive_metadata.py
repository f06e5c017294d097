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
import re
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
    """The same table as a workbook whose bytes depend on the content alone: `moment` (the
    newest archived event, in the agency's time zone) is its creation and modification time
    and the time of every entry inside it."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    local = (moment or datetime.datetime(1980, 1, 1, tzinfo=datetime.UTC)).replace(microsecond=0)
    workbook = Workbook()
    # The document properties are in UTC ("Z"); openpyxl wants them naive.
    workbook.properties.created = local.astimezone(datetime.UTC).replace(tzinfo=None)
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
    return _fixed_times(raw.getvalue(), local)


# openpyxl writes the clock into `modified` while saving, whatever the properties say.
_MODIFIED = re.compile(rb"(<dcterms:modified\b[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_times(data: bytes, moment: datetime.datetime) -> bytes:
    """The same workbook with every entry, and its modification time, stamped `moment`."""
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute,
             moment.second)
    modified = moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(lambda m: m[1] + modified + m[2], content)
            target.writestr(entry, content)
    return out.getvalue()

"""Reading roster files: CSV (any common encoding and delimiter) and XLSX, as text cells.

Nothing here touches the database. Formulas are never evaluated; `neutralise` makes text safe
to put in a spreadsheet cell again.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
import zlib

from django.conf import settings
from django.utils.translation import gettext as _

from signings.errors import PaktaError

MAX_ROWS = 20000
MAX_COLUMNS = 100
# Cells starting with these are formulas to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ImportFileError(PaktaError):
    """The file as a whole cannot be read; `message` is for the person who uploaded it."""


def neutralise(value) -> str:
    """Text for a CSV/XLSX cell that no spreadsheet will run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def xlsx_text(value) -> str:
    """`neutralise`, with the control characters a worksheet cannot hold shown as U+FFFD:
    openpyxl refuses to write them, and a name stored before they were refused (or typed in
    a form that lets them through) must not make the whole export fail."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", neutralise(value))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Up to 15 digits a float is exact; a longer number (a mangled NIP/NIK) keeps its
        # scientific form so identity parsing names the problem.
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """The file's rows as lists of text cells, the header first. Raises ImportFileError."""
    if len(data) > settings.PAKTA_IMPORT_MAX_BYTES:
        raise ImportFileError(
            "file.too_large",
            _("Berkas terlalu besar (maksimal %(max)d KB).")
            % {"max": settings.PAKTA_IMPORT_MAX_BYTES // 1024},
        )
    if not data.strip():
        raise ImportFileError("file.empty", _("Berkas kosong."))
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ("csv", "xlsx", "txt"):
        raise ImportFileError(
            "file.type", _("Jenis berkas tidak didukung. Unggah berkas CSV atau XLSX.")
        )
    if data.startswith(b"PK\x03\x04"):
        rows = _read_xlsx(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "file.xls", _("Format Excel lama (XLS) tidak didukung. Simpan sebagai XLSX atau CSV.")
        )
    elif extension == "xlsx" or b"\x00" in data[:4096]:
        raise ImportFileError(
            "file.type", _("Isi berkas bukan CSV atau XLSX. Unggah berkas CSV atau XLSX.")
        )
    else:
        rows = _read_csv(data)
    if len(rows) > MAX_ROWS + 1:
        raise ImportFileError(
            "file.too_many_rows", _("Berkas berisi lebih dari %(max)d baris.") % {"max": MAX_ROWS}
        )
    return rows


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Excel on Windows saves "CSV" in the ANSI code page, Windows-1252 for Indonesian.
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError(
            "file.encoding",
            _("Berkas tidak dapat dibaca. Simpan sebagai CSV UTF-8 lalu unggah lagi."),
        ) from None


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(";,\t", key=first_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise ImportFileError("file.csv", _("Berkas CSV rusak dan tidak dapat dibaca.")) from None
    return [row[:MAX_COLUMNS] for row in rows]


# What openpyxl raises for a damaged workbook, while opening it or, in read-only mode, while
# reading its rows: a broken zip or member, XML that does not parse (lxml's and the standard
# library's parse errors are SyntaxErrors), a workbook without sheets, cells it cannot convert.
BROKEN_XLSX = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, IndexError, ValueError,
               TypeError, OSError, SyntaxError)


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    broken = ImportFileError("file.xlsx", _("Berkas XLSX rusak atau bukan buku kerja Excel."))
    try:
        # data_only=False: a formula cell comes back as its formula text; nothing is computed.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except BROKEN_XLSX:
        raise broken from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            rows.append([_cell_text(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    except BROKEN_XLSX:
        raise broken from None
    finally:
        workbook.close()

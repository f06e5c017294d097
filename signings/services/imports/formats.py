"""Which export a file is, and its rows reduced to the columns Pakta reads.

Three kinds of header are recognised: Pakta's own template (and the usual spellings of its
columns), BKN's SIASN export (mapped without questions), and any other export an agency has
mapped once (`ColumnMapping`, found again by the exact header). A header that is none of these
asks for a column mapping. Whatever the kind, only the columns read survive `recognise`:
the `Table` it returns is all that is kept between preview and confirmation.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from signings import text
from signings.models import Agency, ColumnMapping
from signings.services.imports import siasn
from signings.tabular import ImportFileError

PAKTA = "pakta"
SIASN = "siasn"
MAPPED = "mapped"

# (key, header in the template file). The key is what `HEADER_ALIASES` resolves to.
COLUMNS: list[tuple[str, str]] = [
    ("nip", "NIP"),
    ("nik", "NIK"),
    ("staff_number", "Nomor Pegawai"),
    ("name", "Nama"),
    ("title_prefix", "Gelar Depan"),
    ("title_suffix", "Gelar Belakang"),
    ("category", "Kategori"),
    ("position", "Jabatan"),
    ("grade", "Golongan"),
    ("echelon", "Eselon"),
    ("unit", "Kode Unit"),
    ("active", "Aktif"),
    ("superior_nip", "NIP Atasan"),
]
REQUIRED = ("name", "category", "position")
IDENTITIES = ("nip", "nik", "staff_number")

HEADER_ALIASES = {
    "nip": "nip", "nip_baru": "nip", "ni_pppk": "nip",
    "nik": "nik", "no_ktp": "nik", "nomor_induk_kependudukan": "nik",
    "nomor_pegawai": "staff_number", "no_pegawai": "staff_number",
    "nomor_pegawai_instansi": "staff_number",
    "nama": "name", "nama_pegawai": "name", "nama_lengkap": "name",
    "gelar_depan": "title_prefix", "gelar_belakang": "title_suffix",
    "kategori": "category", "jenis_pegawai": "category", "status_kepegawaian": "category",
    "jabatan": "position", "nama_jabatan": "position",
    "golongan": "grade", "pangkat_golongan": "grade", "gol": "grade", "gol_ruang": "grade",
    "eselon": "echelon",
    "kode_unit": "unit", "unit": "unit", "kode_unit_kerja": "unit", "unit_kerja": "unit",
    "aktif": "active", "status": "active",
    "nip_atasan": "superior_nip", "nip_atasan_langsung": "superior_nip",
    "atasan_langsung_nip": "superior_nip", "nip_atasan_langsung_baru": "superior_nip",
    "nip_pejabat_penilai": "superior_nip",
    "nama_unit": "unit_name", "nama_unit_kerja": "unit_name", "unor": "unit_name",
}

# What a column mapping can fill, in the order the mapping form asks.
MAPPABLE: list[tuple[str, Any]] = [
    ("nip", gettext_lazy("NIP")),
    ("nik", gettext_lazy("NIK")),
    ("staff_number", gettext_lazy("Nomor pegawai")),
    ("name", gettext_lazy("Nama (tanpa gelar)")),
    ("title_prefix", gettext_lazy("Gelar depan")),
    ("title_suffix", gettext_lazy("Gelar belakang")),
    ("category", gettext_lazy("Kategori (PNS, CPNS, PPPK, Honorer, Kontrak, TKD)")),
    ("position", gettext_lazy("Jabatan")),
    ("grade", gettext_lazy("Golongan")),
    ("echelon", gettext_lazy("Eselon")),
    ("unit", gettext_lazy("Kode unit")),
    ("unit_name", gettext_lazy("Nama unit")),
    ("active", gettext_lazy("Aktif (ya/tidak)")),
    ("superior_nip", gettext_lazy("NIP atasan langsung")),
]
# Employee fields an export may leave out, and the keys that would carry them. A field whose
# keys a mapped export lacks is kept as it is in Pakta for employees already there.
OPTIONAL_FIELDS: dict[str, tuple[str, ...]] = {
    "title_prefix": ("title_prefix",), "title_suffix": ("title_suffix",), "nik": ("nik",),
    "staff_number": ("staff_number",), "grade": ("grade",), "echelon": ("echelon",),
    "agency_id": ("unit", "unit_name"), "is_active": ("active",),
}
HEADER_SEARCH_ROWS = 10
# A row with fewer filled cells cannot name a person, a category and a position: it is not a
# header worth mapping, and the file gets the template's "required columns" message instead.
MIN_MAPPED_COLUMNS = 3
HEADER_CELL_MAX = 200


def header_key(text: str) -> str:
    text = text.replace("\ufeff", "").strip().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def header_signature(header: list[str]) -> str:
    """Identifies a header however its cells are spaced or cased: the key of a saved mapping."""
    keys = [header_key(cell) for cell in header]
    while keys and not keys[-1]:
        keys.pop()
    return hashlib.sha256(json.dumps(keys).encode()).hexdigest()


@dataclass(frozen=True, kw_only=True)
class Table:
    """An upload reduced to the columns Pakta reads: rows of [row number in the file, *cells
    in `keys` order]. JSON-safe, so it is what the session holds between preview and
    confirmation."""

    format: str
    keys: tuple[str, ...]
    labels: dict[str, str]  # key → the column's name, for messages
    rows: list[list[Any]] = field(default_factory=list)
    default_category: str = ""

    def cells(self) -> Iterator[tuple[int, dict[str, str]]]:
        for number, *values in self.rows:
            yield number, dict(zip(self.keys, values, strict=True))

    @property
    def kept(self) -> tuple[str, ...]:
        """Employee fields this export does not carry: existing employees keep theirs."""
        if self.format == SIASN:
            return siasn.KEPT
        if self.format == MAPPED:
            return tuple(name for name, keys in OPTIONAL_FIELDS.items()
                         if not set(keys) & set(self.keys))
        return ()

    def unit_names(self) -> set[str]:
        if "unit_name" not in self.keys:
            return set()
        index = self.keys.index("unit_name") + 1
        return {row[index] for row in self.rows}

    def to_session(self) -> dict[str, Any]:
        return {"format": self.format, "keys": list(self.keys), "labels": self.labels,
                "rows": self.rows, "default_category": self.default_category}

    @classmethod
    def from_session(cls, data: dict[str, Any]) -> Table:
        return cls(format=data["format"], keys=tuple(data["keys"]), labels=data["labels"],
                   rows=data["rows"], default_category=data.get("default_category", ""))


class UnknownColumnsError(ImportFileError):
    """The header is not one the import knows: the officer says which column holds what."""

    def __init__(self, *, header: list[str], guesses: dict[str, int]) -> None:
        super().__init__("file.unknown_columns", _(
            "Kolom berkas ini belum dikenal. Tentukan sekali kolom mana yang berisi data "
            "pegawai; pemetaannya disimpan untuk impor berikutnya."))
        self.header = header
        self.guesses = guesses


def guess_columns(header: list[str]) -> dict[str, int]:
    guesses: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = HEADER_ALIASES.get(header_key(cell))
        if key and key not in guesses:
            guesses[key] = index
    return guesses


def _map_header(header: list[str]) -> dict[str, int]:
    mapping = guess_columns(header)
    mapping.pop("unit_name", None)  # the template names units by code
    missing = [dict(COLUMNS)[key] for key in REQUIRED if key not in mapping]
    if missing or not set(IDENTITIES) & set(mapping):
        if not set(IDENTITIES) & set(mapping):
            missing.append("NIP/NIK/Nomor Pegawai")
        raise ImportFileError(
            "file.columns",
            _("Kolom wajib tidak ditemukan pada baris pertama: %(columns)s. Gunakan berkas "
              "templat.") % {"columns": ", ".join(missing)},
        )
    return mapping


def _project(rows: list[list[str]], header_index: int, indices: list[int]) -> list[list[Any]]:
    """The rows below the header, each cut down to `indices`; blank lines dropped (common at
    the end of exported sheets) while the row numbers stay those of the file."""
    projected: list[list[Any]] = []
    for number, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        if not any(cell.strip() for cell in row):
            continue
        width = len(row)
        projected.append([number, *(row[i] if i < width else "" for i in indices)])
    return projected


def _table(kind: str, rows: list[list[str]], header_index: int, columns: dict[str, int],
           labels: dict[str, str]) -> Table:
    keys = tuple(columns)
    return Table(format=kind, keys=keys, labels=labels,
                 rows=_project(rows, header_index, [columns[key] for key in keys]))


def _siasn_columns(header: list[str]) -> dict[str, int] | None:
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        positions.setdefault(header_key(cell), index)
    if not all(header_key(name) in positions for name in siasn.MARKERS):
        return None
    return {key: positions[header_key(name)] for key, name in siasn.READ.items()}


def _saved_mapping(rows: list[list[str]], candidates: list[int],
                   agency: Agency) -> tuple[int, ColumnMapping] | None:
    """The mapping saved for one of the candidate header rows, by this agency or the nearest
    agency above it."""
    signatures = {header_signature(rows[i]): i for i in reversed(candidates)}
    ancestors = [int(part) for part in agency.path.strip("/").split("/") if part]
    found = (ColumnMapping.objects.filter(agency_id__in=ancestors, signature__in=signatures)
             .order_by("-agency__depth").first())
    if found is None:
        return None
    return signatures[found.signature], found


def recognise(*, rows: list[list[str]], agency: Agency) -> Table:
    """The table Pakta reads from a file's rows. Raises ImportFileError for a file it cannot
    read, UnknownColumnsError for a header it does not know yet. One query at most."""
    candidates = [i for i, row in enumerate(rows) if any(c.strip() for c in row)]
    candidates = candidates[:HEADER_SEARCH_ROWS]
    if not candidates:
        raise ImportFileError("file.empty", _("Berkas kosong."))
    first_error: ImportFileError | None = None
    # Agency spreadsheets often carry a title or the agency name above the header.
    for index in candidates:
        header = rows[index]
        columns = _siasn_columns(header)
        if columns is not None:
            return _table(SIASN, rows, index, columns, dict(siasn.READ))
        try:
            columns = _map_header(header)
        except ImportFileError as error:
            first_error = first_error or error
            continue
        return _table(PAKTA, rows, index, columns, {k: dict(COLUMNS)[k] for k in columns})
    saved = _saved_mapping(rows, candidates, agency)
    if saved is not None:
        index, mapping = saved
        header = rows[index]
        columns = {key: int(i) for key, i in mapping.columns.items() if int(i) < len(header)}
        table = _table(MAPPED, rows, index, columns,
                       {key: header[i].strip() for key, i in columns.items()})
        return dataclasses.replace(table, default_category=mapping.default_category)
    for index in candidates:
        if sum(1 for cell in rows[index] if cell.strip()) >= MIN_MAPPED_COLUMNS:
            # Shown on the mapping page and saved with the mapping: never a hidden character
            # (header_key, and so the signature, reads U+FFFD as it read the original).
            header = [text.scrub(cell.replace("\ufeff", "").strip())[:HEADER_CELL_MAX]
                      for cell in rows[index]]
            raise UnknownColumnsError(header=header, guesses=guess_columns(header))
    assert first_error is not None  # there was a candidate, and it failed
    raise first_error

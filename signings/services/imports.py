"""Roster import from CSV and XLSX: read → plan (the preview) → apply (on confirmation).

Nothing is written until `apply_import`. The raw cells are kept server-side between preview
and confirmation and the plan is recomputed from them at confirmation against the database as
it is then, so a stale preview or a tampered form cannot write what was not shown.
Columns are documented in docs/import.md.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from signings import access, identity, text
from signings.access import Ability
from signings.models import (
    PNS_GRADES,
    PPPK_GRADES,
    Agency,
    Echelon,
    Employee,
    EmployeeCategory,
)
from signings.services import audit
from signings.services.context import AuditContext
from signings.tabular import (  # noqa: F401 (re-exported for the views)
    FORMULA_STARTS,
    ImportFileError,
    neutralise,
    read_table,
    xlsx_text,
)

if TYPE_CHECKING:
    from signings.access import AnyUser

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
]
REQUIRED = ("name", "category", "position")

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
}

CATEGORY_ALIASES = {
    "pns": EmployeeCategory.PNS, "cpns": EmployeeCategory.PNS,
    "pppk": EmployeeCategory.PPPK, "p3k": EmployeeCategory.PPPK,
    "honorer": EmployeeCategory.HONORER,
    "kontrak": EmployeeCategory.CONTRACT, "tenaga kontrak": EmployeeCategory.CONTRACT,
    "tkd": EmployeeCategory.TKD, "tenaga kontrak daerah": EmployeeCategory.TKD,
    "tenaga kontrak daerah (tkd)": EmployeeCategory.TKD,
}
TRUE_WORDS = {"", "ya", "y", "1", "aktif", "true", "benar"}
FALSE_WORDS = {"tidak", "t", "0", "nonaktif", "tidak aktif", "false", "salah"}
ECHELON_PATTERN = re.compile(r"^(IV|III|II|[234])(?:[\s./-]*[AB])?$")
PNS_GRADE_PATTERN = re.compile(r"^(IV|III|II|I)\s*[/.\-]?\s*([A-E])$")

FIELD_LABELS = {
    "name": gettext_lazy("Nama"), "title_prefix": gettext_lazy("Gelar depan"),
    "title_suffix": gettext_lazy("Gelar belakang"), "category": gettext_lazy("Kategori"),
    "nip": gettext_lazy("NIP"), "nik": gettext_lazy("NIK"),
    "staff_number": gettext_lazy("Nomor pegawai"), "position": gettext_lazy("Jabatan"),
    "grade": gettext_lazy("Golongan"), "echelon": gettext_lazy("Eselon"),
    "agency_id": gettext_lazy("Unit"), "is_active": gettext_lazy("Aktif"),
}
COMPARED_FIELDS = tuple(FIELD_LABELS)
MAX_LENGTHS = {"name": 150, "title_prefix": 40, "title_suffix": 60, "staff_number": 30,
               "position": 200}


class RowStatus:
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass
class RowOutcome:
    row: int
    status: str
    name: str = ""
    identity: str = ""
    errors: list[str] = field(default_factory=list)
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    note: str = ""
    data: dict[str, Any] | None = None  # Employee field values; set on writable rows
    employee_id: int | None = None


@dataclass
class ImportPlan:
    rows: list[RowOutcome]

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
        payload = [(r.row, r.status, r.employee_id, r.data) for r in self.writable]
        text = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


# --- planning ------------------------------------------------------------------------------

def _header_key(text: str) -> str:
    text = text.replace("\ufeff", "").strip().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _map_header(header: list[str]) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = HEADER_ALIASES.get(_header_key(cell))
        if key and key not in mapping:
            mapping[key] = index
    missing = [dict(COLUMNS)[key] for key in REQUIRED if key not in mapping]
    if missing or not {"nip", "nik", "staff_number"} & set(mapping):
        if not {"nip", "nik", "staff_number"} & set(mapping):
            missing.append("NIP/NIK/Nomor Pegawai")
        raise ImportFileError(
            "file.columns",
            _("Kolom wajib tidak ditemukan pada baris pertama: %(columns)s. Gunakan berkas "
              "templat.") % {"columns": ", ".join(missing)},
        )
    return mapping


HEADER_SEARCH_ROWS = 10


def _find_header(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    """The header row and its column mapping.

    Agency spreadsheets often carry a title or the agency name above the header, so the first
    few non-empty rows are tried; the error names the first one when none fits.
    """
    candidates = [i for i, row in enumerate(rows) if any(c.strip() for c in row)]
    if not candidates:
        raise ImportFileError("file.empty", _("Berkas kosong."))
    first_error: ImportFileError | None = None
    for index in candidates[:HEADER_SEARCH_ROWS]:
        try:
            return index, _map_header(rows[index])
        except ImportFileError as error:
            first_error = first_error or error
    assert first_error is not None  # there was a candidate, and it failed
    raise first_error


def _clean_text(value: str) -> str:
    text = " ".join(value.split())
    # Undo the neutralising apostrophe of our own export so a round trip changes nothing.
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text


def _grade(raw: str, category: str) -> str:
    text = raw.strip()
    if not text:
        return ""
    if category == EmployeeCategory.PNS:
        match = PNS_GRADE_PATTERN.match(text.upper())
        grade = f"{match.group(1)}/{match.group(2).lower()}" if match else text
        if grade in PNS_GRADES:
            return grade
    elif category == EmployeeCategory.PPPK and text.upper() in PPPK_GRADES:
        return text.upper()
    raise ValueError(
        _("Golongan “%(grade)s” tidak berlaku untuk kategori %(category)s.")
        % {"grade": text, "category": EmployeeCategory(category).label}
    )


def _echelon(raw: str) -> int:
    text = raw.strip().upper()
    if not text or text in {"-", "NON", "NON ESELON", "NON-ESELON", "NONESELON"}:
        return Echelon.NONE
    match = ECHELON_PATTERN.match(text)
    if not match:
        raise ValueError(_("Eselon “%(value)s” tidak dikenal (isi II, III, IV, atau kosong).")
                         % {"value": raw})
    return {"II": 2, "III": 3, "IV": 4, "2": 2, "3": 3, "4": 4}[match.group(1)]


def _parse_row(cells: dict[str, str], units: dict[str, Agency],
               root: Agency) -> tuple[dict[str, Any], list[str]]:
    """Turn one row's cells into Employee field values, or a list of reasons it cannot."""
    errors: list[str] = []
    data: dict[str, Any] = {key: _clean_text(cells.get(key, "")) for key in
                  ("name", "title_prefix", "title_suffix", "position", "staff_number")}
    for key, limit in MAX_LENGTHS.items():
        if len(data[key]) > limit:
            errors.append(_("%(field)s terlalu panjang (maksimal %(n)d karakter).")
                          % {"field": FIELD_LABELS[key], "n": limit})
    if not data["name"]:
        errors.append(_("Nama wajib diisi."))
    if not data["position"]:
        errors.append(_("Jabatan wajib diisi."))

    category = CATEGORY_ALIASES.get(" ".join(cells.get("category", "").lower().split()))
    if category is None:
        errors.append(_("Kategori “%(value)s” tidak dikenal (PNS, PPPK, Honorer, Kontrak, TKD).")
                      % {"value": cells.get("category", "")})
    data["category"] = category

    data["nip"] = None
    raw_nip = cells.get("nip", "").strip()
    if raw_nip:
        try:
            kind = category if category in EmployeeCategory.asn() else None
            data["nip"] = identity.parse_nip(raw_nip, kind=kind).nip
        except identity.IdentityError as error:
            errors.append(_("NIP: %(message)s") % {"message": error})
    elif category in EmployeeCategory.asn():
        errors.append(_("NIP wajib diisi untuk PNS dan PPPK."))
    if category in EmployeeCategory.non_asn() and raw_nip:
        errors.append(_("Pegawai non-ASN tidak memiliki NIP; isi NIK atau nomor pegawai."))

    data["nik"] = None
    raw_nik = cells.get("nik", "").strip()
    if raw_nik:
        try:
            data["nik"] = identity.parse_nik(raw_nik).nik
        except identity.IdentityError as error:
            errors.append(_("NIK: %(message)s") % {"message": error})
    if (category in EmployeeCategory.non_asn() and not raw_nik and not data["staff_number"]):
        errors.append(_("Pegawai non-ASN wajib memiliki NIK atau nomor pegawai instansi."))

    data["grade"] = ""
    if category:
        try:
            data["grade"] = _grade(cells.get("grade", ""), category)
        except ValueError as error:
            errors.append(str(error))
    try:
        data["echelon"] = _echelon(cells.get("echelon", ""))
    except ValueError as error:
        errors.append(str(error))

    unit_code = cells.get("unit", "").strip()
    if unit_code:
        unit = units.get(unit_code.upper())
        if unit is None:
            errors.append(_("Kode unit “%(code)s” tidak ada di bawah %(agency)s.")
                          % {"code": unit_code, "agency": root.name})
        data["agency_id"] = unit.pk if unit else None
    else:
        data["agency_id"] = root.pk

    active = cells.get("active", "").strip().lower()
    if active in TRUE_WORDS:
        data["is_active"] = True
    elif active in FALSE_WORDS:
        data["is_active"] = False
    else:
        errors.append(_("Kolom Aktif harus “ya” atau “tidak”."))
    return data, errors


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


def plan_import(*, rows: list[list[str]], agency: Agency, user: AnyUser) -> ImportPlan:
    """What confirming would do, row by row. Reads only; raises ImportFileError for the file."""
    if not rows:
        raise ImportFileError("file.empty", _("Berkas kosong."))
    header_index, mapping = _find_header(rows)
    units = {a.code.upper(): a for a in Agency.objects.subtree_of(agency)}
    agencies = {a.pk: a for a in units.values()}

    parsed: list[tuple[int, dict[str, str], dict, list[str]]] = []
    for number, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        if not any(cell.strip() for cell in row):
            continue  # empty lines, common at the end of exported sheets
        cells = {key: (row[i] if i < len(row) else "") for key, i in mapping.items()}
        # A NUL or a direction override is refused here, at preview, naming the row: its
        # values must reach neither a query nor the confirmation.
        errors = text.row_problems(cells, labels=dict(COLUMNS), row=number)
        data: dict[str, Any] = {"name": text.scrub(cells.get("name", ""))}
        if not errors:
            data, errors = _parse_row(cells, units, agency)
        parsed.append((number, cells, data, errors))

    nips = {d["nip"] for _n, _c, d, _e in parsed if d.get("nip")}
    niks = {d["nik"] for _n, _c, d, _e in parsed if d.get("nik")}
    staff = {d["staff_number"] for _n, _c, d, e in parsed
             if not d.get("nip") and not d.get("nik") and d.get("staff_number")}
    existing = list(
        Employee.objects.filter(
            Q(nip__in=nips) | Q(nik__in=niks)
            | (Q(staff_number__in=staff, nip__isnull=True, nik__isnull=True)
               & Q(agency__path__startswith=agency.path))
        ).select_related("agency")
    )
    by_nip = {e.nip: e for e in existing if e.nip}
    by_nik = {e.nik: e for e in existing if e.nik}
    by_staff = {(e.agency_id, e.staff_number): e for e in existing
                if not e.nip and not e.nik and e.staff_number}
    for employee in existing:
        agencies.setdefault(employee.agency_id, employee.agency)

    outcomes: list[RowOutcome] = []
    seen: dict[tuple, tuple[int, dict]] = {}
    for number, cells, data, errors in parsed:
        outcome = RowOutcome(row=number, status=RowStatus.ERROR, name=data.get("name", ""),
                             identity=text.scrub(_identity_label(data, cells)))
        if errors:
            outcome.errors = errors
            outcomes.append(outcome)
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
            continue

        if current is None:
            outcome.status = RowStatus.NEW
            outcome.data = data
            outcomes.append(outcome)
            continue
        if not access.can(user, Ability.MANAGE, current.agency):
            # Do not say which agency: it lies outside what this officer may see.
            outcome.errors = [_("Pegawai ini terdaftar pada instansi lain di luar kewenangan "
                                "Anda; minta instansi tersebut memindahkannya.")]
            outcomes.append(outcome)
            continue
        outcome.employee_id = current.pk
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
    return ImportPlan(rows=outcomes)


# --- applying ------------------------------------------------------------------------------

class StalePlanError(ImportFileError):
    pass


@dataclass(frozen=True, kw_only=True)
class ImportSource:
    """The uploaded file's rows, and its name and SHA-256 for the audit entry."""

    rows: list[list[str]]
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
        plan = plan_import(rows=source.rows, agency=agency, user=user)
        if plan.fingerprint() != fingerprint:
            raise StalePlanError(
                "import.stale",
                _("Data pegawai berubah sejak pratinjau dibuat. Periksa pratinjau terbaru, "
                  "lalu konfirmasi lagi."),
            )
        updates = [row for row in plan.writable if row.employee_id]
        current = Employee.objects.select_for_update().in_bulk([r.employee_id for r in updates])
        changed, moved = [], []
        now = timezone.now()
        for row in updates:
            assert row.data is not None  # writable rows carry their values
            employee = current[row.employee_id]
            if row.data["agency_id"] != employee.agency_id and row.note:
                moved.append(employee.pk)
            for name, value in row.data.items():
                setattr(employee, name, value)
            employee.clean()  # derives birth date and sex from NIP/NIK
            employee.updated_at = now
            changed.append(employee)
        new = []
        for row in plan.writable:
            if row.employee_id:
                continue
            assert row.data is not None  # writable rows carry their values
            employee = Employee(**row.data)
            employee.clean()
            new.append(employee)
        try:
            with transaction.atomic():
                Employee.objects.bulk_create(new, batch_size=500)
                Employee.objects.bulk_update(
                    changed, [*COMPARED_FIELDS, "birth_date", "sex", "updated_at"], batch_size=500
                )
        except IntegrityError:
            raise StalePlanError(
                "import.conflict",
                _("Sebagian data bentrok dengan perubahan lain yang baru disimpan. Unggah "
                  "ulang berkasnya."),
            ) from None
        audit.record(
            action="roster.import.confirmed", obj=None, agency=agency, context=context,
            details={"filename": source.filename, "sha256": source.sha256, **plan.counts,
                     "created_ids": [e.pk for e in new], "updated_ids": [e.pk for e in changed],
                     "moved_ids": moved},
        )
    return plan

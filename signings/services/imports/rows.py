"""One row's cells (in the template's vocabulary) → Employee field values, or the reasons it
cannot be imported. Every format ends here, after the hygiene check in `plan`."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from signings import identity
from signings.models import PNS_GRADES, PPPK_GRADES, Echelon, EmployeeCategory
from signings.services.imports.units import UnitResolver
from signings.tabular import FORMULA_STARTS

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


def clean_text(value: str) -> str:
    text = " ".join(value.split())
    # Undo the neutralising apostrophe of our own export so a round trip changes nothing.
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text


def grade(raw: str, category: str) -> str:
    text = raw.strip()
    if not text:
        return ""
    if category == EmployeeCategory.PNS:
        match = PNS_GRADE_PATTERN.match(text.upper())
        value = f"{match.group(1)}/{match.group(2).lower()}" if match else text
        if value in PNS_GRADES:
            return value
    elif category == EmployeeCategory.PPPK:
        # PPPK golongan come as Roman numerals, and from some exports as plain numbers.
        if text.isdigit() and 1 <= int(text) <= len(PPPK_GRADES):
            return PPPK_GRADES[int(text) - 1]
        if text.upper() in PPPK_GRADES:
            return text.upper()
    raise ValueError(
        _("Golongan “%(grade)s” tidak berlaku untuk kategori %(category)s.")
        % {"grade": text, "category": EmployeeCategory(category).label}
    )


def echelon(raw: str) -> int:
    text = raw.strip().upper()
    if not text or text in {"-", "NON", "NON ESELON", "NON-ESELON", "NONESELON"}:
        return Echelon.NONE
    match = ECHELON_PATTERN.match(text)
    if not match:
        raise ValueError(_("Eselon “%(value)s” tidak dikenal (isi II, III, IV, atau kosong).")
                         % {"value": raw})
    return {"II": 2, "III": 3, "IV": 4, "2": 2, "3": 3, "4": 4}[match.group(1)]


def _unit(cells: dict[str, str], units: UnitResolver, errors: list[str]) -> int | None:
    unit_code = cells.get("unit", "").strip()
    unit_name = clean_text(cells.get("unit_name", ""))
    if unit_code:
        unit = units.by_code.get(unit_code.upper())
        if unit is None:
            errors.append(_("Kode unit “%(code)s” tidak ada di bawah %(agency)s.")
                          % {"code": unit_code, "agency": units.root.name})
        return unit.pk if unit else None
    if unit_name:
        unit = units.by_unit_name(unit_name)
        if unit is None:
            errors.append(_("Unit “%(name)s” belum dikenali di bawah %(agency)s; petakan "
                            "unit ini di atas tabel.") % {"name": unit_name,
                                                          "agency": units.root.name})
        return unit.pk if unit else None
    return units.root.pk


def parse_row(cells: dict[str, str], units: UnitResolver) -> tuple[dict[str, Any], list[str]]:
    """Turn one row's cells into Employee field values, or a list of reasons it cannot."""
    errors: list[str] = []
    data: dict[str, Any] = {key: clean_text(cells.get(key, "")) for key in
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
            data["grade"] = grade(cells.get("grade", ""), category)
        except ValueError as error:
            errors.append(str(error))
    try:
        data["echelon"] = echelon(cells.get("echelon", ""))
    except ValueError as error:
        errors.append(str(error))

    data["agency_id"] = _unit(cells, units, errors)

    # Only a filled cell names a superior: an empty one (or an export without the column)
    # leaves the current superior as it is. Who it is gets resolved once every row is parsed.
    raw_superior = cells.get("superior_nip", "").strip()
    if raw_superior:
        try:
            data["superior_nip"] = identity.parse_nip(raw_superior).nip
        except identity.IdentityError as error:
            errors.append(_("NIP atasan: %(message)s") % {"message": error})

    active = cells.get("active", "").strip().lower()
    if active in TRUE_WORDS:
        data["is_active"] = True
    elif active in FALSE_WORDS:
        data["is_active"] = False
    else:
        errors.append(_("Kolom Aktif harus “ya” atau “tidak”."))
    return data, errors

"""BKN's SIASN "Export Data ASN": its header, the columns Pakta reads, and their vocabulary.

Only the columns in `READ` ever leave the file reader: religion, marital status, address, tax
and insurance numbers, phone, e-mail and birthplace are read past and kept nowhere (not in the
database, the session, an audit entry or a log). The export has no pangkat and no eselon:
pangkat follows from golongan (`Employee.grade_label`), and eselon is kept as it is in Pakta
(new employees get one from a structural position's title, see `echelon_from_position`).
"""

from __future__ import annotations

import re

HEADER = [
    "PNS ID", "NIP BARU", "NIP LAMA", "NAMA", "GELAR DEPAN", "GELAR BELAKANG",
    "TEMPAT LAHIR ID", "TEMPAT LAHIR NAMA", "TANGGAL LAHIR", "JENIS KELAMIN", "AGAMA ID",
    "AGAMA NAMA", "JENIS KAWIN ID", "JENIS KAWIN NAMA", "NIK", "NOMOR HP", "EMAIL", "EMAIL GOV",
    "ALAMAT", "NPWP NOMOR", "BPJS", "JENIS PEGAWAI ID", "JENIS PEGAWAI NAMA",
    "KEDUDUKAN HUKUM ID", "KEDUDUKAN HUKUM NAMA", "STATUS CPNS PNS", "KARTU ASN VIRTUAL",
    "NOMOR SK CPNS", "TANGGAL SK CPNS", "TMT CPNS", "NOMOR SK PNS", "TANGGAL SK PNS", "TMT PNS",
    "GOL AWAL ID", "GOL AWAL NAMA", "GOL AKHIR ID", "GOL AKHIR NAMA", "TMT GOLONGAN", "MK TAHUN",
    "MK BULAN", "JENIS JABATAN ID", "JENIS JABATAN NAMA", "JABATAN ID", "JABATAN NAMA",
    "TMT JABATAN", "TINGKAT PENDIDIKAN ID", "TINGKAT PENDIDIKAN NAMA", "PENDIDIKAN ID",
    "PENDIDIKAN NAMA", "TAHUN LULUS", "KPKN ID", "KPKN NAMA", "LOKASI KERJA ID",
    "LOKASI KERJA NAMA", "UNOR ID", "UNOR NAMA", "INSTANSI INDUK ID", "INSTANSI INDUK NAMA",
    "INSTANSI KERJA ID", "INSTANSI KERJA NAMA", "SATUAN KERJA INDUK ID",
    "SATUAN KERJA INDUK NAMA", "SATUAN KERJA KERJA ID", "SATUAN KERJA KERJA NAMA",
]
# Pakta's key → the SIASN column it is read from. Nothing else is read.
READ: dict[str, str] = {
    "nip": "NIP BARU",
    "nik": "NIK",
    "name": "NAMA",
    "title_prefix": "GELAR DEPAN",
    "title_suffix": "GELAR BELAKANG",
    "employee_type": "JENIS PEGAWAI NAMA",
    "candidate_status": "STATUS CPNS PNS",
    "legal_standing": "KEDUDUKAN HUKUM NAMA",
    "grade": "GOL AKHIR NAMA",
    "position_kind": "JENIS JABATAN NAMA",
    "position": "JABATAN NAMA",
    "unit_name": "UNOR NAMA",
}
# Recognised when these are all in one header row: the columns read, and SIASN's own id.
MARKERS = ("PNS ID", *READ.values())
# Fields SIASN does not carry: an existing employee keeps what Pakta has.
KEPT = ("echelon", "staff_number")

# KEDUDUKAN HUKUM NAMA: only "Aktif" is serving at the agency. CLTN, Tugas Belajar,
# Pemberhentian Sementara, Masa Persiapan Pensiun, Pensiun, Meninggal, Pejabat Negara and every
# other standing are imported as not active: they are not expected at a signing.
ACTIVE_STANDINGS = {"", "aktif"}

# A structural position's title → eselon, first match wins (more specific titles first). Only
# for employees new to Pakta; an HR officer corrects it on the employee's page.
ECHELON_BY_TITLE: list[tuple[str, str]] = [
    ("sekretaris daerah", "II"), ("inspektur pembantu", "III"), ("kepala seksi", "IV"),
    ("kepala sub", "IV"), ("lurah", "IV"), ("kepala bidang", "III"), ("kepala bagian", "III"),
    ("camat", "III"), ("sekretaris", "III"), ("asisten", "II"), ("staf ahli", "II"),
    ("kepala dinas", "II"), ("kepala badan", "II"), ("kepala satuan", "II"), ("inspektur", "II"),
]
_WORDS = re.compile(r"[^0-9a-z]+")


def _empty_if_null(value: str) -> str:
    return "" if value.strip().lower() == "null" else value


def category(employee_type: str, candidate_status: str) -> str:
    """PNS or PPPK in Pakta's words; a value nobody recognises is passed on for the row parser
    to name. CPNS (`STATUS CPNS PNS` = C) are PNS in Pakta, as the domain has them: they sign
    with an NIP and a PNS golongan."""
    words = " ".join(employee_type.upper().split())
    if "PPPK" in words or "P3K" in words or "PERJANJIAN KERJA" in words:
        return "PPPK"
    if "PNS" in words or candidate_status.strip().upper() in {"C", "P", "CPNS", "PNS"}:
        return "PNS"
    return employee_type


def echelon_from_position(position: str, position_kind: str) -> str:
    if "struktural" not in position_kind.lower():
        return ""
    title = " ".join(_WORDS.sub(" ", position.lower()).split())
    for prefix, echelon in ECHELON_BY_TITLE:
        if title.startswith(prefix):
            return echelon
    return ""


def to_template(cells: dict[str, str]) -> dict[str, str]:
    """One SIASN row's read cells in the vocabulary of Pakta's own template."""
    c = {key: _empty_if_null(value) for key, value in cells.items()}
    standing = " ".join(c["legal_standing"].lower().split())
    return {
        "nip": c["nip"], "nik": c["nik"], "name": c["name"],
        "title_prefix": c["title_prefix"], "title_suffix": c["title_suffix"],
        "category": category(c["employee_type"], c["candidate_status"]),
        "position": c["position"], "grade": c["grade"],
        "echelon": echelon_from_position(c["position"], c["position_kind"]),
        "unit_name": c["unit_name"],
        "active": "ya" if standing in ACTIVE_STANDINGS else "tidak",
    }

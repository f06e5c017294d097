"""A generated SIASN "Export Data ASN": the full 64-column header, `null` for empty, personal
columns filled with values no Pakta table may ever hold (`PERSONAL_MARKERS`).

Used by tests/test_import_siasn.py, bench/siasn_import.py and static/samples/contoh-siasn.csv
(regenerate it with `DEBUG=1 .venv/bin/python manage.py shell --no-imports -c
"import sys; from tests import siasn_export; sys.stdout.buffer.write(siasn_export.demo_sample())"
> static/samples/contoh-siasn.csv`).
"""

from __future__ import annotations

import csv
import io
import zlib
from dataclasses import dataclass

from signings.services.imports.siasn import HEADER

# Values put in the personal columns, per row number i. A test searches every table and the
# session store for them after an import.
PERSONAL_COLUMNS = {
    "TEMPAT LAHIR ID": lambda i: f"A5E2{i:06d}TLID",
    "TEMPAT LAHIR NAMA": lambda i: f"Tumbang Rahasia {i}",
    "AGAMA ID": lambda i: "9",
    "AGAMA NAMA": lambda i: "Agamarahasia",
    "JENIS KAWIN ID": lambda i: "4",
    "JENIS KAWIN NAMA": lambda i: "Kawinrahasia",
    "NOMOR HP": lambda i: f"0812777{i:05d}",
    "EMAIL": lambda i: f"pribadi.rahasia{i}@mail.example",
    "EMAIL GOV": lambda i: f"dinas.rahasia{i}@kotim.example.go.id",
    "ALAMAT": lambda i: f"Jl. Rahasia Gang Sunyi No. {i}, Sampit",
    "NPWP NOMOR": lambda i: f"88.777.666.{i:01d}-555.{i:03d}",
    "BPJS": lambda i: f"0009988{i:06d}",
    "KARTU ASN VIRTUAL": lambda i: f"KARTU-RAHASIA-{i}",
}
PERSONAL_MARKERS = ["A5E2", "Tumbang Rahasia", "Agamarahasia", "Kawinrahasia", "0812777",
                    "pribadi.rahasia", "dinas.rahasia", "Gang Sunyi", "88.777.666", "0009988",
                    "KARTU-RAHASIA"]


@dataclass
class Person:
    nip: str | int
    name: str
    kind: str = "PNS"  # PNS, CPNS or PPPK
    grade: str = "III/a"
    position: str = "Analis Kebijakan"
    unit: str = "Dinas Kesehatan Kabupaten Kotawaringin Timur"
    standing: str = "Aktif"
    nik: str | int = "null"
    title_prefix: str = "null"
    title_suffix: str = "null"
    position_kind: str = "Jabatan Fungsional"
    grade_id: str | int = "31"


def pns_nip(seq: int, *, birth: str = "19800101", appointed: str = "200501",
            sex: int = 1) -> str:
    return f"{birth}{appointed}{sex}{seq % 999 + 1:03d}"


def pppk_nip(seq: int, *, birth: str = "19900215", sex: int = 2) -> str:
    return f"{birth}202121{sex}{seq % 999 + 1:03d}"


def row(person: Person, i: int) -> list[str | int]:
    """One employee as SIASN exports them, in HEADER order."""
    kind = {"PNS": ("1", "PNS Daerah Kabupaten/Kota", "P"),
            "CPNS": ("1", "PNS Daerah Kabupaten/Kota", "C"),
            "PPPK": ("71", "PPPK", "null")}[person.kind]
    values: dict[str, str | int] = {column: "null" for column in HEADER}
    values.update({
        "PNS ID": f"8ae48{i:027d}", "NIP BARU": person.nip, "NIP LAMA": "null",
        "NAMA": person.name, "GELAR DEPAN": person.title_prefix,
        "GELAR BELAKANG": person.title_suffix,
        "TANGGAL LAHIR": "01-01-1980", "JENIS KELAMIN": "M", "NIK": person.nik,
        "JENIS PEGAWAI ID": kind[0], "JENIS PEGAWAI NAMA": kind[1],
        "KEDUDUKAN HUKUM ID": "01" if person.standing == "Aktif" else "99",
        "KEDUDUKAN HUKUM NAMA": person.standing, "STATUS CPNS PNS": kind[2],
        "GOL AKHIR ID": person.grade_id, "GOL AKHIR NAMA": person.grade,
        "GOL AWAL ID": person.grade_id, "GOL AWAL NAMA": person.grade,
        "MK TAHUN": i % 30, "MK BULAN": i % 12,
        "JENIS JABATAN ID": "1" if "Struktural" in person.position_kind else "2",
        "JENIS JABATAN NAMA": person.position_kind, "JABATAN ID": f"J{i:08d}",
        "JABATAN NAMA": person.position, "TMT JABATAN": "02-01-2020",
        "TINGKAT PENDIDIKAN NAMA": "S-1/Sarjana", "TAHUN LULUS": 2002,
        "UNOR ID": f"U{zlib.crc32(person.unit.encode()):010d}", "UNOR NAMA": person.unit,
        "INSTANSI INDUK NAMA": "Kab. Kotawaringin Timur",
        "INSTANSI KERJA NAMA": "Kab. Kotawaringin Timur",
        "SATUAN KERJA INDUK NAMA": "Pemerintah Kab. Kotawaringin Timur",
        "SATUAN KERJA KERJA NAMA": person.unit, "LOKASI KERJA NAMA": "Sampit",
    })
    for column, value in PERSONAL_COLUMNS.items():
        values[column] = value(i)
    return [values[column] for column in HEADER]


def rows(people: list[Person]) -> list[list[str | int]]:
    return [list(HEADER), *(row(person, i) for i, person in enumerate(people, start=1))]


def to_csv(table: list[list[str | int]], *, bom: bool = False) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(table)
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def to_xlsx(table: list[list[str | int]]) -> bytes:
    """Numbers stay numbers, text stays text, in shared strings as Excel saves them (a
    write-only workbook's inline strings are several times slower for openpyxl to read)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data ASN"
    for line in table:
        sheet.append(line)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def roster(n: int, *, units: list[str]) -> list[Person]:
    """n people: mostly PNS, every 7th PPPK, every 11th CPNS, every 13th not active."""
    people = []
    for i in range(n):
        block = i // 999  # the NIP's sequence runs 001..999; then the birth date moves on
        birth = f"19{70 + block % 16}{1 + block // 16 % 12:02d}15"
        if i % 7 == 3:
            person = Person(pppk_nip(i, birth=birth), f"Pegawai PPPK {i}", kind="PPPK",
                            grade="IX", grade_id="9", position="Guru Ahli Pertama")
        elif i % 11 == 5:
            person = Person(pns_nip(i, birth=birth, appointed="202406"), f"Calon Pegawai {i}",
                            kind="CPNS", grade="III/a")
        else:
            person = Person(pns_nip(i, birth=birth), f"Pegawai {i}", grade="III/b")
        person.unit = units[i % len(units)]
        if i % 13 == 12:
            person.standing = "Pensiun"
        people.append(person)
    return people


DEMO_UNITS = [
    "Dinas Kesehatan Kabupaten Kotawaringin Timur", "Bidang Pelayanan Kesehatan",
    "Dinas Pendidikan Kabupaten Kotawaringin Timur", "UPT Puskesmas Baamang",
]


def demo_sample() -> bytes:
    """The demo's contoh SIASN: Kotim's units, one of them (a Puskesmas) not in the demo tree
    so the preview asks to map it."""
    people = roster(12, units=DEMO_UNITS)
    people[0] = Person(pns_nip(900, birth="19750505", appointed="199903"),
                       "Sri Wahyuni", title_prefix="dr.", title_suffix="M.Kes",
                       position="Kepala Dinas Kesehatan", position_kind="Jabatan Struktural",
                       grade="IV/b", grade_id="42", unit=DEMO_UNITS[0])
    return to_csv(rows(people), bom=True)


"""Synthetic people for the demo (signings/demo.py): plausible, valid, unique Indonesian names,
NIPs and NIKs, and hand-drawn-looking signatures, all from a fixed seed so that loading the demo
twice makes the same people."""

from __future__ import annotations

import datetime
import io
import math
import random

from PIL import Image, ImageDraw

NIK_REGION = {"KALTENG": "627101", "KOTIM": "620201", "SERUYAN": "620701", "SUMBAR": "137101"}

GIVEN_NAMES_M = ["Budi", "Agus", "Hendra", "Rahmat", "Yudi", "Fajar", "Arif", "Dedi", "Slamet",
                 "Muhammad", "Irwan", "Joko", "Andi", "Rizky", "Taufik", "Herman", "Bambang"]
GIVEN_NAMES_F = ["Siti", "Dewi", "Rina", "Nur", "Lestari", "Wulan", "Ratna", "Fitri", "Yuliana",
                 "Maria", "Ayu", "Indah", "Sri", "Nurul", "Evi", "Rahmawati", "Dian"]
FAMILY_NAMES = ["Santoso", "Hidayat", "Saputra", "Lestari", "Pratama", "Wijaya", "Nugroho",
                "Kusuma", "Rahman", "Siregar", "Ampung", "Sangkai", "Damanik", "Harahap",
                "Anggraini", "Setiawan", "Purba", "Gultom", "Simanjuntak", "Ibrahim"]
SUFFIXES = ["S.Pd.", "S.E.", "S.Kom.", "S.H.", "S.Sos.", "S.T.", "A.Md.", "M.Si", "M.M.", "S.IP."]
STAFF_POSITIONS = ["Analis Kebijakan", "Pengadministrasi Umum", "Pranata Komputer",
                   "Bendahara", "Analis Sumber Daya Manusia Aparatur", "Arsiparis",
                   "Penyusun Laporan Keuangan", "Pengelola Data"]
NON_ASN_POSITIONS = ["Tenaga Administrasi", "Pengemudi", "Petugas Kebersihan", "Operator Komputer",
                     "Petugas Keamanan"]


class People:
    """Deterministic generator of plausible, valid, unique Indonesian staff identities."""

    def __init__(self):
        self.rng = random.Random(2024)
        self.sequence = 0

    def person(self) -> tuple[str, str, str]:
        female = self.rng.random() < 0.45
        given = self.rng.choice(GIVEN_NAMES_F if female else GIVEN_NAMES_M)
        family = self.rng.choice(FAMILY_NAMES)
        return f"{given} {family}", ("F" if female else "M"), self.rng.choice(SUFFIXES)

    def birth_date(self, earliest: int = 1966, latest: int = 1998) -> datetime.date:
        return datetime.date(self.rng.randint(earliest, latest), self.rng.randint(1, 12),
                             self.rng.randint(1, 28))

    def next_seq(self) -> int:
        self.sequence += 1
        return self.sequence

    def pns_nip(self, sex: str) -> str:
        birth = self.birth_date()
        year = min(birth.year + self.rng.randint(20, 30), 2023)
        seq = self.next_seq()
        return (f"{birth:%Y%m%d}{year}{self.rng.randint(1, 12):02d}"
                f"{1 if sex == 'M' else 2}{seq % 1000 or 1:03d}")

    def pppk_nip(self, sex: str) -> str:
        birth = self.birth_date(1975, 1999)
        year = self.rng.choice([2021, 2022, 2023])
        seq = self.next_seq()
        return f"{birth:%Y%m%d}{year}{year % 100:02d}{1 if sex == 'M' else 2}{seq % 1000 or 1:03d}"

    def nik(self, region: str, sex: str) -> str:
        birth = self.birth_date(1980, 2003)
        day = birth.day + (40 if sex == "F" else 0)
        seq = self.next_seq()
        return f"{region}{day:02d}{birth:%m%y}{seq % 10000 or 1:04d}"


def signature_png(rng: random.Random) -> bytes:
    """A synthetic hand-drawn-looking signature stroke."""
    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = []
    phase = rng.random() * math.pi
    for i in range(80):
        x = 40 + i * 6.5
        y = 100 + 45 * math.sin(i / (4 + rng.random() * 3) + phase) * (1 - i / 120)
        points.append((x, y + rng.uniform(-4, 4)))
    draw.line(points, fill=(20, 30, 90, 255), width=4, joint="curve")
    draw.line([(60, 150), (520, 140)], fill=(20, 30, 90, 255), width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()

"""The pact texts the regulations prescribe, shipped with Pakta (services/templates.py
`install_regulation_templates` gives an agency its own copy, which officers then adapt as new
versions: the shipped text itself is data, never edited in code afterwards).

- Pakta Integritas: Permenpan RB 49/2011 (Pedoman Umum Pakta Integritas), Lampiran: seven
  points, then place and date, "Menyaksikan" (the direct superior) and "Pembuat Pernyataan".
  Point 6 names the agency: filled in with the owner's name when installed.
- Ikrar Netralitas ASN 2024: the four points of the 2022 joint decree (MenPAN-RB, Mendagri,
  BKN, KASN, Bawaslu) read at every assembly before the 2024 elections (shared/seeds).
"""

from __future__ import annotations

from dataclasses import dataclass

LEGAL_BASIS_NEUTRALITY_2024 = [
    "Undang-Undang Nomor 20 Tahun 2023 tentang Aparatur Sipil Negara",
    "Keputusan Bersama Menteri PANRB, Menteri Dalam Negeri, Kepala BKN, Ketua KASN dan Ketua "
    "Bawaslu Nomor 2 Tahun 2022, Nomor 800-5474 Tahun 2022, Nomor 246 Tahun 2022, Nomor 30 "
    "Tahun 2022, Nomor 1447.1/PM.01/K.1/09/2022 tanggal 22 September 2022 tentang Pedoman "
    "Pembinaan dan Pengawasan Netralitas Pegawai ASN dalam Penyelenggaraan Pemilihan Umum dan "
    "Pemilihan",
]


@dataclass(frozen=True)
class RegulationTemplate:
    name: str
    description: str
    content: dict
    witness_required: bool

    def content_for(self, agency_name: str) -> dict:
        return {key: ([line.replace("{instansi}", agency_name) for line in value]
                      if isinstance(value, list) else value.replace("{instansi}", agency_name))
                for key, value in self.content.items()}


PAKTA_INTEGRITAS = RegulationTemplate(
    name="Pakta Integritas (Permenpan RB 49/2011)",
    description="Format Lampiran Permenpan RB Nomor 49 Tahun 2011; disaksikan atasan langsung.",
    witness_required=True,
    content={
        "title": "PAKTA INTEGRITAS",
        "opening": "Saya yang bertanda tangan di bawah ini:",
        "points": [
            "Berperan secara pro aktif dalam upaya pencegahan dan pemberantasan Korupsi, Kolusi "
            "dan Nepotisme serta tidak melibatkan diri dalam perbuatan tercela;",
            "Tidak meminta atau menerima pemberian secara langsung atau tidak langsung berupa "
            "suap, hadiah, bantuan, atau bentuk lainnya yang tidak sesuai dengan ketentuan yang "
            "berlaku;",
            "Bersikap transparan, jujur, obyektif, dan akuntabel dalam melaksanakan tugas;",
            "Menghindari pertentangan kepentingan (conflict of interest) dalam pelaksanaan "
            "tugas;",
            "Memberi contoh dalam kepatuhan terhadap peraturan perundang-undangan dalam "
            "melaksanakan tugas, terutama kepada pegawai yang berada di bawah pengawasan saya "
            "dan sesama pegawai di lingkungan kerja saya secara konsisten;",
            "Akan menyampaikan informasi penyimpangan integritas di {instansi} serta turut "
            "menjaga kerahasiaan saksi atas pelanggaran peraturan yang dilaporkannya;",
            "Bila saya melanggar hal-hal tersebut di atas, saya siap menghadapi konsekuensinya.",
        ],
        # The Lampiran goes from the points straight to place, date and signatures.
        "closing": "",
        "sanctions": "",
        "legal_basis": [
            "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 49 "
            "Tahun 2011 tentang Pedoman Umum Pakta Integritas di Lingkungan Kementerian/"
            "Lembaga dan Pemerintah Daerah",
        ],
        "election": "",
    },
)

IKRAR_NETRALITAS_2024 = RegulationTemplate(
    name="Ikrar Netralitas ASN 2024",
    description="Empat butir Keputusan Bersama 2022, dibacakan pada Pemilu dan Pemilihan 2024.",
    witness_required=False,
    content={
        "title": "PAKTA INTEGRITAS NETRALITAS APARATUR SIPIL NEGARA",
        "opening": "Saya yang bertanda tangan di bawah ini:",
        "points": [
            "Menjaga dan menegakkan prinsip netralitas pegawai ASN dalam melaksanakan fungsi "
            "pelayanan publik, baik sebelum, selama, maupun sesudah pelaksanaan Pemilu dan "
            "Pemilihan Tahun 2024.",
            "Menghindari konflik kepentingan, tidak melakukan praktik intimidasi dan ancaman "
            "kepada pegawai ASN dan seluruh elemen masyarakat, serta tidak memihak kepada "
            "pasangan calon tertentu.",
            "Menggunakan media sosial secara bijak, tidak dipergunakan untuk kepentingan "
            "pasangan calon tertentu, dan tidak menyebarkan ujaran kebencian serta berita "
            "bohong.",
            "Menolak politik uang dan segala jenis pemberian dalam bentuk apapun.",
        ],
        "closing": "Demikian pakta integritas ini saya buat dengan penuh integritas dan "
        "tanggung jawab dalam rangka mewujudkan netralitas pegawai ASN yang bermartabat, "
        "beretika, dan demokratis demi terwujudnya persatuan dan kesatuan Negara Kesatuan "
        "Republik Indonesia.",
        "sanctions": "Apabila melanggar, saya bersedia menerima sanksi sesuai dengan ketentuan "
        "peraturan perundang-undangan.",
        "legal_basis": LEGAL_BASIS_NEUTRALITY_2024,
        "election": "Pemilu dan Pemilihan Tahun 2024",
    },
)

SHIPPED = (PAKTA_INTEGRITAS, IKRAR_NETRALITAS_2024)

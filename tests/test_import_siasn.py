"""The roster import of a SIASN export (64 columns, `null`s, numbers as text and as numbers),
unit names mapped once, and other exports' columns mapped once per agency."""

from __future__ import annotations

import json
import logging

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from signings.models import (
    Agency,
    AgencyKind,
    AuditEntry,
    ColumnMapping,
    Echelon,
    Employee,
    EmployeeCategory,
    UnitMapping,
)
from signings.services import imports
from signings.views.hr_import import COLUMNS_SESSION_KEY, SESSION_KEY
from tests import factories, siasn_export
from tests.siasn_export import Person, pns_nip, pppk_nip

pytestmark = pytest.mark.django_db

UNKNOWN_UNIT = "UPT Puskesmas Baamang"


@pytest.fixture
def section(unit_a) -> Agency:
    return Agency.objects.create(code="A-DINKES-YANKES", name="Bidang Pelayanan Kesehatan",
                                 kind=AgencyKind.UNIT, city="Sampit", parent=unit_a)


def people() -> list[Person]:
    return [
        Person(pns_nip(1), "Budi Santoso", title_prefix="dr.", title_suffix="M.Kes",
               nik="6202011508800001", grade="III/b", position="Analis Kebijakan",
               unit="DINAS  KESEHATAN a"),
        Person(pns_nip(2, appointed="202406"), "Calon Pegawai", kind="CPNS", grade="III/a",
               unit="Bidang Pelayanan Kesehatan"),
        Person(pppk_nip(3), "Siti Aminah", kind="PPPK", grade="IX", grade_id=9,
               position="Guru Ahli Pertama", unit="null"),
        Person(pns_nip(4), "Pensiunan", standing="Pensiun", unit="Dinas Kesehatan A"),
        Person(pns_nip(5), "Kepala Seksi", position="Kepala Seksi Promosi Kesehatan",
               position_kind="Jabatan Struktural", grade="III/d",
               unit="Bidang Pelayanan Kesehatan"),
        Person(pns_nip(6), "Tanpa Unit", unit=UNKNOWN_UNIT),
    ]


def siasn_file(fmt: str, persons: list[Person] | None = None) -> tuple[str, bytes]:
    table = siasn_export.rows(persons or people())
    if fmt == "xlsx":
        return "export-asn.xlsx", siasn_export.to_xlsx(table)
    if fmt == "xlsx-numbers":
        # NIKs as number cells: 16 digits still fit a spreadsheet's number exactly. (An 18-digit
        # NIP does not: see the scientific-notation test.)
        for line in table[1:]:
            if str(line[14]).isdigit():
                line[14] = int(line[14])
        return "export-asn.xlsx", siasn_export.to_xlsx(table)
    return "export-asn.csv", siasn_export.to_csv(table, bom=True)


def upload(client, agency, name, data):
    return client.post(reverse("hr:import_upload"),
                       {"agency": agency.pk, "file": SimpleUploadedFile(name, data)})


def preview(client, agency, name, data):
    response = upload(client, agency, name, data)
    assert response.status_code == 302, response.context["form"].errors
    return client.get(response.url)


def confirm(client, page):
    return client.post(reverse("hr:import_confirm", kwargs={"token": page.context["token"]}),
                       {"fingerprint": page.context["fingerprint"]})


def map_unit(client, page, name, unit):
    index = [n for n, _count in page.context["plan"].unmatched_units].index(name)
    return client.post(reverse("hr:import_map_unit", kwargs={"token": page.context["token"]}),
                       {"prefix": f"u{index}", f"u{index}-source_name": name,
                        f"u{index}-unit": unit.pk})


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "xlsx-numbers"])
def test_every_field_of_a_siasn_export_is_mapped(officer, agency_a, unit_a, section, fmt):
    page = preview(officer, agency_a, *siasn_file(fmt))
    plan = page.context["plan"]
    assert plan.format == "siasn"
    budi, cpns, pppk, retired, head, lost = plan.rows
    assert [r.row for r in plan.rows] == [2, 3, 4, 5, 6, 7]
    assert budi.status == "new" and budi.data == {
        "name": "Budi Santoso", "title_prefix": "dr.", "title_suffix": "M.Kes",
        "position": "Analis Kebijakan", "staff_number": "", "category": EmployeeCategory.PNS,
        "nip": pns_nip(1), "nik": "6202011508800001", "grade": "III/b",
        "echelon": Echelon.NONE, "agency_id": unit_a.pk, "is_active": True,
    }
    assert cpns.data["category"] == EmployeeCategory.PNS and cpns.data["grade"] == "III/a"
    assert cpns.data["agency_id"] == section.pk and cpns.data["title_prefix"] == ""
    assert pppk.data["category"] == EmployeeCategory.PPPK and pppk.data["grade"] == "IX"
    assert pppk.data["agency_id"] == agency_a.pk  # UNOR NAMA null: the target agency
    assert retired.data["is_active"] is False
    assert head.data["echelon"] == Echelon.IV
    assert lost.status == "error" and UNKNOWN_UNIT in lost.errors[0]
    assert plan.unmatched_units == [(UNKNOWN_UNIT, 1)]
    assert "Unit yang belum dikenali" in page.content.decode()
    confirm(officer, page)
    assert Employee.objects.count() == 5
    assert Employee.objects.get(nip=pns_nip(1)).grade_label == "Penata Muda Tingkat I (III/b)"
    entry = AuditEntry.objects.get(action="roster.import.confirmed")
    assert entry.details["format"] == "siasn" and entry.details["new"] == 5


def test_header_is_recognised_whatever_its_case_and_spacing(officer, agency_a, unit_a):
    table = siasn_export.rows(people()[:1])
    table[0] = [f" {name.lower().replace(' ', '  ')} " for name in table[0]]
    page = preview(officer, agency_a, "asn.csv", siasn_export.to_csv(table, bom=True))
    assert page.context["plan"].format == "siasn"
    assert page.context["plan"].rows[0].status == "new"


@pytest.mark.parametrize("nip", ["1.98001012005011E+17", 1.98001012005011e17])
def test_a_nip_in_scientific_notation_is_refused_not_corrupted(officer, agency_a, unit_a, nip):
    table = siasn_export.rows([Person(nip, "Rusak", unit="Dinas Kesehatan A")])
    name, data = (("asn.xlsx", siasn_export.to_xlsx(table)) if isinstance(nip, float)
                  else ("asn.csv", siasn_export.to_csv(table)))
    [row] = preview(officer, agency_a, name, data).context["plan"].rows
    assert row.status == "error" and "notasi ilmiah" in row.errors[0]


def test_unknown_unit_is_mapped_once_then_the_preview_plans_again(officer, agency_a, unit_a,
                                                                   section):
    name, data = siasn_file("csv")
    page = preview(officer, agency_a, name, data)
    assert page.context["counts"]["error"] == 1
    response = map_unit(officer, page, UNKNOWN_UNIT, section)
    assert response.status_code == 302 and response.url == page.wsgi_request.path
    mapping = UnitMapping.objects.get()
    assert (mapping.agency, mapping.unit, mapping.source_name) == (agency_a, section,
                                                                    UNKNOWN_UNIT)
    entry = AuditEntry.objects.get(action="roster.import.unit_mapped")
    assert entry.details["unit_id"] == section.pk
    again = officer.get(response.url)
    assert again.context["plan"].unmatched_units == []
    assert again.context["counts"] == {"new": 6, "changed": 0, "unchanged": 0, "error": 0}
    confirm(officer, again)
    assert Employee.objects.get(name="Tanpa Unit").agency == section
    # The next upload of the same export asks nothing.
    assert preview(officer, agency_a, name, data).context["plan"].unmatched_units == []


def test_a_unit_mapping_must_point_inside_the_agency(officer, agency_a, unit_a, agency_b):
    page = preview(officer, agency_a, *siasn_file("csv"))
    map_unit(officer, page, UNKNOWN_UNIT, agency_b)
    response = officer.post(
        reverse("hr:import_map_unit", kwargs={"token": page.context["token"]}),
        {"prefix": "u0", "u0-source_name": "Bukan dari berkas", "u0-unit": unit_a.pk})
    assert response.status_code == 302
    assert not UnitMapping.objects.exists()


def test_a_name_two_units_share_is_not_guessed(officer, agency_a, unit_a):
    Agency.objects.create(code="A-X", name="Dinas Kesehatan A", kind=AgencyKind.UNIT,
                          city="Sampit", parent=unit_a)
    page = preview(officer, agency_a, *siasn_file("csv", people()[:1]))
    assert page.context["plan"].unmatched_units == [("DINAS KESEHATAN a", 1)]


def test_siasn_keeps_echelon_and_staff_number_of_existing_employees(officer, agency_a, unit_a):
    known = factories.employee(unit_a, name="Budi Santoso", nip=pns_nip(1),
                               echelon=Echelon.III, staff_number="K-7", grade="III/a")
    page = preview(officer, agency_a, *siasn_file("csv", people()[:1]))
    [row] = page.context["plan"].rows
    assert row.status == "changed"
    assert {label for label, _old, _new in row.changes} == {
        "Gelar depan", "Gelar belakang", "NIK", "Golongan"}
    confirm(officer, page)
    known.refresh_from_db()
    assert (known.echelon, known.staff_number, known.grade) == (Echelon.III, "K-7", "III/b")


@pytest.mark.parametrize(("column", "value"), [("NAMA", "Budi\x00Santoso"),
                                               ("JENIS PEGAWAI NAMA", "PNS \u202eDaerah"),
                                               ("UNOR NAMA", "Dinas\x1bKesehatan")])
def test_a_hidden_character_in_a_siasn_cell_is_refused_naming_the_column(officer, agency_a,
                                                                         unit_a, column,
                                                                         value):
    # Eight rows first: a NUL in the first 4 KB is refused earlier, as a binary file.
    table = siasn_export.rows([*siasn_export.roster(8, units=["Dinas Kesehatan A"]),
                               people()[0]])
    table[9][siasn_export.HEADER.index(column)] = value
    rows = preview(officer, agency_a, "asn.csv", siasn_export.to_csv(table)).context[
        "plan"].rows
    assert [row.status for row in rows] == ["new"] * 8 + ["error"]
    assert rows[8].errors[0].startswith(
        f"Baris 10, kolom {column}: berisi karakter tersembunyi")


def _everything_stored() -> str:
    """Every row of every table as text, and every session decoded."""
    parts = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT t::text FROM {quote(table)} AS t")  # noqa: S608
            parts.extend(row[0] for row in cursor.fetchall())
    parts.extend(json.dumps(s.get_decoded(), default=str) for s in Session.objects.all())
    for model in apps.get_models():
        parts.append(json.dumps(list(model.objects.values()), default=str))
    return "\n".join(parts)


def test_personal_columns_are_stored_nowhere(officer, agency_a, unit_a, section, caplog):
    caplog.set_level(logging.DEBUG)
    page = preview(officer, agency_a, *siasn_file("csv"))
    pending = _everything_stored()  # the preview's table waits in the session
    assert "Budi Santoso" in pending
    map_unit(officer, page, UNKNOWN_UNIT, section)
    confirm(officer, officer.get(page.wsgi_request.path))
    assert Employee.objects.count() == 6
    stored = _everything_stored() + "\n".join(r.getMessage() for r in caplog.records)
    for marker in siasn_export.PERSONAL_MARKERS:
        assert marker not in pending and marker not in stored, marker


SIMPEG_HEADER = ["No", "NIP Pegawai", "Nama Lengkap Tanpa Gelar", "Jabatan Sekarang",
                 "Pangkat Gol", "Alamat Rumah", "Agama", "Sub Unit Kerja"]


def simpeg_file() -> bytes:
    lines = [SIMPEG_HEADER,
             ["1", pns_nip(11), "Rahmat", "Pengelola Data", "II/c", "Jl. Rahasia 9", "Agamarahasia",
              "Dinas Kesehatan A"],
             ["2", pns_nip(12), "Dewi", "Analis", "III/a", "Jl. Rahasia 10", "Agamarahasia", ""]]
    return "\r\n".join(";".join(line) for line in lines).encode()


def test_another_export_gets_a_column_mapping_saved_and_reused(officer, agency_a, unit_a):
    response = upload(officer, agency_a, "simpeg.csv", simpeg_file())
    assert "/kolom/" in response.url
    stored = officer.session[COLUMNS_SESSION_KEY]
    assert stored["header"] == SIMPEG_HEADER and "rows" not in stored
    assert "Jl. Rahasia" not in json.dumps(dict(officer.session))
    page = officer.get(response.url)
    assert page.status_code == 200 and "Sub Unit Kerja" in page.content.decode()
    refused = officer.post(response.url, {"col_nip": 1, "default_category": "PNS"})
    assert refused.status_code == 200 and not ColumnMapping.objects.exists()
    saved = officer.post(response.url, {"col_nip": 1, "col_name": 2, "col_position": 3,
                                        "col_grade": 4, "col_unit_name": 7,
                                        "default_category": "PNS"})
    assert saved.status_code == 302 and saved.url.endswith(f"?agency={agency_a.pk}")
    mapping = ColumnMapping.objects.get(agency=agency_a)
    assert mapping.columns == {"nip": 1, "name": 2, "position": 3, "grade": 4,
                               "unit_name": 7}
    entry = AuditEntry.objects.get(action="roster.import.columns_mapped")
    assert entry.details["columns"]["unit_name"] == "Sub Unit Kerja"
    # Uploaded again, and every later time: straight to the preview.
    page = preview(officer, agency_a, "simpeg.csv", simpeg_file())
    plan = page.context["plan"]
    assert plan.format == "mapped"
    assert [(r.status, r.data["category"], r.data["grade"], r.data["agency_id"])
            for r in plan.rows] == [("new", "PNS", "II/c", unit_a.pk),
                                    ("new", "PNS", "III/a", agency_a.pk)]
    assert "Agamarahasia" not in json.dumps(dict(officer.session))
    confirm(officer, page)
    assert Employee.objects.count() == 2
    assert "Agamarahasia" not in _everything_stored()


def test_a_mapped_export_keeps_what_it_does_not_carry(officer, agency_a, unit_a):
    factories.employee(unit_a, name="Rahmat", nip=pns_nip(11), position="Lama",
                       echelon=Echelon.IV, grade="II/c")
    ColumnMapping.objects.create(
        agency=agency_a, signature=imports.header_signature(SIMPEG_HEADER),
        header=SIMPEG_HEADER, columns={"nip": 1, "name": 2, "position": 3},
        default_category="PNS")
    page = preview(officer, agency_a, "simpeg.csv", simpeg_file())
    rahmat = page.context["plan"].rows[0]
    assert rahmat.changes == [("Jabatan", "Lama", "Pengelola Data")]


def test_a_column_mapping_belongs_to_its_agency(client, hr_b, agency_a, agency_b, officer):
    upload(officer, agency_a, "simpeg.csv", simpeg_file())
    token = officer.session[COLUMNS_SESSION_KEY]["token"]
    officer.post(reverse("hr:import_columns", kwargs={"token": token}),
                 {"col_nip": 1, "col_name": 2, "col_position": 3, "default_category": "PNS"})
    client.force_login(hr_b)
    response = upload(client, agency_b, "simpeg.csv", simpeg_file())
    assert "/kolom/" in response.url  # agency B has not mapped this header


def test_another_agencys_import_is_a_404(client, hr_b, agency_a, unit_a):
    client.force_login(hr_b)
    table = imports.recognise(rows=[list(map(str, r)) for r in siasn_export.rows(people())],
                              agency=agency_a)
    session = client.session
    session[SESSION_KEY] = {"token": "t", "agency": agency_a.pk, "filename": "x.csv",
                            "sha256": "", "table": table.to_session()}
    session[COLUMNS_SESSION_KEY] = {"token": "c", "agency": agency_a.pk, "filename": "x.csv",
                                    "header": SIMPEG_HEADER, "guesses": {}}
    session.save()
    assert client.get(reverse("hr:import_preview", kwargs={"token": "t"})).status_code == 404
    assert client.post(reverse("hr:import_map_unit", kwargs={"token": "t"}),
                       {"prefix": "u0", "u0-source_name": UNKNOWN_UNIT,
                        "u0-unit": unit_a.pk}).status_code == 404
    assert client.post(reverse("hr:import_confirm", kwargs={"token": "t"}),
                       {"fingerprint": ""}).status_code == 404
    assert client.get(reverse("hr:import_columns", kwargs={"token": "c"})).status_code == 404
    refused = upload(client, agency_a, *siasn_file("csv"))
    assert refused.status_code == 200 and "agency" in refused.context["form"].errors
    assert not UnitMapping.objects.exists() and not Employee.objects.exists()


def test_preview_queries_stay_constant_as_rows_grow(hr_a, agency_a, unit_a, section,
                                                    django_assert_max_num_queries):
    units = ["Dinas Kesehatan A", "Bidang Pelayanan Kesehatan", UNKNOWN_UNIT]
    UnitMapping.objects.create(agency=agency_a, source_key="upt puskesmas lain",
                               source_name="UPT Puskesmas Lain", unit=section)

    def table(n):
        rows = siasn_export.rows(siasn_export.roster(n, units=units))
        return imports.recognise(rows=[[str(c) for c in r] for r in rows], agency=agency_a)

    with django_assert_max_num_queries(8) as small:
        imports.plan_import(table=table(5), agency=agency_a, user=hr_a)
    with django_assert_max_num_queries(len(small.captured_queries)):
        plan = imports.plan_import(table=table(600), agency=agency_a, user=hr_a)
    assert plan.counts["new"] == 400 and plan.unmatched_units == [(UNKNOWN_UNIT, 200)]


def test_the_demo_sample_is_a_siasn_export(officer, agency_a):
    from django.conf import settings

    sample = (settings.BASE_DIR / "static" / "samples" / "contoh-siasn.csv").read_bytes()
    assert sample == siasn_export.demo_sample()
    assert imports.recognise(rows=imports.read_table(sample, "contoh-siasn.csv"),
                             agency=agency_a).format == "siasn"


def test_a_hidden_character_in_a_mapped_column_is_refused_naming_it(officer, agency_a):
    ColumnMapping.objects.create(
        agency=agency_a, signature=imports.header_signature(SIMPEG_HEADER),
        header=SIMPEG_HEADER, columns={"nip": 1, "name": 2, "position": 3},
        default_category="PNS")
    data = simpeg_file().replace(b"Rahmat", "Rahmat \u202etamhaR".encode())
    rows = preview(officer, agency_a, "simpeg.csv", data).context["plan"].rows
    assert rows[0].status == "error" and rows[0].errors[0].startswith(
        "Baris 2, kolom Nama Lengkap Tanpa Gelar: berisi karakter tersembunyi")
    assert rows[1].status == "new"


@pytest.mark.parametrize(("employee_type", "status", "category"), [
    ("PNS Daerah Provinsi", "P", "PNS"), ("PNS Pusat DPK", "null", "PNS"),
    ("CPNS Daerah", "C", "PNS"), ("PPPK", "null", "PPPK"),
    ("Pegawai Pemerintah dengan Perjanjian Kerja", "null", "PPPK"),
    ("Tenaga Ahli", "null", None),
])
def test_category_follows_the_employee_type_and_status(officer, agency_a, employee_type,
                                                       status, category):
    nip = pppk_nip(1) if category == "PPPK" else pns_nip(1)
    table = siasn_export.rows([Person(nip, "Budi", unit="null", grade="null")])
    table[1][siasn_export.HEADER.index("JENIS PEGAWAI NAMA")] = employee_type
    table[1][siasn_export.HEADER.index("STATUS CPNS PNS")] = status
    [row] = preview(officer, agency_a, "asn.csv", siasn_export.to_csv(table)).context[
        "plan"].rows
    if category is None:
        assert row.status == "error" and "Kategori “Tenaga Ahli” tidak dikenal" in row.errors[0]
    else:
        assert row.data["category"] == category


def test_a_large_preview_lists_every_row_needing_a_look_and_counts_the_rest(
        officer, agency_a, unit_a, section, monkeypatch):
    from signings.views import hr_import

    monkeypatch.setattr(hr_import, "PREVIEW_QUIET_ROWS", 3)
    page = preview(officer, agency_a, *siasn_file("csv"))
    rows = page.context["rows"]
    assert [r.row for r in rows] == [2, 3, 4, 7]  # three new, and the refused row 7
    assert page.context["hidden"] == 2
    assert "2 baris baru atau tidak berubah lainnya tidak ditampilkan" in page.content.decode()
    confirm(officer, page)
    assert Employee.objects.count() == 5  # the rows not shown are saved too

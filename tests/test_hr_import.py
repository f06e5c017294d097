"""Roster import: upload → preview → confirm, the file quirks, template files and export."""

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from signings.models import AuditEntry, Employee, EmployeeCategory
from signings.services import imports
from signings.services.context import AuditContext
from signings.views.hr_import import SESSION_KEY
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = "NIP;NIK;Nomor Pegawai;Nama;Gelar Depan;Gelar Belakang;Kategori;Jabatan;Golongan;" \
         "Eselon;Kode Unit;Aktif"
NIP1 = factories.pns_nip(1)
NIP2 = factories.pns_nip(2)


def csv_bytes(*lines, header=HEADER, encoding="utf-8", delimiter=";"):
    text = "\r\n".join([header, *lines]).replace(";", delimiter) + "\r\n"
    return text.encode(encoding)


def upload(client, agency, data: bytes, name="pegawai.csv"):
    return client.post(reverse("hr:import_upload"), {
        "agency": agency.pk, "file": SimpleUploadedFile(name, data),
    })


def preview(client, agency, data, name="pegawai.csv"):
    response = upload(client, agency, data, name)
    assert response.status_code == 302, response.context["form"].errors
    page = client.get(response.url)
    return page


def confirm(client, page):
    token = page.context["token"]
    return client.post(reverse("hr:import_confirm", kwargs={"token": token}),
                       {"fingerprint": page.context["fingerprint"]})


def statuses(page):
    return [(row.row, row.status) for row in page.context["plan"].rows]


def test_preview_shows_new_rows_and_writes_nothing(officer, agency_a, unit_a):
    page = preview(officer, agency_a, csv_bytes(
        f"{NIP1};;;Budi;;S.E.;PNS;Analis;III/a;;A-DINKES;ya",
        f"{NIP2};;;Siti;;;PNS;Analis;III/b;;;ya",
    ))
    assert statuses(page) == [(2, "new"), (3, "new")]
    assert not Employee.objects.exists()
    response = confirm(officer, page)
    assert response.status_code == 302
    budi = Employee.objects.get(nip=NIP1)
    assert budi.agency == unit_a and budi.birth_date.isoformat() == "1980-01-01"
    assert Employee.objects.get(nip=NIP2).agency == agency_a
    entry = AuditEntry.objects.get(action="roster.import.confirmed")
    assert entry.details["new"] == 2
    assert officer.session.get(SESSION_KEY) is None


def test_reimporting_the_same_file_changes_nothing(officer, agency_a):
    data = csv_bytes(f"{NIP1};;;Budi;;S.E.;PNS;Analis;III/a;;;ya")
    confirm(officer, preview(officer, agency_a, data))
    before = list(Employee.objects.values())
    page = preview(officer, agency_a, data)
    assert statuses(page) == [(2, "unchanged")]
    assert page.context["counts"]["new"] == 0 and page.context["counts"]["changed"] == 0
    assert list(Employee.objects.values()) == before


def test_changed_row_shows_the_diff(officer, agency_a, unit_a):
    employee = factories.employee(unit_a, name="Budi", nip=NIP1, position="Analis",
                                  title_suffix="S.E.")
    page = preview(officer, agency_a, csv_bytes(
        f"{NIP1};;;Budi;;S.E.;PNS;Kepala Seksi;III/a;IV;A-DINKES;ya"))
    row = page.context["plan"].rows[0]
    assert row.status == "changed"
    assert ("Jabatan", "Analis", "Kepala Seksi") in row.changes
    assert ("Eselon", "Non-eselon", "Eselon IV") in row.changes
    confirm(officer, page)
    employee.refresh_from_db()
    assert employee.position == "Kepala Seksi" and employee.echelon == 4


def test_error_rows_carry_reason_and_row_number(officer, agency_a):
    page = preview(officer, agency_a, csv_bytes(
        f"{NIP1};;;Budi;;;PNS;Analis;III/a;;;ya",
        "1.98001E+17;;;Mangled;;;PNS;Analis;;;;ya",
        "12345;;;Pendek;;;PNS;Analis;;;;ya",
        f"{NIP2};;;;;;Presiden;Analis;;;;ya",
    ))
    rows = page.context["plan"].rows
    assert [(r.row, r.status) for r in rows] == [(2, "new"), (3, "error"), (4, "error"),
                                                 (5, "error")]
    assert "notasi ilmiah" in rows[1].errors[0]
    assert rows[2].errors == ["NIP: NIP harus 18 digit angka; yang diisi 5 digit."]
    assert any("Nama wajib diisi" in e for e in rows[3].errors)
    assert any("Kategori" in e for e in rows[3].errors)
    html = page.content.decode()
    assert "notasi ilmiah" in html
    confirm(officer, page)
    assert list(Employee.objects.values_list("nip", flat=True)) == [NIP1]


def test_nip_typed_with_spaces_is_normalised(officer, agency_a):
    page = preview(officer, agency_a, csv_bytes(
        "19800101 200501 1 001;;;Budi;;;PNS;Analis;III/a;;;ya"))
    assert page.context["plan"].rows[0].data["nip"] == "198001012005011001"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [";", ","])
def test_encodings_and_delimiters(officer, agency_a, encoding, delimiter):
    page = preview(officer, agency_a, csv_bytes(
        f"{NIP1};;;Désirée Ñoño;;;PNS;Analis;III/a;;;ya", encoding=encoding,
        delimiter=delimiter))
    row = page.context["plan"].rows[0]
    assert row.status == "new"
    assert row.data["name"] == "Désirée Ñoño"


def test_empty_lines_are_skipped_and_row_numbers_stay_true(officer, agency_a):
    page = preview(officer, agency_a, csv_bytes(
        "", f"{NIP1};;;Budi;;;PNS;Analis;III/a;;;ya", ";;;;;;;;;;;", "",
        "1.98E+17;;;X;;;PNS;Analis;;;;ya"))
    assert statuses(page) == [(3, "new"), (6, "error")]


def test_duplicate_rows(officer, agency_a):
    line = f"{NIP1};;;Budi;;;PNS;Analis;III/a;;;ya"
    page = preview(officer, agency_a, csv_bytes(
        line, line, f"{NIP1};;;Budi Lain;;;PNS;Analis;III/a;;;ya"))
    rows = page.context["plan"].rows
    assert [r.status for r in rows] == ["new", "unchanged", "error"]
    assert "baris 2" in rows[1].note and "baris 2" in rows[2].errors[0]
    confirm(officer, page)
    assert Employee.objects.count() == 1


def test_nip_of_another_agency_is_refused(officer, agency_a, agency_b):
    factories.employee(agency_b, nip=NIP1)
    page = preview(officer, agency_a, csv_bytes(f"{NIP1};;;Budi;;;PNS;Analis;III/a;;;ya"))
    row = page.context["plan"].rows[0]
    assert row.status == "error"
    assert "di luar kewenangan" in row.errors[0]
    assert agency_b.name not in page.content.decode()


def test_nip_of_another_agency_the_officer_also_manages_is_a_move(client, agency_a, agency_b):
    from signings.models import Role, RoleAssignment

    officer = factories.user("hr_ab", role="hr", agency=agency_a)
    RoleAssignment.objects.create(user=officer, agency=agency_b, role=Role.HR_OFFICER)
    employee = factories.employee(agency_b, nip=NIP1, name="Budi", position="Analis")
    client.force_login(officer)
    page = preview(client, agency_a, csv_bytes(f"{NIP1};;;Budi;;;PNS;Analis;III/a;;;ya"))
    row = page.context["plan"].rows[0]
    assert row.status == "changed" and "Pindah dari" in row.note
    confirm(client, page)
    employee.refresh_from_db()
    assert employee.agency == agency_a
    assert AuditEntry.objects.get(action="roster.import.confirmed").details["moved_ids"] == [
        employee.pk]


def test_formula_cells_are_stored_as_plain_text_and_neutralised_on_export(officer, agency_a):
    page = preview(officer, agency_a, csv_bytes(
        f'{NIP1};;;=HYPERLINK("http://x");;;PNS;@SUM(A1);III/a;;;ya'))
    confirm(officer, page)
    employee = Employee.objects.get()
    assert employee.name == '=HYPERLINK("http://x")'
    exported = officer.get(reverse("hr:roster_export", kwargs={"fmt": "csv"}))
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[1][3] == "'=HYPERLINK(\"http://x\")"
    assert rows[1][7] == "'@SUM(A1)"
    # Exported then re-imported: nothing changes.
    page = preview(officer, agency_a, exported.content)
    assert statuses(page) == [(2, "unchanged")]


def test_xlsx_import_with_mangled_number_and_formula(officer, agency_a):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([label for _k, label in imports.COLUMNS])
    sheet.append([NIP1, None, None, "Budi", None, None, "PNS", "Analis", "III/a", None, None,
                  "ya"])
    sheet.append([1.98001012005011e17, None, None, "Float", None, None, "PNS", "Analis", None,
                  None, None, "ya"])
    sheet.append(["=A2", None, None, "Formula", None, None, "PNS", "Analis", None, None, None,
                  "ya"])
    out = io.BytesIO()
    workbook.save(out)
    page = preview(officer, agency_a, out.getvalue(), name="pegawai.xlsx")
    rows = page.context["plan"].rows
    assert [r.status for r in rows] == ["new", "error", "error"]
    assert "notasi ilmiah" in rows[1].errors[0]
    assert "hanya boleh berisi angka" in rows[2].errors[0]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("foto.png", factories.signature_png(), "Jenis berkas tidak didukung"),
    ("pegawai.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "bukan CSV atau XLSX"),
    ("pegawai.xlsx", b"PK\x03\x04garbage", "XLSX rusak"),
    ("pegawai.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "XLS"),
    ("pegawai.csv", b"Nama;Jabatan\r\nBudi;Analis\r\n", "Kolom wajib"),
    ("pegawai.csv", b"", "kosong"),
])
def test_unreadable_files_get_a_clear_error(officer, agency_a, name, data, message):
    response = upload(officer, agency_a, data, name)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])


def _workbook_with(part: str, content: bytes | None) -> bytes:
    """A valid roster workbook with one of its zip members replaced (None: left out)."""
    workbook = Workbook()
    workbook.active.append([label for _k, label in imports.COLUMNS])
    workbook.active.append([NIP1, None, None, "Budi", None, None, "PNS", "Analis"])
    original = io.BytesIO()
    workbook.save(original)
    out = io.BytesIO()
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name) if name != part else content
            if data is not None:
                target.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(("part", "content"), [
    ("xl/workbook.xml", b""),  # not XML: lxml's XMLSyntaxError while opening
    ("[Content_Types].xml", b"<Types"),
    # The only sheet's file is missing: openpyxl opens a workbook without sheets (IndexError).
    ("xl/worksheets/sheet1.xml", None),
    ("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row>"),  # ParseError while reading
    ("xl/worksheets/sheet1.xml", b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                                 b'spreadsheetml/2006/main"><sheetData><row r="x"><c r="ZZ1">'
                                 b"<v>1</v></c></row></sheetData></worksheet>"),  # ValueError
])
def test_a_workbook_with_a_broken_part_gets_a_clear_error_not_a_500(officer, agency_a, part,
                                                                     content):
    response = upload(officer, agency_a, _workbook_with(part, content), "pegawai.xlsx")
    assert response.status_code == 200
    assert "XLSX rusak" in " ".join(response.context["form"].errors["file"])
    assert not Employee.objects.exists()


def test_file_over_the_size_limit_is_refused(officer, agency_a, settings):
    settings.PAKTA_IMPORT_MAX_BYTES = 100
    response = upload(officer, agency_a, csv_bytes(*[f"{NIP1};;;Budi;;;PNS;A;;;;ya"] * 5))
    assert "terlalu besar" in response.context["form"].errors["file"][0]


def test_upload_to_another_agency_is_rejected(officer, agency_b):
    response = upload(officer, agency_b, csv_bytes(f"{NIP1};;;Budi;;;PNS;A;;;;ya"))
    assert "agency" in response.context["form"].errors


def test_unit_code_outside_the_target_agency_is_an_error(officer, agency_a, agency_b):
    page = preview(officer, agency_a, csv_bytes(f"{NIP1};;;Budi;;;PNS;A;;;B;ya"))
    assert "tidak ada di bawah" in page.context["plan"].rows[0].errors[0]


def test_confirm_refuses_a_stale_preview(officer, agency_a, unit_a):
    page = preview(officer, agency_a, csv_bytes(f"{NIP1};;;Budi;;;PNS;Analis;III/a;;;ya"))
    factories.employee(unit_a, nip=NIP1, name="Sudah Ada")
    response = confirm(officer, page)
    assert response.status_code == 302
    assert Employee.objects.get().name == "Sudah Ada"
    assert not AuditEntry.objects.filter(action="roster.import.confirmed").exists()
    fresh = officer.get(response.url)
    assert statuses(fresh) == [(2, "changed")]


def test_another_sessions_token_is_useless(client, officer, agency_a, hr_a):
    page = preview(officer, agency_a, csv_bytes(f"{NIP1};;;Budi;;;PNS;Analis;III/a;;;ya"))
    other = factories.user("hr_a2", role="hr", agency=agency_a)
    from django.test import Client

    intruder = Client()
    intruder.force_login(other)
    response = intruder.post(reverse("hr:import_confirm", kwargs={"token": page.context["token"]}),
                             {"fingerprint": page.context["fingerprint"]})
    assert response.status_code == 302
    assert not Employee.objects.exists()


def test_non_asn_rows_use_nik_or_staff_number(officer, agency_a):
    page = preview(officer, agency_a, csv_bytes(
        ";6202011508900001;;Rahmat;;;TKD;Pengemudi;;;;ya",
        ";;TKD-07;Joko;;;Honorer;Penjaga;;;;ya",
        ";;;Tanpa Nomor;;;Honorer;Penjaga;;;;ya",
    ))
    assert [r.status for r in page.context["plan"].rows] == ["new", "new", "error"]
    confirm(officer, page)
    assert Employee.objects.get(nik="6202011508900001").category == EmployeeCategory.TKD
    assert Employee.objects.get(staff_number="TKD-07").nip is None


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_files_import_cleanly(officer, agency_a, fmt):
    response = officer.get(reverse("hr:import_template", kwargs={"fmt": fmt}))
    assert response.status_code == 200
    page = preview(officer, agency_a, response.content, name=f"templat.{fmt}")
    assert [r.status for r in page.context["plan"].rows] == ["new", "new", "new"]


def test_xlsx_export_neutralises_formulas_and_keeps_nip_as_text(officer, unit_a):
    factories.employee(unit_a, nip=NIP1, name="=1+1")
    response = officer.get(reverse("hr:roster_export", kwargs={"fmt": "xlsx"}))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == NIP1 and sheet["A2"].data_type == "s"
    assert sheet["D2"].value == "'=1+1" and sheet["D2"].data_type == "s"


def test_xlsx_export_survives_control_characters_a_worksheet_cannot_hold(officer, unit_a):
    # Stored before text hygiene refused such names (forms and models check them now).
    employee = factories.employee(unit_a, nip=NIP1, name="Budi Santoso")
    Employee.objects.filter(pk=employee.pk).update(name="Budi\x1b[2J Santoso\x07")
    response = officer.get(reverse("hr:roster_export", kwargs={"fmt": "xlsx"}))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["D2"].value == "Budi\ufffd[2J Santoso\ufffd"
    csv_export = officer.get(reverse("hr:roster_export", kwargs={"fmt": "csv"}))
    assert "Budi\x1b[2J Santoso\x07" in csv_export.content.decode("utf-8-sig")


def test_export_contains_only_the_officers_scope(officer, unit_a, agency_b):
    factories.employee(unit_a, nip=NIP1)
    factories.employee(agency_b, nip=NIP2)
    content = officer.get(reverse("hr:roster_export", kwargs={"fmt": "csv"})).content.decode()
    assert NIP1 in content and NIP2 not in content


def _rows(n, start=0):
    header = [label for _key, label in imports.COLUMNS]
    return [header] + [
        [factories.pns_nip(i % 999 + 1, birth=f"19{70 + i // 999}0101"), "", "",
         f"Pegawai {i}", "", "", "PNS", "Analis", "III/a", "", "", "ya"]
        for i in range(start, start + n)
    ]


def test_plan_and_apply_use_a_constant_number_of_queries(hr_a, agency_a,
                                                         django_assert_max_num_queries):
    with django_assert_max_num_queries(6) as small:
        imports.plan_import(table=imports.recognise(rows=_rows(5), agency=agency_a),
                            agency=agency_a, user=hr_a)
    with django_assert_max_num_queries(len(small.captured_queries)):
        plan = imports.plan_import(table=imports.recognise(rows=_rows(1500), agency=agency_a),
                                   agency=agency_a, user=hr_a)
    assert plan.counts["new"] == 1500
    with django_assert_max_num_queries(20):
        imports.apply_import(
            source=imports.ImportSource(table=imports.recognise(rows=_rows(1500),
                                                                agency=agency_a)),
            agency=agency_a,
            fingerprint=plan.fingerprint(),
            context=AuditContext.for_user(hr_a),
        )
    assert Employee.objects.count() == 1500


def test_title_rows_above_the_header_are_skipped(officer, agency_a):
    page = preview(officer, agency_a, csv_bytes(
        f"{NIP1};;;Budi;;;PNS;Analis;III/a;;;ya",
        header="DAFTAR PEGAWAI KABUPATEN A;;;;;;;;;;;\r\n;;;;;;;;;;;\r\n" + HEADER))
    assert statuses(page) == [(4, "new")]


def _filler(n: int) -> list[str]:
    """Valid rows, enough to push a later NUL past the first 4 KB (which are sniffed)."""
    return [f"{factories.pns_nip(i + 1, birth='19750101')};;;Pegawai {i};;;PNS;Analis;III/a;;;ya"
            for i in range(n)]


@pytest.mark.parametrize("bad_row, column", [
    ("{nip};;;Budi\x00Santoso;;;PNS;Analis;III/a;;;ya", "Nama"),
    (";;PEG\x00-1;Budi;;;Honorer;Pengemudi;;;;ya", "Nomor Pegawai"),
    ("{nip};;;Budi;;;PNS;Analis\x1b;III/a;;;ya", "Jabatan"),
    ("{nip};;;Budi \u202eotnaS;;;PNS;Analis;III/a;;;ya", "Nama"),
])
def test_a_hidden_character_in_a_row_is_refused_at_preview_naming_the_row(officer, agency_a,
                                                                         bad_row, column):
    filler = _filler(100)
    page = preview(officer, agency_a, csv_bytes(*filler, bad_row.format(nip=NIP1)))
    assert page.status_code == 200
    row = page.context["plan"].rows[-1]
    assert (row.row, row.status) == (102, "error")
    assert row.errors[0].startswith(f"Baris 102, kolom {column}: berisi karakter tersembunyi")
    assert "\x00" not in page.content.decode()
    assert page.context["counts"] == {"new": 100, "changed": 0, "unchanged": 0, "error": 1}
    assert not Employee.objects.exists()
    response = confirm(officer, page)
    assert response.status_code == 302
    assert Employee.objects.count() == 100
    assert not Employee.objects.filter(name__startswith="Budi").exists()
    assert AuditEntry.objects.get(action="roster.import.confirmed").details["error"] == 1


def test_a_direction_override_in_an_xlsx_name_is_refused(officer, agency_a):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([label for _key, label in imports.COLUMNS])
    sheet.append([NIP1, "", "", "Budi \u202eotnaS", "", "", "PNS", "Analis", "III/a", "", "",
                  "ya"])
    out = io.BytesIO()
    workbook.save(out)
    page = preview(officer, agency_a, out.getvalue(), name="pegawai.xlsx")
    [row] = page.context["plan"].rows
    assert row.status == "error" and "U+202E, pengubah arah teks" in row.errors[0]
    confirm(officer, page)
    assert not Employee.objects.exists()

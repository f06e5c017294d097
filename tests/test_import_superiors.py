"""The roster import's "NIP Atasan" column: direct superiors (the pact's "Menyaksikan") set in
bulk, from the template or a mapped export; SIASN carries none and leaves them alone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from signings.models import Agency, AgencyKind, AuditEntry, ColumnMapping, Employee
from signings.services import imports
from signings.services.context import AuditContext
from tests import factories, siasn_export
from tests.test_hr_import import confirm, csv_bytes, preview, upload

pytestmark = pytest.mark.django_db

HEADER = ("NIP;NIK;Nomor Pegawai;Nama;Gelar Depan;Gelar Belakang;Kategori;Jabatan;Golongan;"
          "Eselon;Kode Unit;Aktif;NIP Atasan")
BOSS, STAFF, CLERK = (factories.pns_nip(n) for n in (1, 2, 3))


def line(nip: str, name: str, superior: str = "", unit: str = "") -> str:
    return f"{nip};;;{name};;;PNS;Analis;III/a;;{unit};ya;{superior}"


def rows_of(page) -> dict[int, object]:
    return {row.row: row for row in page.context["plan"].rows}


def superior_of(nip: str) -> str | None:
    superior = Employee.objects.get(nip=nip).superior
    return superior.nip if superior else None


def test_superiors_come_from_the_file_whatever_the_order_and_from_pakta(officer, agency_a,
                                                                        unit_a):
    head = factories.employee(agency_a, name="Kepala Dinas", nip=factories.pns_nip(9))
    page = preview(officer, agency_a, csv_bytes(
        line(STAFF, "Staf", superior=BOSS, unit="A-DINKES"),  # the boss comes later
        line(BOSS, "Bos", superior=head.nip, unit="A-DINKES"),
        line(CLERK, "Juru", unit="A-DINKES"),
        header=HEADER))
    rows = rows_of(page)
    assert [r.status for r in rows.values()] == ["new", "new", "new"]
    assert ("Atasan", "", "Bos") in rows[2].changes
    assert ("Atasan", "", head.display_name) in rows[3].changes
    assert "Atasan" in page.content.decode()
    assert confirm(officer, page).status_code == 302
    assert superior_of(STAFF) == BOSS
    assert superior_of(BOSS) == head.nip
    assert superior_of(CLERK) is None
    entry = AuditEntry.objects.get(action="roster.import.confirmed")
    staff, boss = Employee.objects.get(nip=STAFF), Employee.objects.get(nip=BOSS)
    assert {(c["employee_id"], c["from"], c["to"]) for c in entry.details["superior_changes"]} \
        == {(staff.pk, None, boss.pk), (boss.pk, None, head.pk)}


def test_a_superior_change_alone_is_a_change_and_an_empty_cell_keeps_the_superior(
        officer, agency_a):
    old, new = (factories.employee(agency_a, nip=factories.pns_nip(n)) for n in (7, 8))
    staff = factories.employee(agency_a, name="Staf", nip=STAFF, position="Analis",
                               grade="III/a", superior=old)
    kept = factories.employee(agency_a, name="Juru", nip=CLERK, position="Analis",
                              grade="III/a", superior=old)
    page = preview(officer, agency_a, csv_bytes(
        line(STAFF, "Staf", superior=new.nip), line(CLERK, "Juru"), header=HEADER))
    rows = rows_of(page)
    assert rows[2].status == "changed"
    assert rows[2].changes == [("Atasan", old.display_name, new.display_name)]
    assert rows[3].status == "unchanged"
    confirm(officer, page)
    staff.refresh_from_db()
    kept.refresh_from_db()
    assert (staff.superior_id, kept.superior_id) == (new.pk, old.pk)
    entry = AuditEntry.objects.get(action="roster.import.confirmed")
    assert entry.details["superior_changes"] == [
        {"employee_id": staff.pk, "from": old.pk, "to": new.pk}]
    # The same file again: nothing left to do.
    again = preview(officer, agency_a, csv_bytes(
        line(STAFF, "Staf", superior=new.nip), line(CLERK, "Juru"), header=HEADER))
    assert [r.status for r in again.context["plan"].rows] == ["unchanged", "unchanged"]


@pytest.mark.parametrize("header", ["NIP Atasan Langsung", "nip_atasan", "NIP ATASAN"])
def test_header_variants_are_recognised(officer, agency_a, header):
    boss = factories.employee(agency_a, nip=BOSS)
    page = preview(officer, agency_a, csv_bytes(
        line(STAFF, "Staf", superior=boss.nip), header=HEADER.replace("NIP Atasan", header)))
    [row] = page.context["plan"].rows
    assert row.status == "new" and row.superior_id == boss.pk


def _errors(officer, agency, *lines) -> dict[int, list[str]]:
    page = preview(officer, agency, csv_bytes(*lines, header=HEADER))
    confirm(officer, page)
    return {row.row: row.errors for row in page.context["plan"].rows if row.errors}


def test_an_unknown_or_foreign_superior_is_refused(officer, agency_a, agency_b):
    foreign = factories.employee(agency_b, nip=factories.pns_nip(5))
    errors = _errors(officer, agency_a, line(STAFF, "Staf", superior=factories.pns_nip(6)),
                     line(CLERK, "Juru", superior=foreign.nip), line(BOSS, "Bos"))
    assert errors == {
        2: [f"Tidak ada pegawai dengan NIP atasan {factories.pns_nip(6)}, baik di berkas ini "
            "maupun di instansi yang Anda kelola."],
        3: [f"Tidak ada pegawai dengan NIP atasan {foreign.nip}, baik di berkas ini maupun di "
            "instansi yang Anda kelola."]}
    # Refused rows are not written; the others are.
    assert list(Employee.objects.filter(agency=agency_a).values_list("nip", flat=True)) == [BOSS]


def test_oneself_and_a_malformed_nip_are_refused(officer, agency_a):
    errors = _errors(officer, agency_a, line(STAFF, "Staf", superior=STAFF),
                     line(CLERK, "Juru", superior="1.98E+17"))
    assert errors[2] == ["Pegawai tidak dapat menjadi atasan langsungnya sendiri."]
    assert errors[3][0].startswith("NIP atasan: ")
    assert not Employee.objects.exists()


def test_a_superior_in_a_unit_below_is_refused(officer, agency_a, unit_a):
    sibling = Agency.objects.create(code="A-DISDIK", name="Dinas Pendidikan A",
                                    kind=AgencyKind.DEPARTMENT, city="Sampit", parent=agency_a)
    other = factories.employee(sibling, nip=factories.pns_nip(5))
    errors = _errors(officer, agency_a, line(BOSS, "Bos", unit="A-DINKES"),
                     line(STAFF, "Staf", superior=BOSS),  # in the agency, the boss below it
                     line(CLERK, "Juru", superior=other.nip, unit="A-DINKES"))
    message = ["Atasan langsung harus dari unit yang sama atau unit di atasnya."]
    assert errors == {3: message, 4: message}
    assert superior_of(BOSS) is None


def test_a_cycle_is_refused_in_the_file_and_with_superiors_already_recorded(officer,
                                                                           agency_a):
    recorded = factories.employee(agency_a, nip=factories.pns_nip(5))
    head = factories.employee(agency_a, nip=factories.pns_nip(6), superior=recorded)
    errors = _errors(officer, agency_a, line(STAFF, "Staf", superior=BOSS),
                     line(BOSS, "Bos", superior=STAFF),
                     line(recorded.nip, "Tercatat", superior=head.nip))
    assert errors[2] == [f"Atasan membentuk lingkaran: {STAFF} → {BOSS} → {STAFF}. Setiap "
                         "pegawai akan menyaksikan pakta atasannya sendiri; perbaiki salah satu "
                         "NIP atasan."]
    assert errors[3][0].startswith(f"Atasan membentuk lingkaran: {BOSS} → {STAFF} → {BOSS}")
    assert errors[4][0].startswith(
        f"Atasan membentuk lingkaran: {recorded.nip} → {head.nip} → {recorded.nip}")
    assert not Employee.objects.filter(nip__in=[STAFF, BOSS]).exists()
    recorded.refresh_from_db()
    assert recorded.superior_id is None


def test_a_superior_on_a_refused_row_refuses_the_rows_below_it(officer, agency_a):
    errors = _errors(officer, agency_a, line(BOSS, "", superior=""),  # no name: refused
                     line(STAFF, "Staf", superior=BOSS), line(CLERK, "Juru", superior=STAFF))
    assert errors[3] == [f"Atasan (NIP {BOSS}) ada di baris 2 yang ditolak; perbaiki baris "
                         "itu dulu."]
    assert errors[4] == [f"Atasan (NIP {STAFF}) ada di baris 3 yang ditolak; perbaiki baris "
                         "itu dulu."]


def test_a_mapped_export_can_carry_the_superior(officer, agency_a):
    boss = factories.employee(agency_a, nip=BOSS)
    header = ["NIP Pegawai", "Nama Lengkap", "Jabatan Sekarang", "NIP Pejabat Atasan"]
    ColumnMapping.objects.create(
        agency=agency_a, signature=imports.header_signature(header), header=header,
        columns={"nip": 0, "name": 1, "position": 2, "superior_nip": 3},
        default_category="PNS")
    data = "\r\n".join(";".join(r) for r in [header, [STAFF, "Staf", "Analis", BOSS],
                                              [CLERK, "Juru", "Analis", STAFF]]).encode()
    page = preview(officer, agency_a, data, name="simpeg.csv")
    assert page.context["plan"].format == "mapped"
    confirm(officer, page)
    assert (superior_of(STAFF), superior_of(CLERK)) == (boss.nip, STAFF)


def test_the_mapping_form_offers_the_superior(officer, agency_a):
    header = ["No", "NIP Pegawai", "Nama Lengkap", "Jabatan Sekarang", "Atasan (NIP)"]
    data = "\r\n".join(";".join(r) for r in [header, ["1", STAFF, "Staf", "Analis", ""]])
    response = upload(officer, agency_a, data.encode(), name="simpeg.csv")
    assert "/kolom/" in response.url
    assert "NIP atasan langsung" in officer.get(response.url).content.decode()
    saved = officer.post(response.url, {"col_nip": 1, "col_name": 2, "col_position": 3,
                                        "col_superior_nip": 4, "default_category": "PNS"})
    assert saved.status_code == 302
    assert ColumnMapping.objects.get(agency=agency_a).columns["superior_nip"] == 4


def test_siasn_leaves_superiors_alone(officer, agency_a):
    boss = factories.employee(agency_a, nip=factories.pns_nip(9))
    staff = factories.employee(agency_a, name="Budi Santoso", nip=siasn_export.pns_nip(1),
                               superior=boss)
    table = siasn_export.rows([siasn_export.Person(staff.nip, "Budi Santoso",
                                                   position="Analis Baru", unit="")])
    page = preview(officer, agency_a, siasn_export.to_csv(table, bom=True), name="asn.csv")
    assert page.context["plan"].format == "siasn"
    [row] = page.context["plan"].rows
    assert row.status == "changed"
    assert "Atasan" not in {label for label, _old, _new in row.changes}
    confirm(officer, page)
    staff.refresh_from_db()
    assert staff.superior_id == boss.pk and staff.position == "Analis Baru"


def _table(agency, n: int, bosses: list[Employee], birth: str):
    header = [label for _key, label in imports.COLUMNS]
    rows = [header]
    for i in range(n):
        nip = factories.pns_nip(i + 1, birth=birth)
        # Every other row: a superior earlier in the file; the others: someone in Pakta.
        superior = factories.pns_nip(i, birth=birth) if i % 2 else bosses[i].nip
        rows.append([nip, "", "", f"Pegawai {i}", "", "", "PNS", "Analis", "III/a", "", "",
                     "ya", superior])
    return imports.recognise(rows=rows, agency=agency)


@pytest.mark.parametrize("existing_rows", [False, True])
def test_superiors_add_no_queries_per_row(hr_a, agency_a, django_assert_max_num_queries,
                                          existing_rows):
    bosses = [factories.employee(agency_a, nip=factories.pns_nip(i + 1, birth="19720101"))
              for i in range(40)]
    runs = {10: "19710101", 40: "19710102"}  # disjoint people, so each run has the same mix
    if existing_rows:  # the rows are people already in Pakta, each with a superior to change
        for birth in runs.values():
            for i in range(40):
                factories.employee(agency_a, name=f"Lama {i}",
                                   nip=factories.pns_nip(i + 1, birth=birth),
                                   superior=bosses[(i + 1) % 40])
    counts = []
    for n, birth in runs.items():
        with django_assert_max_num_queries(40) as plan_queries:
            plan = imports.plan_import(table=_table(agency_a, n, bosses, birth),
                                       agency=agency_a, user=hr_a)
        assert plan.counts["error"] == 0, [r.errors for r in plan.rows if r.errors]
        assert plan.counts["new" if not existing_rows else "changed"] == n
        with django_assert_max_num_queries(40) as apply_queries:
            imports.apply_import(
                source=imports.ImportSource(table=_table(agency_a, n, bosses, birth)),
                agency=agency_a, fingerprint=plan.fingerprint(),
                context=AuditContext.for_user(hr_a))
        counts.append((len(plan_queries.captured_queries),
                       len(apply_queries.captured_queries)))
    # Not more for 40 rows than for 10 (the first run also warms per-request caches).
    assert counts[1][0] <= counts[0][0] and counts[1][1] <= counts[0][1], counts
    assert superior_of(factories.pns_nip(40, birth="19710102")) == factories.pns_nip(
        39, birth="19710102")
    assert superior_of(factories.pns_nip(1, birth="19710102")) == bosses[0].nip


def test_a_move_must_keep_a_superior_in_scope_or_name_a_new_one(officer, agency_a, unit_a):
    old = factories.employee(unit_a, name="Kabid", nip=factories.pns_nip(5))
    head = factories.employee(agency_a, name="Sekda", nip=factories.pns_nip(6))
    moving = factories.employee(unit_a, name="Staf", nip=STAFF, position="Analis",
                                grade="III/a", superior=old)
    also = factories.employee(unit_a, name="Juru", nip=CLERK, position="Analis",
                              grade="III/a", superior=old)
    # To the agency itself, above the recorded superior's unit: refused unless a new one.
    errors = _errors(officer, agency_a, line(STAFF, "Staf"), line(CLERK, "Juru",
                                                                  superior=head.nip))
    assert errors == {2: ["Atasan langsung yang tercatat (Kabid) tidak lagi dari unit yang sama "
                          "atau unit di atasnya setelah perubahan unit ini; isi kolom NIP Atasan "
                          "dengan atasan yang baru."]}
    moving.refresh_from_db()
    also.refresh_from_db()
    assert (moving.agency_id, moving.superior_id) == (unit_a.pk, old.pk)
    assert (also.agency_id, also.superior_id) == (agency_a.pk, head.pk)


def test_an_employee_and_their_superior_can_move_together(officer, agency_a, unit_a):
    boss = factories.employee(unit_a, name="Bos", nip=BOSS, position="Analis", grade="III/a")
    staff = factories.employee(unit_a, name="Staf", nip=STAFF, position="Analis",
                               grade="III/a", superior=boss)
    page = preview(officer, agency_a, csv_bytes(line(STAFF, "Staf"), line(BOSS, "Bos"),
                                                header=HEADER))
    assert [r.status for r in page.context["plan"].rows] == ["changed", "changed"]
    assert confirm(officer, page).status_code == 302
    staff.refresh_from_db()
    assert (staff.agency_id, staff.superior_id) == (agency_a.pk, boss.pk)


def test_the_export_carries_the_superior_and_imports_back_unchanged(officer, agency_a):
    boss = factories.employee(agency_a, nip=BOSS)
    factories.employee(agency_a, nip=STAFF, superior=boss)
    exported = officer.get(reverse("hr:roster_export", kwargs={"fmt": "csv"})).content
    assert exported.decode("utf-8-sig").splitlines()[0].endswith("NIP Atasan")
    page = preview(officer, agency_a, exported, name="daftar-pegawai.csv")
    assert [r.status for r in page.context["plan"].rows] == ["unchanged", "unchanged"]

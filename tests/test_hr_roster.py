"""Agency tree, employee list, and creating/editing/deactivating/deleting employees."""

import pytest
from django.urls import reverse

from signings.models import AuditEntry, Echelon, Employee, EmployeeCategory
from signings.services.context import AuditContext
from tests import factories

pytestmark = pytest.mark.django_db


def employee_post(agency, **overrides):
    data = {
        "name": "Budi Santoso", "title_prefix": "", "title_suffix": "S.E.",
        "category": EmployeeCategory.PNS, "nip": "19800101 200501 1 001", "nik": "",
        "staff_number": "", "position": "Analis", "grade": "III/a", "echelon": Echelon.NONE,
        "agency": agency.pk,
    }
    data.update(overrides)
    return data


def test_agency_tree_lists_only_the_officers_subtree(client, hr_a, unit_a, agency_b):
    factories.employee(unit_a)
    client.force_login(hr_a)
    page = client.get(reverse("hr:agencies")).content.decode()
    assert unit_a.name in page
    assert agency_b.name not in page


def test_employee_list_searches_by_name_and_nip(client, hr_a, unit_a):
    budi = factories.employee(unit_a, name="Budi Hartono")
    factories.employee(unit_a, name="Siti Aminah")
    client.force_login(hr_a)
    by_name = client.get(reverse("hr:employees"), {"q": "hartono"}).context["page"]
    assert [e.pk for e in by_name] == [budi.pk]
    by_nip = client.get(reverse("hr:employees"), {"q": budi.nip[-8:]}).context["page"]
    assert [e.pk for e in by_nip] == [budi.pk]


def test_employee_list_filters_unit_category_echelon_and_active(client, hr_a, agency_a, unit_a):
    head = factories.employee(agency_a, echelon=Echelon.II)
    staff = factories.employee(unit_a)
    tkd = factories.employee(unit_a, category=EmployeeCategory.TKD)
    gone = factories.employee(unit_a, is_active=False)
    client.force_login(hr_a)

    def names(**params):
        return {e.pk for e in client.get(reverse("hr:employees"), params).context["page"]}

    assert names(unit=unit_a.pk) == {staff.pk, tkd.pk}
    assert names(category="TKD") == {tkd.pk}
    assert names(echelon=2) == {head.pk}
    assert names(active="0") == {gone.pk}
    assert names(active="all") == {head.pk, staff.pk, tkd.pk, gone.pk}


def test_employee_list_sorts_and_paginates(client, hr_a, unit_a):
    for name in ["Citra", "Ahmad", "Bayu"]:
        factories.employee(unit_a, name=name)
    client.force_login(hr_a)
    page = client.get(reverse("hr:employees"), {"sort": "-name"}).context["page"]
    assert [e.name for e in page] == ["Citra", "Bayu", "Ahmad"]
    for i in range(55):
        factories.employee(unit_a, name=f"Z {i:02d}")
    second = client.get(reverse("hr:employees"), {"page": 2}).context["page"]
    assert second.number == 2 and len(second.object_list) == 8


def test_employee_list_filter_with_another_agencys_unit_is_an_error(client, hr_a, agency_b):
    client.force_login(hr_a)
    response = client.get(reverse("hr:employees"), {"unit": agency_b.pk})
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors


def test_employee_list_query_count_is_constant(client, hr_a, unit_a,
                                               django_assert_max_num_queries):
    client.force_login(hr_a)
    for _ in range(3):
        factories.employee(unit_a)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("hr:employees"))
    for _ in range(60):
        factories.employee(unit_a)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("hr:employees"), {"page": 2})


def test_officer_creates_an_employee_with_spaced_nip(client, hr_a, unit_a):
    client.force_login(hr_a)
    response = client.post(reverse("hr:employee_create"), employee_post(unit_a))
    assert response.status_code == 302
    employee = Employee.objects.get()
    assert employee.nip == "198001012005011001"
    assert employee.birth_date.isoformat() == "1980-01-01"
    assert AuditEntry.objects.filter(action="roster.employee.created").count() == 1


def test_mangled_nip_gets_the_indonesian_identity_message(client, hr_a, unit_a):
    client.force_login(hr_a)
    response = client.post(reverse("hr:employee_create"),
                           employee_post(unit_a, nip="1.98001E+17"))
    assert response.status_code == 200
    assert "notasi ilmiah" in response.context["form"].errors["nip"][0]
    assert not Employee.objects.exists()


def test_short_nip_message_shows_the_digit_count(client, hr_a, unit_a):
    client.force_login(hr_a)
    response = client.post(reverse("hr:employee_create"), employee_post(unit_a, nip="1980"))
    assert response.context["form"].errors["nip"] == [
        "NIP harus 18 digit angka; yang diisi 4 digit."
    ]


def test_bad_nik_gets_the_indonesian_message(client, hr_a, unit_a):
    client.force_login(hr_a)
    response = client.post(reverse("hr:employee_create"), employee_post(
        unit_a, category=EmployeeCategory.TKD, nip="", grade="", nik="0000000000000000"))
    assert "Kode wilayah pada NIK" in response.context["form"].errors["nik"][0]


def test_posting_another_agency_is_rejected(client, hr_a, agency_b):
    client.force_login(hr_a)
    response = client.post(reverse("hr:employee_create"), employee_post(agency_b))
    assert response.status_code == 200
    assert "agency" in response.context["form"].errors
    assert not Employee.objects.exists()


def test_editing_cannot_move_an_employee_out_of_scope(client, hr_a, employee_a, agency_b):
    client.force_login(hr_a)
    data = employee_post(agency_b, nip=employee_a.nip, name=employee_a.name)
    response = client.post(reverse("hr:employee_edit", kwargs={"pk": employee_a.pk}), data)
    assert response.status_code == 200
    employee_a.refresh_from_db()
    assert employee_a.agency_id != agency_b.pk


def test_officer_edits_an_employee_and_the_change_is_audited(client, hr_a, employee_a, unit_a):
    client.force_login(hr_a)
    data = employee_post(unit_a, nip=employee_a.nip, name="Nama Baru")
    response = client.post(reverse("hr:employee_edit", kwargs={"pk": employee_a.pk}), data)
    assert response.status_code == 302
    employee_a.refresh_from_db()
    assert employee_a.name == "Nama Baru"
    entry = AuditEntry.objects.get(action="roster.employee.updated")
    assert entry.details["changes"]["name"][1] == "Nama Baru"


def test_officer_of_other_agency_gets_404_on_employee(client, hr_b, employee_a):
    client.force_login(hr_b)
    url = reverse("hr:employee_edit", kwargs={"pk": employee_a.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, employee_post(employee_a.agency)).status_code == 404


def test_deactivate_and_reactivate(client, hr_a, employee_a):
    client.force_login(hr_a)
    url = reverse("hr:employee_set_active", kwargs={"pk": employee_a.pk})
    client.post(url, {"active": "0"})
    employee_a.refresh_from_db()
    assert not employee_a.is_active
    client.post(url, {"active": "1"})
    employee_a.refresh_from_db()
    assert employee_a.is_active


def test_employee_who_signed_cannot_be_deleted(client, hr_a, open_event):
    employee = open_event.expected.first().employee
    factories.signature(open_event, employee, officer=hr_a)
    client.force_login(hr_a)
    response = client.post(reverse("hr:employee_delete", kwargs={"pk": employee.pk}),
                           {"confirm": "1"}, follow=True)
    assert Employee.objects.filter(pk=employee.pk).exists()
    assert "tidak dapat dihapus" in response.content.decode()


def test_employee_entered_by_mistake_can_be_deleted(client, hr_a, open_event):
    employee = open_event.expected.first().employee
    client.force_login(hr_a)
    client.post(reverse("hr:employee_delete", kwargs={"pk": employee.pk}), {"confirm": "1"})
    assert not Employee.objects.filter(pk=employee.pk).exists()
    assert AuditEntry.objects.filter(action="roster.employee.deleted").count() == 1


def test_duplicate_nip_gets_a_clear_message(client, hr_a, unit_a, agency_b):
    factories.employee(agency_b, nip="198001012005011001")
    client.force_login(hr_a)
    response = client.post(reverse("hr:employee_create"), employee_post(unit_a))
    assert response.context["form"].errors["nip"] == [
        "NIP ini sudah terdaftar untuk pegawai lain."
    ]


def test_duplicate_nik_gets_a_clear_message(client, hr_a, unit_a):
    other = factories.employee(unit_a, category=EmployeeCategory.TKD)
    client.force_login(hr_a)
    response = client.post(reverse("hr:employee_create"), employee_post(
        unit_a, category=EmployeeCategory.TKD, nip="", grade="", nik=other.nik))
    assert response.context["form"].errors["nik"] == [
        "NIK ini sudah terdaftar untuk pegawai lain."
    ]


def test_agency_tree_query_count_is_constant(client, hr_a, agency_a,
                                             django_assert_max_num_queries):
    from signings.models import Agency, AgencyKind

    client.force_login(hr_a)
    with django_assert_max_num_queries(8) as small:
        client.get(reverse("hr:agencies"))
    for i in range(20):
        Agency.objects.create(code=f"A-{i}", name=f"Unit {i}", kind=AgencyKind.UNIT,
                              city="Sampit", parent=agency_a)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("hr:agencies"))


def test_nip_saved_by_someone_else_meanwhile_is_a_sentence_not_a_500(hr_a, unit_a, agency_b):
    from signings.services import roster

    factories.employee(agency_b, nip="198001012005011001")
    twin = Employee(name="Kembar", category=EmployeeCategory.PNS, nip="198001012005011001",
                    position="Analis", agency=unit_a)
    with pytest.raises(roster.RosterError) as caught:
        roster.create_employee(employee=twin, context=AuditContext.for_user(hr_a))
    assert "baru saja didaftarkan" in str(caught.value.message)
    assert not AuditEntry.objects.filter(action="roster.employee.created").exists()

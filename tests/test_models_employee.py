import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from signings.models import Employee, EmployeeCategory
from tests import factories


@pytest.mark.django_db
def test_nip_gives_birth_date_and_sex(unit_a):
    employee = Employee(name="Siti Aminah", category=EmployeeCategory.PNS,
                        nip="19850312 201001 2 004", position="Analis", agency=unit_a)
    employee.full_clean()
    assert employee.nip == "198503122010012004"
    assert employee.birth_date == datetime.date(1985, 3, 12)
    assert employee.sex == "F"


@pytest.mark.django_db
def test_nik_gives_birth_date_and_sex_for_non_asn(unit_a):
    employee = Employee(name="Rina", category=EmployeeCategory.HONORER, nik="6202015508950001",
                        position="Tenaga Administrasi", agency=unit_a)
    employee.full_clean()
    assert employee.birth_date == datetime.date(1995, 8, 15)
    assert employee.sex == "F"


@pytest.mark.django_db
def test_display_name_carries_academic_titles(unit_a):
    employee = factories.employee(unit_a, name="Budi Santoso", title_prefix="Dr. Ir.",
                                  title_suffix="M.Si")
    assert employee.display_name == "Dr. Ir. Budi Santoso, M.Si"
    assert str(employee) == "Dr. Ir. Budi Santoso, M.Si"


@pytest.mark.django_db
def test_pns_without_nip_is_refused_by_the_form_layer_in_indonesian(unit_a):
    employee = Employee(name="X", category=EmployeeCategory.PNS, position="Staf", agency=unit_a)
    with pytest.raises(ValidationError) as excinfo:
        employee.full_clean()
    assert "NIP wajib diisi" in str(excinfo.value.message_dict["nip"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"category": EmployeeCategory.PNS, "nip": None},
        {"category": EmployeeCategory.PPPK, "nip": None},
        {"category": EmployeeCategory.HONORER, "nip": None, "nik": None, "staff_number": ""},
        {"category": EmployeeCategory.HONORER, "nip": "198001012005011001"},
        {"category": EmployeeCategory.PNS, "nip": "19800101200501100"},  # 17 digits
        {"category": EmployeeCategory.PNS, "nip": "1.98001E+17"},
        {"category": EmployeeCategory.PNS, "nip": "198001012005011001", "grade": "XI"},
        {"category": EmployeeCategory.TKD, "nip": None, "nik": "12345"},
    ],
    ids=["pns-no-nip", "pppk-no-nip", "non-asn-no-id", "non-asn-with-nip", "nip-17",
         "nip-scientific", "pns-with-pppk-grade", "nik-5-digits"],
)
def test_database_constraints_refuse_inconsistent_identity(unit_a, fields):
    data = {"name": "X", "position": "Staf", "agency": unit_a, "nik": None}
    data.update(fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Employee.objects.create(**data)


@pytest.mark.django_db
def test_nip_is_unique_when_present(unit_a):
    first = factories.employee(unit_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Employee.objects.create(name="Y", category=EmployeeCategory.PNS, nip=first.nip,
                                position="Staf", agency=unit_a)


@pytest.mark.django_db
def test_many_non_asn_without_nip_coexist(unit_a):
    for number in ("K-1", "K-2"):
        Employee.objects.create(name="Z", category=EmployeeCategory.CONTRACT, staff_number=number,
                                position="Sopir", agency=unit_a)
    assert Employee.objects.filter(nip__isnull=True).count() == 2


@pytest.mark.django_db
def test_heads_come_first_in_signing_order(unit_a):
    staff = factories.employee(unit_a, name="Aaron Staf")
    echelon_iv = factories.employee(unit_a, name="Budi Kasi", echelon=4)
    head = factories.employee(unit_a, name="Zainal Kepala", echelon=2)
    unit_a.head = head
    unit_a.save()
    assert list(Employee.objects.in_signing_order()) == [head, echelon_iv, staff]

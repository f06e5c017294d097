"""The neutrality-pledge report for BKN (XLSX): totals by category and unit, non-signers."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from signings.models import (
    AbsenceReason,
    AttendanceStatus,
    AuditEntry,
    EmployeeCategory,
)
from signings.services import attendance
from signings.services.context import AuditContext
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def held_event(agency_a, unit_a, template_version, hr_a):
    signer = factories.employee(unit_a, name="Budi Santoso")
    sick = factories.employee(unit_a, name="Siti Aminah")
    missing = factories.employee(unit_a, name="=Rahmat", category=EmployeeCategory.PPPK)
    event = factories.event(agency_a, officer=hr_a, template_version=template_version,
                            expected=[signer, sick, missing])
    factories.signature(event, signer, officer=hr_a)
    attendance.record_outcome(
        event=event, employee=sick,
        outcome=attendance.OutcomeNote(status=AttendanceStatus.ABSENT,
                                       reason=AbsenceReason.SICK),
        context=AuditContext.for_user(hr_a))
    return event


def download(client, event):
    response = client.get(reverse("audit:event_bkn_xlsx", kwargs={"pk": event.pk}))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def test_report_has_totals_by_category_and_unit_and_non_signers(officer, held_event, unit_a):
    book = download(officer, held_event)
    categories = [row for row in book["Kategori"].iter_rows(min_row=3, values_only=True)]
    assert ("PNS", 2, 1, 1, 0) in categories
    assert ("PPPK", 1, 0, 0, 1) in categories
    assert categories[-1] == ("Jumlah", 3, 1, 1, 1)
    units = [row for row in book["Unit"].iter_rows(min_row=2, values_only=True)]
    assert any(row[0].strip() == unit_a.name and row[1:5] == (3, 1, 1, 1) for row in units)
    people = {row[0]: row for row in book["Belum tanda tangan"].iter_rows(min_row=2,
                                                                           values_only=True)}
    assert "Budi Santoso" not in " ".join(people)
    sick = next(row for name, row in people.items() if "Siti Aminah" in name)
    assert sick[4] == "Tidak hadir" and sick[5] == "Sakit"
    missing = next(row for name, row in people.items() if "Rahmat" in name)
    assert missing[0].startswith("'")  # never a formula
    assert missing[4] == "Belum tanda tangan"
    assert AuditEntry.objects.filter(action="audit.download.bkn_report_xlsx").count() == 1


def test_auditor_downloads_the_report(client, auditor_a, held_event):
    client.force_login(auditor_a)
    download(client, held_event)


def test_officer_of_other_agency_gets_404(client, hr_b, held_event):
    client.force_login(hr_b)
    response = client.get(reverse("audit:event_bkn_xlsx", kwargs={"pk": held_event.pk}))
    assert response.status_code == 404


def test_query_count_does_not_grow_with_the_event(officer, agency_a, unit_a, template_version,
                                                  hr_a, django_assert_max_num_queries):
    people = [factories.employee(unit_a) for _ in range(30)]
    event = factories.event(agency_a, officer=hr_a, template_version=template_version,
                            expected=people)
    with django_assert_max_num_queries(20):
        book = download(officer, event)
    assert book["Belum tanda tangan"].max_row == 31


def test_a_name_stored_with_a_control_character_does_not_break_the_download(
        officer, agency_a, unit_a, template_version, hr_a):
    person = factories.employee(unit_a, name="Ani")
    # As a name stored before the text checks existed: straight to the row, past every check.
    type(person).objects.filter(pk=person.pk).update(name="Ani\x07 Lestari")
    event = factories.event(agency_a, officer=hr_a, template_version=template_version,
                            expected=[person])
    book = download(officer, event)
    names = [row[0] for row in book["Belum tanda tangan"].iter_rows(min_row=2, values_only=True)]
    assert names == ["Ani\ufffd Lestari"]

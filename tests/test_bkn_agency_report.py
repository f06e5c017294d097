"""The BKN report of an agency over the events of a period or an election: an employee counts
once (signed at the apel or its follow-up is signed), XLSX and sealed PDF agree."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from signings.models import (
    AbsenceReason,
    AttendanceStatus,
    AuditEntry,
    BknReportJob,
    EventStatus,
)
from signings.pdf import seal
from signings.readmodels import bkn_report
from signings.services import attendance, bkn_reports, events
from signings.services.context import AuditContext
from tests import factories
from tests.pdf_helpers import pdf_text
from tests.test_bkn_report_pdf import build_job, counts_line, fetch_job, non_signer_row

pytestmark = pytest.mark.django_db

JAN = datetime.date(2024, 1, 17)


def absent(event, employee, officer, reason, note=""):
    attendance.record_outcome(
        event=event, employee=employee,
        outcome=attendance.OutcomeNote(status=AttendanceStatus.ABSENT, reason=reason, note=note),
        context=AuditContext.for_user(officer))


@pytest.fixture
def apel_and_follow_up(agency_a, unit_a, template_version, hr_a):
    """Four people at the apel: one signs; one is sick and signs at the follow-up; one is on
    leave, then on duty travel at the follow-up; one never comes."""
    signer, late, away, never = (factories.employee(unit_a, name=name) for name in (
        "Budi Santoso", "Siti Aminah", "Agus Salim", "Rina Wati"))
    apel = factories.event(agency_a, officer=hr_a, template_version=template_version,
                           expected=[signer, late, away, never], date=JAN)
    factories.signature(apel, signer, officer=hr_a)
    absent(apel, late, hr_a, AbsenceReason.SICK)
    absent(apel, away, hr_a, AbsenceReason.LEAVE)
    follow_up = events.create_follow_up_event(
        event=apel, date=JAN + datetime.timedelta(days=7), context=AuditContext.for_user(hr_a))
    follow_up = events.open_event(event=follow_up, context=AuditContext.for_user(hr_a))
    factories.signature(follow_up, late, officer=hr_a)
    absent(follow_up, away, hr_a, AbsenceReason.DUTY_TRAVEL, note="Ke Jakarta")
    return apel, follow_up


def agency_pdf(client, agency, **params) -> bytes:
    url = reverse("audit:agency_bkn_pdf", kwargs={"pk": agency.pk})
    return fetch_job(client, build_job(client, url, params))


def download(client, name, agency, **params):
    response = client.get(reverse(name, kwargs={"pk": agency.pk}), params)
    assert response.status_code == 200, response.content[:400]
    return response.content


def test_each_employee_counts_once_over_the_apel_and_its_follow_up(apel_and_follow_up,
                                                                   agency_a):
    report = bkn_report.agency_report(agency_a, list(apel_and_follow_up))
    total = report.total
    assert (total.expected, total.signed, total.absent, total.missing) == (4, 2, 1, 1)
    people = {p.name: p for p in report.non_signers}
    assert set(people) == {"Agus Salim", "Rina Wati"}
    # The latest absence gives the reason, and names its event.
    assert people["Agus Salim"].reason == "Dinas luar" and people["Agus Salim"].note == "Ke Jakarta"
    assert people["Agus Salim"].event.endswith("(susulan)")
    assert people["Rina Wati"].tally == "Belum tanda tangan" and people["Rina Wati"].reason == ""


def test_one_event_report_is_the_events_own_tally(apel_and_follow_up):
    apel, follow_up = apel_and_follow_up
    for event in (apel, follow_up):
        total = bkn_report.bkn_report(event).total
        assert [total.expected, total.signed, total.absent, total.missing] == [
            event.expected.tally()[t] for t in ("expected", "signed", "absent", "missing")]


def test_agency_xlsx_and_pdf_print_the_same_totals(officer, apel_and_follow_up, agency_a):
    book = load_workbook(io.BytesIO(download(officer, "audit:agency_bkn_xlsx", agency_a)))
    rows = {row[0]: list(row[1:5]) for row in book["Kategori"].iter_rows(min_row=3,
                                                                         values_only=True)}
    assert rows["Jumlah"] == [4, 2, 1, 1]
    assert [r[1] for r in book["Acara"].iter_rows(min_row=2, values_only=True)] == [
        event.title for event in apel_and_follow_up]
    data = agency_pdf(officer, agency_a)
    assert seal.check_seal(data).valid
    text = pdf_text(data)
    assert counts_line(text, "Jumlah")[:4] == [4, 2, 1, 1]
    assert "Jumlah acara : 2" in text
    assert non_signer_row(data, "Agus Salim")[4] == "Tidak hadir"
    actions = list(AuditEntry.objects.filter(action__startswith="audit.download.bkn_report")
                   .values_list("action", "details__expected"))
    assert actions == [("audit.download.bkn_report_xlsx", 4),
                       ("audit.download.bkn_report_pdf", 4)]
    ready = AuditEntry.objects.get(action="audit.bkn_report.ready")
    assert ready.details["events"] == [event.pk for event in apel_and_follow_up]


def test_period_and_election_choose_the_events(officer, apel_and_follow_up, agency_a, unit_a,
                                               hr_a):
    other_election = factories.template_version(agency_a, name="Pilkada",
                                                election="Pilkada 2024")
    factories.event(agency_a, officer=hr_a, template_version=other_election,
                    expected=[factories.employee(unit_a)], date=datetime.date(2024, 11, 1))
    factories.event(agency_a, officer=hr_a, status=EventStatus.DRAFT,
                    expected=[factories.employee(unit_a)], date=JAN)

    def totals(**params):
        book = load_workbook(io.BytesIO(download(officer, "audit:agency_bkn_xlsx", agency_a,
                                                 **params)))
        return list(book["Kategori"]["B"][-1:])[0].value, book["Acara"].max_row - 1

    assert totals() == (5, 3)  # the draft is not held yet
    assert totals(pemilihan="Pilkada 2024") == (1, 1)
    assert totals(pemilihan="Pemilu 2024") == (4, 2)
    # Only the apel's date: the follow-up's signature does not count.
    assert totals(dari="2024-01-01", sampai="2024-01-20") == (4, 1)
    # The PDF job keeps the period it was asked for.
    text = pdf_text(agency_pdf(officer, agency_a, dari="2024-01-01", sampai="2024-01-20"))
    assert "Periode : 1 Januari 2024 s.d. 20 Januari 2024" in text
    assert counts_line(text, "Jumlah")[:4] == [4, 1, 2, 1]


def test_a_reversed_period_is_refused_in_indonesian_and_logs_nothing(officer, agency_a):
    reversed_period = {"dari": "2024-12-31", "sampai": "2024-01-01"}
    for name in ("audit:agency_bkn", "audit:agency_bkn_pdf", "audit:agency_bkn_xlsx"):
        url = reverse(name, kwargs={"pk": agency_a.pk})
        response = (officer.post(url, reversed_period) if name.endswith("_pdf")
                    else officer.get(url, reversed_period))
        assert response.status_code == 400
        assert "Tanggal awal harus sama dengan atau sebelum tanggal akhir." in \
            response.content.decode()
    response = officer.get(reverse("audit:agency_bkn", kwargs={"pk": agency_a.pk}),
                           {"dari": "kemarin", "pemilihan": "<script>"})
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(action__startswith="audit.download.bkn").exists()
    assert not BknReportJob.objects.exists()


def test_the_page_shows_totals_and_links_for_auditors(client, auditor_a, apel_and_follow_up,
                                                      agency_a):
    client.force_login(auditor_a)
    page = client.get(reverse("audit:agency_bkn", kwargs={"pk": agency_a.pk}),
                      {"pemilihan": "Pemilu 2024"}).content.decode()
    assert reverse("audit:agency_bkn_pdf", kwargs={"pk": agency_a.pk}) in page
    assert 'name="pemilihan" value="Pemilu 2024"' in page
    assert "pemilihan=Pemilu+2024" in page and "Agus Salim" in page
    listing = client.get(reverse("audit:event_list")).content.decode()
    assert reverse("audit:agency_bkn", kwargs={"pk": agency_a.pk}) in listing


def test_another_agencys_officer_gets_404(client, hr_b, agency_a):
    client.force_login(hr_b)
    for name in ("audit:agency_bkn", "audit:agency_bkn_xlsx"):
        assert client.get(reverse(name, kwargs={"pk": agency_a.pk})).status_code == 404
    assert client.post(reverse("audit:agency_bkn_pdf",
                               kwargs={"pk": agency_a.pk})).status_code == 404


def test_query_count_does_not_grow_with_employees_or_events(
        officer, agency_a, unit_a, template_version, hr_a, django_assert_max_num_queries):
    def add_events(count, size):
        for _ in range(count):
            people = [factories.employee(unit_a) for _ in range(size)]
            event = factories.event(agency_a, officer=hr_a, template_version=template_version,
                                    expected=people)
            absent(event, people[0], hr_a, AbsenceReason.SICK)

    def job():
        officer.post(reverse("audit:agency_bkn_pdf", kwargs={"pk": agency_a.pk}))
        return BknReportJob.objects.latest("pk")

    context = AuditContext.system("test")
    add_events(1, 2)
    bkn_reports.build_report(job_id=job().pk, context=context)  # registers the seal
    small_job = job()
    with django_assert_max_num_queries(30) as captured:
        bkn_reports.build_report(job_id=small_job.pk, context=context)
    build_queries = len(captured.captured_queries)
    with django_assert_max_num_queries(30) as captured:
        download(officer, "audit:agency_bkn", agency_a)
    page_queries = len(captured.captured_queries)
    add_events(3, 15)
    large_job = job()
    with django_assert_max_num_queries(build_queries):
        bkn_reports.build_report(job_id=large_job.pk, context=context)
    with django_assert_max_num_queries(page_queries):
        download(officer, "audit:agency_bkn", agency_a)
    data = fetch_job(officer, BknReportJob.objects.get(pk=large_job.pk))
    assert "Pegawai yang belum menandatangani (47)" in " ".join(pdf_text(data).split())

"""The sealed PDF of the BKN report: the XLSX's numbers, the non-signers with their reasons,
escaped names, a seal that verifies, Indonesian whatever the reader's language."""

import hashlib
import io
import re

import pdfplumber
import pytest
from django.urls import resolve, reverse
from django.utils import translation
from openpyxl import load_workbook

from signings.models import (
    AbsenceReason,
    AttendanceStatus,
    AuditEntry,
    BknReportJob,
    EmployeeCategory,
    ExpectedSigner,
    ReportStatus,
)
from signings.pdf import seal
from signings.readmodels import compliance
from signings.services import attendance, bkn_reports
from signings.services.context import AuditContext
from tests import factories
from tests.pdf_helpers import pdf_text

pytestmark = pytest.mark.django_db

HOSTILE = '<b>Rahmat</b> & "Sons" <script>x</script>'


@pytest.fixture
def held_event(agency_a, unit_a, template_version, hr_a):
    signer = factories.employee(unit_a, name="Budi Santoso")
    sick = factories.employee(unit_a, name="Siti Aminah")
    missing = factories.employee(unit_a, name=HOSTILE, category=EmployeeCategory.PPPK)
    contract = factories.employee(agency_a, name="Dewi Lestari",
                                  category=EmployeeCategory.CONTRACT)
    event = factories.event(agency_a, officer=hr_a, template_version=template_version,
                            expected=[signer, sick, missing, contract])
    factories.signature(event, signer, officer=hr_a)
    context = AuditContext.for_user(hr_a)
    attendance.record_outcome(
        event=event, employee=sick,
        outcome=attendance.OutcomeNote(status=AttendanceStatus.ABSENT,
                                       reason=AbsenceReason.DUTY_TRAVEL,
                                       note="Rapat di <Palangka Raya>"),
        context=context)
    attendance.record_outcome(
        event=event, employee=contract,
        outcome=attendance.OutcomeNote(status=AttendanceStatus.SIGN_LATER), context=context)
    return event


def get(client, name, pk, **params):
    response = client.get(reverse(name, kwargs={"pk": pk}), params)
    assert response.status_code == 200, response.content[:500]
    return response.content


def build_job(client, url: str, data: dict | None = None, *, language: str = "id"):
    """Ask for the sealed PDF as the page's button does, and run the task's work."""
    response = client.post(url, data or {})
    assert response.status_code == 302, response.content[:500]
    job_id = resolve(response.url).kwargs["pk"]
    # The worker has no reader: whatever language it runs in, the report is Indonesian.
    with translation.override(language):
        job = bkn_reports.build_report(job_id=job_id, context=AuditContext.system("test"))
    assert job.status == ReportStatus.READY
    return job


def fetch_job(client, job) -> bytes:
    page = client.get(reverse("audit:bkn_job_detail", kwargs={"pk": job.pk})).content.decode()
    download = reverse("audit:bkn_job_download", kwargs={"pk": job.pk})
    assert download in page
    response = client.get(download)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def event_pdf(client, event, *, language: str = "id") -> bytes:
    url = reverse("audit:event_bkn_pdf", kwargs={"pk": event.pk})
    return fetch_job(client, build_job(client, url, language=language))


def flat(text: str) -> str:
    return " ".join(text.split())


def table_rows(data: bytes) -> list[list[str]]:
    """Every row of every table, each cell's wrapped lines joined (cells can break words)."""
    rows = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                rows += [[(cell or "").replace("\n", " ") for cell in row] for row in table]
    return rows


def non_signer_row(data: bytes, name_start: str) -> list[str]:
    return next(row for row in table_rows(data) if row[1].startswith(name_start))


def counts_line(text: str, label: str) -> list[int]:
    """The numbers printed after a row label in a table of the report."""
    match = re.search(rf"^{re.escape(label)} ((?:\d+ ?)+)", text, re.MULTILINE)
    assert match, f"no row {label!r}"
    return [int(n) for n in match.group(1).split()]


def test_pdf_totals_equal_the_xlsx_and_the_database(officer, held_event, agency_a):
    text = pdf_text(event_pdf(officer, held_event))
    book = load_workbook(io.BytesIO(get(officer, "audit:event_bkn_xlsx", held_event.pk)))
    xlsx = {row[0]: list(row[1:5])
            for row in book["Kategori"].iter_rows(min_row=3, values_only=True)}
    database = ExpectedSigner.objects.filter(event=held_event).tally()
    tally = compliance.totals(compliance.compliance_rows(agency_a, held_event), agency_a)
    expected = [database[t] for t in ("expected", "signed", "absent", "missing")]
    assert expected == [4, 1, 1, 2]
    assert [tally.expected, tally.signed, tally.absent, tally.missing] == expected
    assert xlsx["Jumlah"] == expected
    assert counts_line(text, "Jumlah")[:4] == expected
    for label in ("PNS", "PPPK", "Tenaga kontrak"):
        assert counts_line(text, label) == xlsx[label]
    assert counts_line(text, "ASN (PNS dan PPPK)") == [3, 1, 1, 1]
    assert counts_line(text, "Non-ASN") == [1, 0, 0, 1]


def test_pdf_is_a_letter_to_bkn_listing_non_signers_and_reasons(officer, held_event, agency_a,
                                                                 hr_a):
    data = event_pdf(officer, held_event)
    text = flat(pdf_text(data))
    assert "LAPORAN IKRAR NETRALITAS ASN" in text
    assert "Kepala Badan Kepegawaian Negara (BKN)" in text
    assert agency_a.name in text and held_event.title in text
    sick = non_signer_row(data, "Siti Aminah")
    assert sick[4:] == ["Tidak hadir", "Dinas luar — Rapat di <Palangka Raya>"]
    later = non_signer_row(data, "Dewi Lestari")
    assert later[3:] == ["Tenaga kontrak", "Belum tanda tangan", "Menandatangani kemudian"]
    assert "Budi Santoso" not in text.split("Pegawai yang belum menandatangani")[1]
    assert f"{agency_a.city}, " in text and "Petugas penanggung jawab" in text
    assert (hr_a.get_full_name() or hr_a.get_username()) in text
    assert re.search(r"Halaman 1 dari \d+", text)


def test_hostile_names_are_printed_as_text(officer, held_event):
    data = event_pdf(officer, held_event)
    row = non_signer_row(data, "<b>Rahmat")
    # The tags are letters on the page, not markup (wrapped lines join with a space).
    assert row[1].replace(" ", "").startswith(HOSTILE.replace(" ", ""))


def test_seal_verifies_and_the_download_is_logged_with_its_hash(officer, held_event):
    data = event_pdf(officer, held_event)
    assert seal.check_seal(data).valid
    tampered = bytearray(data)
    tampered[len(data) // 3] ^= 0x01
    assert not seal.check_seal(bytes(tampered)).valid
    ready = AuditEntry.objects.get(action="audit.bkn_report.ready")
    assert ready.details["expected"] == 4 and ready.details["non_signers"] == 3
    assert ready.details["sha256"] == hashlib.sha256(data).hexdigest()
    download = AuditEntry.objects.get(action="audit.download.bkn_report_pdf")
    assert download.details["sha256"] == ready.details["sha256"]
    assert AuditEntry.objects.filter(action="audit.bkn_report.requested").count() == 1


def test_an_english_session_gets_an_indonesian_report(officer, held_event):
    officer.post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = flat(pdf_text(event_pdf(officer, held_event, language="en")))
    assert "Tidak hadir" in text and "Belum tanda tangan" in text and "Dinas luar" in text
    assert "Absent" not in text and "Duty travel" not in text
    book = load_workbook(io.BytesIO(get(officer, "audit:event_bkn_xlsx", held_event.pk)))
    assert [c.value for c in book["Kategori"][2]][1:] == [
        "Diharapkan", "Sudah tanda tangan", "Tidak hadir", "Belum tanda tangan"]


def test_auditor_downloads_and_another_agency_gets_404(client, auditor_a, hr_b, held_event):
    client.force_login(auditor_a)
    job = build_job(client, reverse("audit:event_bkn_pdf", kwargs={"pk": held_event.pk}))
    fetch_job(client, job)
    client.force_login(hr_b)
    assert client.post(reverse("audit:event_bkn_pdf",
                               kwargs={"pk": held_event.pk})).status_code == 404
    for name in ("audit:bkn_job_detail", "audit:bkn_job_download"):
        assert client.get(reverse(name, kwargs={"pk": job.pk})).status_code == 404


def test_the_job_page_waits_until_the_pdf_is_ready(officer, held_event):
    response = officer.post(reverse("audit:event_bkn_pdf", kwargs={"pk": held_event.pk}))
    job = BknReportJob.objects.get()
    assert job.status == ReportStatus.QUEUED
    page = officer.get(response.url).content.decode()
    assert 'hx-trigger="every 2s"' in page and "bkn-job-download" not in page
    download = reverse("audit:bkn_job_download", kwargs={"pk": job.pk})
    assert officer.get(download).status_code == 404
    assert officer.get(reverse("audit:event_bkn_pdf",
                               kwargs={"pk": held_event.pk})).status_code == 405


def test_query_count_does_not_grow_with_the_event(officer, agency_a, unit_a, template_version,
                                                  hr_a, django_assert_max_num_queries):
    def job_for(size):
        people = [factories.employee(unit_a) for _ in range(size)]
        event = factories.event(agency_a, officer=hr_a, template_version=template_version,
                                expected=people, title=f"Apel {size}")
        officer.post(reverse("audit:event_bkn_pdf", kwargs={"pk": event.pk}))
        return BknReportJob.objects.get(event=event)

    small, large = job_for(3), job_for(40)
    context = AuditContext.system("test")
    bkn_reports.build_report(job_id=job_for(1).pk, context=context)  # registers the seal
    with django_assert_max_num_queries(25) as small_queries:
        bkn_reports.build_report(job_id=small.pk, context=context)
    with django_assert_max_num_queries(len(small_queries.captured_queries)):
        bkn_reports.build_report(job_id=large.pk, context=context)
    text = pdf_text(fetch_job(officer, BknReportJob.objects.get(pk=large.pk)))
    assert "Pegawai yang belum menandatangani (40)" in flat(text)


def test_a_failed_build_is_marked_and_logged_and_offers_no_download(officer, held_event,
                                                                    monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("font missing")

    monkeypatch.setattr(bkn_reports.bkn_pdf, "render_bkn_report", broken)
    officer.post(reverse("audit:event_bkn_pdf", kwargs={"pk": held_event.pk}))
    job = BknReportJob.objects.get()
    with pytest.raises(RuntimeError):
        bkn_reports.build_report(job_id=job.pk, context=AuditContext.system("test"))
    job.refresh_from_db()
    assert job.status == ReportStatus.FAILED and "font missing" in job.error
    assert AuditEntry.objects.filter(action="audit.bkn_report.failed").count() == 1
    page = officer.get(reverse("audit:bkn_job_detail", kwargs={"pk": job.pk})).content.decode()
    assert "Pembuatan laporan gagal" in page and "every 2s" not in page
    # A task run twice builds nothing twice.
    assert bkn_reports.build_report(job_id=job.pk,
                                    context=AuditContext.system("test")).status == "failed"


@pytest.mark.django_db(transaction=True)
def test_the_button_starts_the_worker_and_the_page_offers_the_sealed_file(
        task_queue, held_event, auditor_a, client):
    client.force_login(auditor_a)
    response = client.post(reverse("audit:event_bkn_pdf", kwargs={"pk": held_event.pk}))
    job = BknReportJob.objects.get()
    assert response.url == reverse("audit:bkn_job_detail", kwargs={"pk": job.pk})
    task_queue.drain()  # the worker, on either backend
    page = client.get(response.url, headers={"HX-Request": "true"})
    assert b'id="bkn-job"' in page.content and b"<html" not in page.content
    download = client.get(reverse("audit:bkn_job_download", kwargs={"pk": job.pk}))
    data = b"".join(download.streaming_content)
    assert seal.check_seal(data).valid
    assert "Siti Aminah" in pdf_text(data)

"""The sealed PDF of the BKN report: the XLSX's numbers, the non-signers with their reasons,
escaped names, a seal that verifies, Indonesian whatever the reader's language."""

import io
import re

import pdfplumber
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from signings.models import (
    AbsenceReason,
    AttendanceStatus,
    AuditEntry,
    EmployeeCategory,
    ExpectedSigner,
)
from signings.pdf import seal
from signings.readmodels import compliance
from signings.services import attendance
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
    text = pdf_text(get(officer, "audit:event_bkn_pdf", held_event.pk))
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
    data = get(officer, "audit:event_bkn_pdf", held_event.pk)
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
    data = get(officer, "audit:event_bkn_pdf", held_event.pk)
    row = non_signer_row(data, "<b>Rahmat")
    # The tags are letters on the page, not markup (wrapped lines join with a space).
    assert row[1].replace(" ", "").startswith(HOSTILE.replace(" ", ""))


def test_seal_verifies_and_the_download_is_logged_with_its_hash(officer, held_event):
    data = get(officer, "audit:event_bkn_pdf", held_event.pk)
    assert seal.check_seal(data).valid
    tampered = bytearray(data)
    tampered[len(data) // 3] ^= 0x01
    assert not seal.check_seal(bytes(tampered)).valid
    entry = AuditEntry.objects.get(action="audit.download.bkn_report_pdf")
    assert entry.details["expected"] == 4 and entry.details["non_signers"] == 3
    import hashlib

    assert entry.details["sha256"] == hashlib.sha256(data).hexdigest()


def test_an_english_session_gets_an_indonesian_report(officer, held_event):
    officer.post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = flat(pdf_text(get(officer, "audit:event_bkn_pdf", held_event.pk)))
    assert "Tidak hadir" in text and "Belum tanda tangan" in text and "Dinas luar" in text
    assert "Absent" not in text and "Duty travel" not in text
    book = load_workbook(io.BytesIO(get(officer, "audit:event_bkn_xlsx", held_event.pk)))
    assert [c.value for c in book["Kategori"][2]][1:] == [
        "Diharapkan", "Sudah tanda tangan", "Tidak hadir", "Belum tanda tangan"]


def test_auditor_downloads_and_another_agency_gets_404(client, auditor_a, hr_b, held_event):
    client.force_login(auditor_a)
    get(client, "audit:event_bkn_pdf", held_event.pk)
    client.force_login(hr_b)
    response = client.get(reverse("audit:event_bkn_pdf", kwargs={"pk": held_event.pk}))
    assert response.status_code == 404


def test_query_count_does_not_grow_with_the_event(officer, agency_a, unit_a, template_version,
                                                  hr_a, django_assert_max_num_queries):
    def event_of(size):
        people = [factories.employee(unit_a) for _ in range(size)]
        return factories.event(agency_a, officer=hr_a, template_version=template_version,
                               expected=people, title=f"Apel {size}")

    small, large = event_of(3), event_of(40)
    with django_assert_max_num_queries(40) as small_queries:
        get(officer, "audit:event_bkn_pdf", small.pk)
    with django_assert_max_num_queries(len(small_queries.captured_queries)):
        text = pdf_text(get(officer, "audit:event_bkn_pdf", large.pk))
    assert "Pegawai yang belum menandatangani (40)" in flat(text)

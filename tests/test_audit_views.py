"""The auditor's read-only pages and downloads."""

import io

import pdfplumber
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from signings.models import (
    AbsenceReason,
    Agency,
    AgencyKind,
    AttendanceStatus,
    AuditEntry,
    Echelon,
    EventStatus,
)
from signings.services import attendance, events, pacts
from signings.services.context import AuditContext
from tests import factories
from tests.pdf_helpers import pdf_text

pytestmark = pytest.mark.django_db


def grow(event, unit, officer, *, signed: int, absent: int, missing: int):
    people = [factories.employee(unit) for _ in range(signed + absent + missing)]
    events.set_expected(event=event, add=people, context=AuditContext.for_user(officer))
    for person in people[:signed]:
        factories.signature(event, person, officer=officer)
    for person in people[signed:signed + absent]:
        attendance.record_outcome(
            event=event, employee=person,
            outcome=attendance.OutcomeNote(
                status=AttendanceStatus.ABSENT,
                reason=AbsenceReason.SICK,
            ),
            context=AuditContext.for_user(officer),
        )
    return people


@pytest.fixture
def auditor_client(client, auditor_a):
    client.force_login(auditor_a)
    return client


def test_event_list_shows_totals(auditor_client, open_event, unit_a, hr_a):
    grow(open_event, unit_a, hr_a, signed=2, absent=1, missing=1)
    page = auditor_client.get(reverse("audit:event_list")).content.decode()
    assert open_event.title in page
    # 3 from the fixture + 4 grown: expected 7, signed 2, absent 1, missing 4.
    cells = [c.strip() for c in page.split('<td class="text-end">')[1:5]]
    assert [c.split("<")[0] for c in cells] == ["7", "2", "1", "4"]


def test_event_list_of_other_agency_is_not_shown(client, hr_b, open_event):
    client.force_login(hr_b)
    assert open_event.title not in client.get(reverse("audit:event_list")).content.decode()


def _count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["event_list", "event_detail", "compliance"])
def test_query_counts_stay_constant_as_data_grows(auditor_client, open_event, unit_a, hr_a,
                                                  name, django_assert_max_num_queries):
    args = {"event_list": [], "event_detail": [open_event.pk],
            "compliance": [open_event.agency.pk]}[name]
    url = reverse(f"audit:{name}", args=args)
    grow(open_event, unit_a, hr_a, signed=2, absent=1, missing=1)
    small = _count_queries(auditor_client, url)
    grow(open_event, unit_a, hr_a, signed=15, absent=6, missing=9)
    second_unit = Agency.objects.create(code="A-DISDIK", name="Dinas Pendidikan A",
                                        kind=AgencyKind.DEPARTMENT, city="Sampit",
                                        parent=open_event.agency)
    grow(open_event, second_unit, hr_a, signed=4, absent=2, missing=3)
    with django_assert_max_num_queries(small):
        assert auditor_client.get(url).status_code == 200
    assert small <= 12


def test_event_detail_lists_signed_absent_with_reason_and_missing(auditor_client, open_event,
                                                                  unit_a, hr_a):
    people = grow(open_event, unit_a, hr_a, signed=1, absent=1, missing=1)
    page = auditor_client.get(reverse("audit:event_detail", args=[open_event.pk])).content.decode()
    assert people[0].display_name in page and "Layar petugas" in page
    assert people[1].display_name in page and "Sakit" in page
    assert people[2].display_name in page
    assert people[0].nip not in page  # masked on screen


def test_signature_pdf_download_is_logged_and_rerenders_a_missing_file(
        auditor_client, auditor_a, open_event, hr_a):
    signature = factories.signature(open_event, open_event.expected.first().employee, officer=hr_a)
    url = reverse("audit:signature_pdf", args=[signature.pk])
    response = auditor_client.get(url)  # never rendered yet: rendered on demand
    data = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert data.startswith(b"%PDF")
    assert signature.employee.display_name in pdf_text(data)
    entry = AuditEntry.objects.get(action="audit.download.signature_pdf")
    assert entry.actor == auditor_a and entry.object_id == str(signature.pk)
    assert entry.ip_address == "127.0.0.1"


def test_other_agency_gets_404_for_the_pdf(client, hr_b, open_event, hr_a):
    signature = factories.signature(open_event, open_event.expected.first().employee, officer=hr_a)
    client.force_login(hr_b)
    assert client.get(reverse("audit:signature_pdf", args=[signature.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action__startswith="audit.download").exists()


def test_recap_lists_signatories_in_signing_order_with_absences_and_witnesses(
        auditor_client, agency_a, unit_a, template_version, hr_a):
    staff = factories.employee(unit_a, name="Staf Pelaksana")
    echelon4 = factories.employee(unit_a, name="Kasi Empat", echelon=Echelon.IV)
    echelon3 = factories.employee(unit_a, name="Kabid Tiga", echelon=Echelon.III)
    head = factories.employee(unit_a, name="Kepala Dinas", echelon=Echelon.II)
    echelon2 = factories.employee(unit_a, name="Asisten Dua", echelon=Echelon.II)
    sick = factories.employee(unit_a, name="Pegawai Sakit")
    unit_a.head = head
    unit_a.save(update_fields=["head"])
    event = factories.event(agency_a, officer=hr_a, template_version=template_version,
                            title="Apel Besar", venue="Halaman",
                            witnesses=["Ketua DPRD Kotim", "Perwakilan Bawaslu"])
    # Signed out of order on purpose.
    for person in (staff, echelon4, echelon2, echelon3, head):
        factories.signature(event, person, officer=hr_a)
    attendance.record_outcome(
        event=event,
        employee=sick,
        outcome=attendance.OutcomeNote(status=AttendanceStatus.ABSENT,
                                       reason=AbsenceReason.DUTY_TRAVEL),
        context=AuditContext.for_user(hr_a),
    )
    response = auditor_client.get(reverse("audit:event_recap", args=[event.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    order = [text.index(name) for name in
             ("Kepala Dinas", "Asisten Dua", "Kabid Tiga", "Kasi Empat", "Staf Pelaksana")]
    assert order == sorted(order)
    assert "Pegawai Sakit" in text and "Dinas luar" in text
    assert "Ketua DPRD Kotim" in text and "Perwakilan Bawaslu" in text
    # One placement per signatory (identical test drawings share one embedded image), and the
    # recap's own verification QR.
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        assert sum(len(page.images) for page in pdf.pages) == 5 + 1
    assert AuditEntry.objects.filter(action="audit.download.recap").count() == 1


def test_compliance_page_and_xlsx(auditor_client, open_event, agency_a, unit_a, hr_a):
    grow(open_event, unit_a, hr_a, signed=3, absent=1, missing=0)
    page = auditor_client.get(reverse("audit:compliance", args=[agency_a.pk])).content.decode()
    # 3 of 7, as the bar's label reads in Indonesian.
    assert "Dinas Kesehatan A" in page and ">42,9%<" in page
    response = auditor_client.get(reverse("audit:compliance_xlsx", args=[agency_a.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    unit_row = next(r for r in rows if r[0].strip() == "Dinas Kesehatan A")
    assert unit_row[1:] == (7, 3, 1, 3, 42.9)
    assert rows[-1][0] == "Jumlah"
    assert AuditEntry.objects.filter(action="audit.download.compliance_xlsx").count() == 1


def test_compliance_excel_cells_cannot_become_formulas(auditor_client, agency_a, hr_a,
                                                       template_version):
    evil = Agency.objects.create(code="EVIL", name="=HYPERLINK(\"http://x\")",
                                 kind=AgencyKind.UNIT, city="Sampit", parent=agency_a)
    person = factories.employee(evil)
    event = factories.event(agency_a, officer=hr_a, template_version=template_version,
                            status=EventStatus.DRAFT, title="Apel", venue="H", expected=[person])
    assert event.expected.count() == 1
    response = auditor_client.get(reverse("audit:compliance_xlsx", args=[agency_a.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert all(not str(name).lstrip().startswith("=") for name in names)


def test_pdf_render_on_download_is_audited_as_rerender_when_file_lost(
        auditor_client, open_event, hr_a):
    signature = pacts.render_and_store(
        signature_id=factories.signature(open_event, open_event.expected.first().employee,
                                         officer=hr_a).pk, context=AuditContext.system("test"))
    signature.pdf.storage.delete(signature.pdf.name)
    response = auditor_client.get(reverse("audit:signature_pdf", args=[signature.pk]))
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action=pacts.ACTION_RERENDERED)
    assert entry.details["same_content_as_first"] is True


def test_recap_is_rendered_once_per_state_of_the_event(auditor_client, open_event, unit_a, hr_a,
                                                        monkeypatch):
    from signings.pdf import recap

    grow(open_event, unit_a, hr_a, signed=2, absent=1, missing=0)
    renders = []
    real_render = recap.render_recap
    monkeypatch.setattr(recap, "render_recap", lambda event, **kwargs: renders.append(1) or
                        real_render(event, **kwargs))
    url = reverse("audit:event_recap", args=[open_event.pk])
    first = auditor_client.get(url).content
    second = auditor_client.get(url).content
    assert len(renders) == 1 and first == second
    # A new signature changes what the recap says, so it is rendered again and shows it.
    newcomer = factories.employee(unit_a, name="Pegawai Terlambat")
    events.set_expected(event=open_event, add=[newcomer], context=AuditContext.for_user(hr_a))
    factories.signature(open_event, newcomer, officer=hr_a)
    third = auditor_client.get(url).content
    assert len(renders) == 2
    assert "Pegawai Terlambat" in pdf_text(third)
    assert "Pegawai Terlambat" not in pdf_text(first)

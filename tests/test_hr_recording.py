"""Recording on the officer's screen: absence, signature pad, paper scan, representative,
voiding, and refusal after the event is closed."""

import base64
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfWriter

from signings.models import (
    AbsenceReason,
    AttendanceOutcome,
    AuditEntry,
    Signature,
    SignatureMethod,
)
from signings.services import events
from signings.services.context import AuditContext
from tests import factories

pytestmark = pytest.mark.django_db



def one_page_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = one_page_pdf()


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 280), "white").save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def person(open_event):
    return open_event.expected.first().employee


def url(name, event, employee=None):
    kwargs = {"pk": event.pk}
    if employee is not None:
        kwargs["employee_pk"] = employee.pk
    return reverse(name, kwargs=kwargs)


def test_mark_absent_with_reason(officer, open_event, person):
    response = officer.post(url("hr:record_absent", open_event, person),
                            {"reason": AbsenceReason.DUTY_TRAVEL})
    assert response.status_code == 302
    assert AttendanceOutcome.objects.get(employee=person).reason == AbsenceReason.DUTY_TRAVEL


def test_other_reason_needs_a_note(officer, open_event, person):
    response = officer.post(url("hr:record_absent", open_event, person),
                            {"reason": AbsenceReason.OTHER, "note": ""})
    assert response.status_code == 200
    assert "Jelaskan alasan lainnya" in response.context["form"].errors["note"][0]


def test_officer_screen_signature(officer, open_event, person, hr_a):
    response = officer.post(url("hr:record_sign", open_event, person),
                            {"signature": data_url(factories.signature_png())})
    assert response.status_code == 302
    signature = Signature.objects.get(employee=person)
    assert signature.method == SignatureMethod.OFFICER and signature.officer == hr_a
    assert signature.template_hash == open_event.template_version.content_hash
    assert signature.image


def test_sign_page_shows_the_pact_and_the_pad(officer, open_event, person):
    page = officer.get(url("hr:record_sign", open_event, person)).content.decode()
    assert "signature_pad.umd.min.js" in page and person.display_name in page
    assert "Menolak politik uang." in page


def test_blank_signature_gets_the_signing_message(officer, open_event, person):
    blank = io.BytesIO()
    Image.new("RGBA", (600, 200), (255, 255, 255, 0)).save(blank, format="PNG")
    response = officer.post(url("hr:record_sign", open_event, person),
                            {"signature": data_url(blank.getvalue())})
    assert response.status_code == 200
    assert "Tanda tangan kosong" in response.content.decode()
    assert not Signature.objects.exists()


def test_missing_or_non_png_signature_is_an_error(officer, open_event, person):
    response = officer.post(url("hr:record_sign", open_event, person), {"signature": ""})
    assert "belum dibuat" in response.content.decode()
    response = officer.post(url("hr:record_sign", open_event, person),
                            {"signature": "data:image/svg+xml;base64,PHN2Zz4="})
    assert "harus berupa gambar PNG" in response.content.decode()


def test_signing_twice_shows_already_signed(officer, open_event, person):
    officer.post(url("hr:record_sign", open_event, person),
                 {"signature": data_url(factories.signature_png())})
    response = officer.post(url("hr:record_sign", open_event, person),
                            {"signature": data_url(factories.signature_png())})
    assert "sudah menandatangani" in response.content.decode()
    assert Signature.objects.count() == 1


@pytest.mark.parametrize(("name", "content"), [("pakta.pdf", PDF), ("foto.txt", jpeg())])
def test_paper_scan_is_accepted_by_content(officer, open_event, person, name, content):
    response = officer.post(url("hr:record_paper", open_event, person),
                            {"scan": SimpleUploadedFile(name, content)})
    assert response.status_code == 302
    signature = Signature.objects.get(employee=person)
    assert signature.method == SignatureMethod.PAPER
    assert signature.paper_scan.read() == content


@pytest.mark.parametrize(("name", "content", "message"), [
    ("pakta.pdf", b"MZ\x90\x00 not a pdf", "bukan PDF, JPEG, atau PNG"),
    ("pakta.pdf", b"%PDF-1.4 truncated", "PDF rusak"),
    ("pakta.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "PDF rusak"),
    ("scan.jpg", b"\xff\xd8\xff\xe0 garbage", "rusak"),
])
def test_paper_scan_with_wrong_content_is_refused(officer, open_event, person, name, content,
                                                  message):
    response = officer.post(url("hr:record_paper", open_event, person),
                            {"scan": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in response.context["form"].errors["scan"][0]
    assert not Signature.objects.exists()


def test_paper_scan_over_the_limit_is_refused(officer, open_event, person, settings):
    settings.PAKTA_PAPER_SCAN_MAX_BYTES = 20
    response = officer.post(url("hr:record_paper", open_event, person),
                            {"scan": SimpleUploadedFile("pakta.pdf", PDF)})
    assert "terlalu besar" in response.context["form"].errors["scan"][0]


def test_representative_signature_for_a_named_group(officer, open_event, person):
    response = officer.post(url("hr:record_representative", open_event), {
        "employee": person.pk, "represented_group": "Seluruh ASN Sekretariat Daerah",
        "signature": data_url(factories.signature_png()),
    })
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.method == SignatureMethod.REPRESENTATIVE
    assert signature.represented_group == "Seluruh ASN Sekretariat Daerah"


def test_representative_must_be_expected_at_the_event(officer, open_event, agency_b):
    stranger = factories.employee(agency_b)
    response = officer.post(url("hr:record_representative", open_event), {
        "employee": stranger.pk, "represented_group": "X",
        "signature": data_url(factories.signature_png()),
    })
    assert response.status_code == 200
    assert "employee" in response.context["form"].errors
    assert not Signature.objects.exists()


def test_void_with_reason_keeps_the_signature_struck_through(officer, open_event, person):
    officer.post(url("hr:record_sign", open_event, person),
                 {"signature": data_url(factories.signature_png())})
    signature = Signature.objects.get()
    void_url = reverse("hr:signature_void", kwargs={"pk": signature.pk})
    response = officer.post(void_url, {"reason": ""})
    assert "reason" in response.context["form"].errors
    officer.post(void_url, {"reason": "Ditandatangani orang lain"})
    signature.refresh_from_db()
    assert signature.is_void and signature.void_reason == "Ditandatangani orang lain"
    detail = officer.get(url("hr:event_detail", open_event)).content.decode()
    assert "signature-voided" in detail and "Ditandatangani orang lain" in detail
    # The person may sign again.
    officer.post(url("hr:record_sign", open_event, person),
                 {"signature": data_url(factories.signature_png())})
    assert Signature.objects.valid().filter(employee=person).count() == 1


def test_after_close_recording_is_refused_until_reopened(officer, open_event, person, hr_a):
    events.close_event(event=open_event, context=AuditContext.for_user(hr_a))
    response = officer.post(url("hr:record_sign", open_event, person),
                            {"signature": data_url(factories.signature_png())})
    assert "tidak sedang dibuka" in response.content.decode()
    response = officer.post(url("hr:record_absent", open_event, person),
                            {"reason": AbsenceReason.SICK})
    assert "Acara sudah ditutup" in response.content.decode()
    response = officer.post(url("hr:record_paper", open_event, person),
                            {"scan": SimpleUploadedFile("pakta.pdf", PDF)})
    assert "tidak sedang dibuka" in response.content.decode()
    assert not Signature.objects.exists() and not AttendanceOutcome.objects.exists()
    events.reopen_event(event=open_event, reason="Susulan", context=AuditContext.for_user(hr_a))
    officer.post(url("hr:record_sign", open_event, person),
                 {"signature": data_url(factories.signature_png())})
    assert Signature.objects.count() == 1
    assert AuditEntry.objects.filter(action="signing.signature.recorded").count() == 1


def test_recording_for_someone_not_expected_is_404(officer, open_event, agency_a):
    outsider = factories.employee(agency_a)
    open_event.expected.filter(employee=outsider).delete()
    response = officer.get(url("hr:record_sign", open_event, outsider))
    assert response.status_code == 404


def test_officer_of_other_agency_cannot_record_or_void(client, hr_b, open_event, person, hr_a):
    client.force_login(hr_b)
    response = client.post(url("hr:record_sign", open_event, person),
                           {"signature": data_url(factories.signature_png())})
    assert response.status_code == 404
    assert not Signature.objects.exists()


def test_absence_recorded_by_mistake_can_be_cleared_until_closed(officer, open_event, person,
                                                                 hr_a):
    officer.post(url("hr:record_absent", open_event, person), {"reason": AbsenceReason.SICK})
    page = officer.get(url("hr:record_absent", open_event, person)).content.decode()
    assert "Hapus keterangan" in page
    officer.post(url("hr:clear_absent", open_event, person))
    assert not AttendanceOutcome.objects.exists()
    officer.post(url("hr:record_absent", open_event, person), {"reason": AbsenceReason.SICK})
    events.close_event(event=open_event, context=AuditContext.for_user(hr_a))
    response = officer.post(url("hr:clear_absent", open_event, person), follow=True)
    assert "Acara sudah ditutup" in response.content.decode()
    assert AttendanceOutcome.objects.count() == 1


def test_representative_signature_can_name_the_employees_it_covers(officer, open_event,
                                                                   person):
    others = [row.employee for row in open_event.expected.exclude(employee=person)]
    response = officer.post(url("hr:record_representative", open_event), {
        "employee": person.pk, "represented_group": "Seluruh staf Dinas Kesehatan",
        "covers": "\n".join(e.nip for e in others), "signature": data_url(
            factories.signature_png()),
    })
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert set(signature.represented_employees.all()) == set(others)
    assert AuditEntry.objects.filter(action="signing.signature.representation").exists()
    detail = officer.get(url("hr:event_detail", open_event)).content.decode()
    assert f"({len(others)} pegawai)" in detail


def test_representative_cannot_cover_someone_not_expected(officer, open_event, person,
                                                          agency_a):
    outsider = factories.employee(agency_a)
    response = officer.post(url("hr:record_representative", open_event), {
        "employee": person.pk, "represented_group": "Kelompok",
        "covers": outsider.nip, "signature": data_url(factories.signature_png()),
    })
    assert response.status_code == 200
    assert "tidak terdaftar sebagai peserta" in response.content.decode()
    assert not Signature.objects.exists()

"""The signed pact PDF: content, fonts, QR code, seal, re-rendering."""

import datetime
import hashlib
import io

import pdfplumber
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone
from pypdf import PdfReader

from signings.models import AuditEntry, SignatureMethod
from signings.pdf import dates, seal
from signings.pdf.pact import render_pact
from signings.services import pacts, seal_certificates
from signings.services.context import AuditContext
from tests import factories
from tests.pdf_helpers import (
    decode_embedded_qr_images,
    decode_qr_codes,
    paper_scan_jpeg,
    pdf_text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def signature(open_event, unit_a, hr_a):
    employee = factories.employee(unit_a, name="Siti Rahmawati", title_suffix="S.E.",
                                  position="Kepala Seksi Perencanaan", echelon=4)
    return factories.signature(open_event, employee, officer=hr_a)


def rendered(signature):
    return pacts.render_and_store(signature_id=signature.pk, context=AuditContext.system("test"))


def test_pdf_holds_signer_identity_points_and_place_date(signature):
    signature = rendered(signature)
    text = pdf_text(signature.pdf.read())
    version = signature.event.template_version
    assert "Siti Rahmawati, S.E." in text
    assert "Kepala Seksi Perencanaan" in text
    assert "Penata Muda (III/a)" in text
    assert "Dinas Kesehatan A" in text
    for point in version.points:
        assert point in text
    assert version.sanctions in text and version.closing in text
    assert version.legal_basis[0] in text
    assert "Saya yang bertanda tangan di bawah ini" in text
    nip = signature.employee.nip
    assert f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}" in text
    local_day = dates.local(signature.signed_at, "Asia/Jakarta").date()
    assert f"Sampit, {dates.indonesian_date(local_day)}" in text
    assert signature.verification_code in text
    assert version.content_hash in text.replace("\n", "")


def test_pdf_embeds_the_shipped_fonts_only(signature):
    reader = PdfReader(rendered(signature).pdf.open("rb"))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"] \
                if "/DescendantFonts" in font else font["/FontDescriptor"]
            descriptor = descriptor.get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
    assert fonts and all(name.startswith(("Pakta-Serif", "Pakta-Sans")) for name in fonts), fonts


def test_qr_code_decodes_to_the_public_verification_url(signature, settings):
    settings.PAKTA_PUBLIC_BASE_URL = "https://pakta.kotimkab.go.id"
    signature = rendered(signature)
    data = signature.pdf.read()
    expected = f"https://pakta.kotimkab.go.id/v/{signature.verification_code}/"
    assert decode_qr_codes(data) == [expected]  # the printed page, as a scanner sees it
    assert expected in decode_embedded_qr_images(data)  # the embedded image itself


def test_seal_validates_and_a_flipped_byte_breaks_it(signature):
    data = rendered(signature).pdf.read()
    assert seal.check_seal(data).valid
    for position in (len(data) // 4, len(data) // 2, len(data) - 40):
        tampered = bytearray(data)
        tampered[position] ^= 0x01
        assert not seal.check_seal(bytes(tampered)).valid


def test_first_render_creates_and_announces_a_development_seal(signature, caplog):
    seal._cache.clear()
    rendered(signature)
    assert "Pakta development seal — not for production" in caplog.text
    assert seal.is_development_seal()


def test_sha256_recorded_in_database_and_audit_log(signature):
    signature = rendered(signature)
    data = signature.pdf.read()
    assert signature.pdf_sha256 == hashlib.sha256(data).hexdigest()
    assert signature.pdf_rendered_at is not None
    entry = AuditEntry.objects.for_object(signature).get(action=pacts.ACTION_RENDERED)
    assert entry.details["sha256"] == signature.pdf_sha256


def test_rendering_twice_keeps_the_first_file(signature):
    first = rendered(signature)
    second = rendered(first)
    assert second.pdf.name == first.pdf.name and second.pdf_sha256 == first.pdf_sha256
    assert AuditEntry.objects.for_object(first).filter(
        action__startswith="signing.pdf.").count() == 1


def test_a_render_that_loses_a_race_keeps_the_winners_file_and_leaves_none_of_its_own(
        signature, monkeypatch, django_capture_on_commit_callbacks):
    """Two workers render the same pact at once (its task, and an archive or a download that
    found no file yet): each stores under a name of its own, even where "is this name taken?"
    is no lock (a bucket), and the row keeps the first one finished."""
    original = seal_certificates.seal_document
    calls = []

    def other_worker_finishes_first(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            rendered(signature)
        return original(*args, **kwargs)

    monkeypatch.setattr(seal_certificates, "seal_document", other_worker_finishes_first)
    with django_capture_on_commit_callbacks(execute=True):
        loser = rendered(signature)
    assert len(calls) == 2
    folder = loser.pdf.name.rsplit("/", 1)[0]
    assert default_storage.listdir(folder)[1] == [loser.pdf.name.rsplit("/", 1)[1]]
    with loser.pdf.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == loser.pdf_sha256
    assert list(AuditEntry.objects.for_object(signature).filter(
        action__startswith="signing.pdf.").values_list("action", flat=True)) == [
        pacts.ACTION_RENDERED]


def test_unsealed_rendering_is_deterministic(signature):
    assert render_pact(signature) == render_pact(signature)


def test_missing_file_is_rerendered_with_the_same_content(signature):
    first = rendered(signature)
    first_text = pdf_text(first.pdf.read())
    first.pdf.storage.delete(first.pdf.name)
    again = pacts.ensure_pdf(first, context=AuditContext.system("test"))
    assert again.pdf.storage.exists(again.pdf.name)
    with again.pdf.open("rb") as handle:
        data = handle.read()
    assert pdf_text(data) == first_text
    entry = AuditEntry.objects.for_object(again).get(action=pacts.ACTION_RERENDERED)
    assert entry.details["same_content_as_first"] is True
    assert seal.check_seal(data).valid


def test_date_is_the_calendar_day_in_the_agencys_time_zone(open_event, unit_a, hr_a):
    # 23:30 UTC on 16 January is already 17 January in Sampit (WIB) and in Papua (WIT).
    moment = datetime.datetime(2024, 1, 16, 23, 30, tzinfo=datetime.UTC)
    assert dates.place_and_date("Sampit", moment, "Asia/Jakarta") == "Sampit, 17 Januari 2024"
    assert dates.place_and_date("Jayapura", moment, "Asia/Jayapura") == \
        "Jayapura, 17 Januari 2024"
    earlier = datetime.datetime(2024, 8, 16, 16, 30, tzinfo=datetime.UTC)
    assert dates.place_and_date("Sampit", earlier, "Asia/Jakarta") == "Sampit, 16 Agustus 2024"
    assert [dates.indonesian_date(datetime.date(2024, m, 1)).split()[1] for m in (3, 5, 12)] \
        == ["Maret", "Mei", "Desember"]


def test_signed_date_printed_in_agency_time_zone(open_event, unit_a, hr_a):
    employee = factories.employee(unit_a)
    signature = factories.signature(open_event, employee, officer=hr_a)
    signature.signed_at = datetime.datetime(2024, 1, 16, 23, 30, tzinfo=datetime.UTC)
    signature.save(update_fields=["signed_at"])
    text = pdf_text(render_pact(signature))
    assert "Sampit, 17 Januari 2024" in text


def test_non_asn_pact_shows_masked_nik(open_event, unit_a, hr_a):
    employee = factories.employee(unit_a, category="TKD", name="Rudi Honorer")
    text = pdf_text(render_pact(factories.signature(open_event, employee, officer=hr_a)))
    assert employee.nik not in text
    assert f"NIK {employee.masked_identity}" in text


def test_representative_signature_names_the_group(open_event, unit_a, hr_a):
    employee = factories.employee(unit_a)
    signature = factories.signature(open_event, employee, officer=hr_a,
                                    method=SignatureMethod.REPRESENTATIVE,
                                    represented_group="Seluruh staf Bidang Pelayanan")
    text = pdf_text(render_pact(signature))
    assert "perwakilan dari: Seluruh staf Bidang Pelayanan" in text


def test_paper_signature_states_it_and_attaches_the_scan(open_event, unit_a, hr_a):
    employee = factories.employee(unit_a)
    signature = factories.signature(open_event, employee, officer=hr_a,
                                    method=SignatureMethod.PAPER, paper_scan=paper_scan_jpeg())
    data = render_pact(signature)
    text = pdf_text(data)
    assert "ditandatangani di atas kertas" in text
    # The pact, the scan, the evidence page; every page draws the footer's QR image.
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = [(page.extract_text(), len(page.images)) for page in pdf.pages]
    assert len(pages) == 3
    assert "pindaian pakta yang ditandatangani di atas kertas" in pages[1][0]
    assert pages[1][1] == pages[0][1] + 1 == pages[2][1] + 1
    assert "Lembar bukti penandatanganan elektronik" in pages[2][0]


def test_render_uses_settings_of_the_day(signature):
    # Guard against accidental use of wall-clock time in the document.
    assert settings.TIME_ZONE == "Asia/Jakarta"
    assert timezone.is_aware(signature.signed_at)

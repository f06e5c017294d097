"""The public verification page (QR target) and the PDF upload check."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from signings.services import pacts, signatures
from signings.services.context import AuditContext
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def signature(open_event, unit_a, hr_a):
    employee = factories.employee(unit_a, name="Budi Santoso", title_prefix="Dr.")
    signature = factories.signature(open_event, employee, officer=hr_a)
    return pacts.render_and_store(signature_id=signature.pk)


def url(signature):
    return reverse("verify:signature", args=[signature.verification_code])


def upload(client, signature, data: bytes, name="pakta.pdf"):
    return client.post(url(signature), {"document": SimpleUploadedFile(name, data)})


def test_page_shows_validity_name_agency_time_and_masked_nip_only(client, signature):
    response = client.get(url(signature))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="valid"' in page
    assert "Dr. Budi Santoso" in page and "Dinas Kesehatan A" in page
    employee = signature.employee
    assert employee.masked_identity in page
    assert employee.nip not in page
    assert employee.position not in page  # nothing personal beyond what a verifier needs
    assert signature.verification_code in page


def test_lowercase_code_from_hand_typing_still_finds_the_pact(client, signature):
    response = client.get(reverse("verify:signature", args=[signature.verification_code.lower()]))
    assert response.status_code == 200


def test_voided_pact_says_so(client, signature, hr_a):
    signatures.void_signature(
        signature=signature,
        reason="Salah orang",
        context=AuditContext.for_user(hr_a),
    )
    page = client.get(url(signature)).content.decode()
    assert 'data-status="voided"' in page and "DIBATALKAN" in page


@pytest.mark.parametrize("code", ["ZZZZZZZZZZZZ", "abc", "1234567890ab", "' OR 1=1 --",
                                  "A" * 200, "..", "-"])
def test_unknown_or_malformed_codes_get_the_same_polite_404(client, signature, code):
    response = client.get(reverse("verify:signature", args=[code]))
    assert response.status_code == 404
    assert [t.name for t in response.templates][0] == "verify/not_found.html"
    assert "Pakta tidak ditemukan" in response.content.decode()


def test_codes_are_not_sequential(open_event, unit_a, hr_a):
    codes = [factories.signature(open_event, factories.employee(unit_a),
                                 officer=hr_a).verification_code for _ in range(5)]
    assert len(set(codes)) == 5
    assert sorted(codes) != codes or sorted(codes, reverse=True) != codes


def test_uploaded_original_is_recognised(client, signature):
    page = upload(client, signature, signature.pdf.read()).content.decode()
    assert 'data-verdict="issued"' in page


def test_uploaded_altered_pdf_is_caught(client, signature):
    data = bytearray(signature.pdf.read())
    index = data.find(b"Budi")
    if index < 0:
        index = len(data) // 3
    data[index] ^= 0x20
    page = upload(client, signature, bytes(data)).content.decode()
    assert 'data-verdict="altered"' in page


def test_appended_bytes_are_caught(client, signature):
    page = upload(client, signature, signature.pdf.read() + b"\n% tambahan\n").content.decode()
    assert 'data-verdict="altered"' in page


def test_another_pact_is_named_as_such(client, signature, open_event, unit_a, hr_a):
    other = pacts.render_and_store(
        signature_id=factories.signature(open_event, factories.employee(unit_a), officer=hr_a).pk)
    page = upload(client, signature, other.pdf.read()).content.decode()
    assert 'data-verdict="other"' in page


def test_non_pdf_and_oversized_uploads_get_a_clear_error(client, signature, monkeypatch):
    response = upload(client, signature, b"GIF89a....", name="x.pdf")
    assert response.status_code == 200 and "Berkas ini bukan PDF." in response.content.decode()
    from signings.services import verification
    monkeypatch.setattr(verification, "MAX_UPLOAD_BYTES", 100)
    from signings.forms import verify as verify_forms
    monkeypatch.setattr(verify_forms, "MAX_UPLOAD_BYTES", 100)
    response = upload(client, signature, b"%PDF-" + b"0" * 200)
    assert "Berkas terlalu besar" in response.content.decode()


def test_uploads_are_rate_limited_per_address(client, signature, settings):
    from django.core.cache import cache

    from signings.views import verify
    cache.clear()
    data = signature.pdf.read()
    statuses = [upload(client, signature, data).status_code
                for _ in range(verify.UPLOADS_PER_WINDOW + 1)]
    assert statuses[:-1] == [200] * verify.UPLOADS_PER_WINDOW
    assert statuses[-1] == 429
    cache.clear()


def test_code_form_redirects_to_the_page(client, signature):
    response = client.get(reverse("verify:home"),
                          {"code": signature.verification_code.lower()})
    assert response.status_code == 302 and response.url == url(signature)


def test_an_oversized_body_is_refused_before_it_is_read(client, signature):
    from signings.services import verification

    big = b"%PDF-" + b"0" * (verification.MAX_UPLOAD_BYTES + 100 * 1024)
    response = upload(client, signature, big)
    assert response.status_code == 413
    assert "Berkas terlalu besar" in response.content.decode()

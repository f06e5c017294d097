"""The recap signed with a person's BSrE certified signature, typed on the officer console (the
signer's own device), and the passphrase kept nowhere."""

import io
import logging

import pytest
from django.db import connection
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader

from signings.models import AuditEntry, RecapCertifiedSignature
from signings.services import recap_signatures
from tests import factories

NIK = "3201010101900001"
HEAD_EMAIL = "kepala@contoh.go.id"
PASSPHRASE = "Rahasia-BSrE-7319"
HEAD_PASSPHRASE = "Kepala-BSrE-5521"


@pytest.fixture
def people_enrolled(bsre):
    bsre.enrol(nik=NIK, email="saksi@contoh.go.id", name="Saksi Apel", passphrase=PASSPHRASE)
    bsre.enrol(nik="3201010101900002", email=HEAD_EMAIL, name="Kepala Instansi Uji",
               passphrase=HEAD_PASSPHRASE, totp="654321")
    return bsre


def _url(event):
    return reverse("hr:recap_sign", args=[event.pk])


def _signatures(data: bytes):
    return PdfFileReader(io.BytesIO(data)).embedded_signatures


def _everything_stored() -> list[str]:
    """Every row of every table, as text."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT CAST(t AS text) FROM "{table}" t')  # noqa: S608 - our tables
            rows += [row[0] for row in cursor.fetchall()]
    return rows


@pytest.mark.django_db
def test_the_witness_then_the_head_sign_the_sealed_recap(people_enrolled, open_event, hr_a,
                                                         officer):
    factories.signature(open_event, open_event.expected.first().employee, officer=hr_a)
    page = officer.get(_url(open_event))
    assert page.status_code == 200 and 'type="password"' in page.content.decode()
    response = officer.post(_url(open_event), {"role": "Saksi", "identity": "nik", "who": NIK,
                                               "passphrase": PASSPHRASE})
    assert response.status_code == 302
    first = RecapCertifiedSignature.objects.get()
    assert first.signer_name == "Saksi Apel" and first.signed_by == hr_a
    response = officer.post(_url(open_event), {"role": "Kepala instansi", "identity": "email",
                                               "who": HEAD_EMAIL, "totp": "654321"})
    assert response.status_code == 302
    second = RecapCertifiedSignature.objects.exclude(pk=first.pk).get()
    data = second.file.read()
    signatures = _signatures(data)
    # The agency's seal, then the witness, then the head: each over all before it.
    assert [sig.signer_cert.subject.native["common_name"] for sig in signatures] == [
        "Segel Elektronik Instansi Uji BSrE", "Saksi Apel", "Kepala Instansi Uji"]
    assert data.startswith(first.file.open("rb").read())
    assert first.recap == second.recap
    entries = AuditEntry.objects.filter(action=recap_signatures.ACTION_SIGNED).order_by("id")
    assert [e.details["role"] for e in entries] == ["Saksi", "Kepala instansi"]
    assert entries[1].details["sha256"] == second.sha256
    listing = officer.get(_url(open_event)).content.decode()
    assert reverse("hr:recap_signed_pdf", args=[second.pk]) in listing
    download = officer.get(reverse("hr:recap_signed_pdf", args=[second.pk]))
    assert b"".join(download.streaming_content) == data


@pytest.mark.django_db
@pytest.mark.parametrize(("form", "words"), [
    ({"identity": "nik", "who": NIK, "passphrase": "Keliru-Sekali-1"},
     "Passphrase atau kode TOTP salah"),
    ({"identity": "nik", "who": "3201010101909999", "passphrase": "Keliru-Sekali-1"},
     "belum terdaftar di BSrE"),
])
def test_a_refusal_is_shown_audited_and_changes_nothing(people_enrolled, open_event, officer,
                                                        form, words):
    response = officer.post(_url(open_event), {"role": "Saksi", **form})
    assert response.status_code == 200
    page = response.content.decode()
    assert words in page and "Keliru-Sekali-1" not in page
    assert not RecapCertifiedSignature.objects.exists()
    entry = AuditEntry.objects.get(action=recap_signatures.ACTION_REFUSED)
    assert words in entry.details["error"]


@pytest.mark.django_db
def test_an_expired_certificate_is_refused_before_signing(people_enrolled, open_event, officer):
    people_enrolled.people[NIK].status = "EXPIRED"
    response = officer.post(_url(open_event), {"role": "Saksi", "identity": "nik", "who": NIK,
                                               "passphrase": PASSPHRASE})
    assert "kedaluwarsa" in response.content.decode()
    assert "/api/v2/sign/pdf" not in people_enrolled.paths()


@pytest.mark.django_db
def test_bsre_down_is_said_plainly(people_enrolled, open_event, officer):
    factories_event_recap_first = officer.get(reverse("audit:event_recap", args=[open_event.pk]))
    assert factories_event_recap_first.status_code == 200
    people_enrolled.fail_with = 503
    response = officer.post(_url(open_event), {"role": "Saksi", "identity": "nik", "who": NIK,
                                               "passphrase": PASSPHRASE})
    assert response.status_code == 200
    assert "BSrE sedang gangguan" in response.content.decode()
    assert not RecapCertifiedSignature.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("data", [
    {"identity": "nik", "who": "12345", "passphrase": "x"},
    {"identity": "email", "who": "bukan-email", "passphrase": "x"},
    {"identity": "nik", "who": NIK},
    {"identity": "nik", "who": NIK, "passphrase": "x", "totp": "123456"},
])
def test_bad_input_is_refused_before_bsre_is_asked(people_enrolled, open_event, officer, data):
    response = officer.post(_url(open_event), {"role": "Saksi", **data})
    page = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in page or "salah satu" in page
    assert people_enrolled.calls == []


@pytest.mark.django_db
def test_the_passphrase_is_never_stored_or_logged(people_enrolled, open_event, officer, caplog):
    caplog.set_level(logging.DEBUG)
    officer.post(_url(open_event), {"role": "Saksi", "identity": "nik", "who": NIK,
                                    "passphrase": "Keliru-Sekali-1"})
    officer.post(_url(open_event), {"role": "Saksi", "identity": "nik", "who": NIK,
                                    "passphrase": PASSPHRASE})
    officer.post(_url(open_event), {"role": "Kepala instansi", "identity": "email",
                                    "who": HEAD_EMAIL, "totp": "654321"})
    assert RecapCertifiedSignature.objects.count() == 2
    stored = "\n".join(_everything_stored())
    session = str(dict(officer.session.items()))
    for secret in (PASSPHRASE, "Keliru-Sekali-1", "654321", NIK, HEAD_EMAIL):
        assert secret not in stored, secret
        assert secret not in session, secret
        assert secret not in caplog.text, secret


@pytest.mark.django_db
def test_only_with_the_bsre_backend_and_only_logged_in(open_event, officer, client, settings):
    assert officer.get(_url(open_event)).status_code == 404  # local seal: nothing to sign with
    settings.PAKTA_SIGNING_BACKEND = "bsre"
    officer.logout()
    response = client.get(_url(open_event))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_another_agency_officer_gets_a_404(people_enrolled, open_event, client, hr_b):
    client.force_login(hr_b)
    assert client.get(_url(open_event)).status_code == 404

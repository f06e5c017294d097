"""Renewing the seal certificate: pacts sealed before stay genuine on /v/, new ones carry the new
certificate, and every certificate ever used is on the register."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader

from signings.models import AuditEntry, SealCertificate
from signings.pdf import seal
from signings.services import pacts, seal_certificates, verification
from signings.services.context import AuditContext
from tests import factories

pytestmark = pytest.mark.django_db


def pdf_bytes(signature) -> bytes:
    with signature.pdf.open("rb") as handle:
        return handle.read()


def seal_cert_of(data: bytes):
    reader = PdfFileReader(io.BytesIO(data))
    return next(sig.signer_cert for sig in reader.embedded_signatures
                if sig.field_name == seal.SEAL_FIELD)


def issue(event, unit, officer):
    signature = factories.signature(event, factories.employee(unit), officer=officer)
    return pacts.render_and_store(signature_id=signature.pk, context=AuditContext.system("test"))


def verdict(client, signature) -> str:
    response = client.post(reverse("verify:signature", args=[signature.verification_code]), {
        "document": SimpleUploadedFile("pakta.pdf", pdf_bytes(signature))})
    page = response.content.decode()
    return page.split('data-verdict="', 1)[1].split('"', 1)[0]


def renew(settings, local_tsa, tmp_path, name="renewed.p12"):
    """What an operator does: a new key and certificate from the CA, the setting pointed at
    it, the workers restarted (here: the signer cache emptied)."""
    path = tmp_path / "seal-renewed" / name
    local_tsa.pki.issue_seal_pkcs12(path, None)
    settings.PAKTA_SEAL_PKCS12 = str(path)
    seal._cache.clear()


def test_old_pacts_stay_genuine_after_renewal_and_new_ones_carry_the_new_certificate(
        client, open_event, unit_a, hr_a, settings, local_tsa, tmp_path):
    old = [issue(open_event, unit_a, hr_a) for _ in range(2)]
    old_cert = seal_cert_of(pdf_bytes(old[0]))
    renew(settings, local_tsa, tmp_path)
    new = issue(open_event, unit_a, hr_a)
    new_cert = seal_cert_of(pdf_bytes(new))

    assert new_cert.dump() != old_cert.dump()
    assert new_cert.dump() == seal.seal_certificate().dump()
    assert all(verdict(client, pact) == "issued" for pact in [*old, new])
    assert list(SealCertificate.objects.values_list("fingerprint", flat=True)) == [
        seal.fingerprint(old_cert), seal.fingerprint(new_cert)]


def test_losing_the_key_file_does_not_disown_issued_pacts(
        client, open_event, unit_a, hr_a, settings):
    pact = issue(open_event, unit_a, hr_a)
    # The (development) key file is gone: a new development seal is issued on next use.
    seal._cache.clear()
    Path(settings.PAKTA_SEAL_PKCS12).unlink()
    assert seal.fingerprint(seal.seal_certificate()) != seal.fingerprint(
        seal_cert_of(pdf_bytes(pact)))
    assert verdict(client, pact) == "issued"


def test_a_certificate_is_registered_once_with_an_audit_entry(open_event, unit_a, hr_a):
    first = issue(open_event, unit_a, hr_a)
    issue(open_event, unit_a, hr_a)
    registered = SealCertificate.objects.get()
    cert = seal_cert_of(pdf_bytes(first))
    assert registered.fingerprint == seal.fingerprint(cert)
    assert registered.serial == format(cert.serial_number, "x")
    assert registered.subject == cert.subject.human_friendly
    assert registered.not_after == cert["tbs_certificate"]["validity"]["not_after"].native
    assert registered.first_used_at <= registered.last_used_at
    entries = AuditEntry.objects.filter(action=seal_certificates.ACTION_REGISTERED)
    assert entries.count() == 1
    assert entries.get().details["fingerprint"] == registered.fingerprint


def test_a_seal_made_outside_the_certificates_validity_is_refused(open_event, unit_a, hr_a):
    pact = issue(open_event, unit_a, hr_a)
    registered = SealCertificate.objects.get()
    # As if the register said the certificate had expired before this seal was made.
    SealCertificate.objects.filter(pk=registered.pk).update(
        not_after=registered.first_used_at.replace(year=2000),
        not_before=registered.first_used_at.replace(year=1999))
    result = pacts.issued_sha256_known(pact.pdf_sha256)
    assert result is not None
    check = verification.check_upload(pdf_bytes(pact))
    assert not check.issued and check.reason == "seal_expired"


def test_an_unregistered_foreign_certificate_is_refused(open_event, unit_a, hr_a, settings,
                                                      local_tsa, tmp_path):
    pact = issue(open_event, unit_a, hr_a)
    data = pdf_bytes(pact)
    # Another installation's key from the same CA: never registered here.
    renew(settings, local_tsa, tmp_path, name="other.p12")
    check = seal.check_seal(data, certificates=[seal.seal_certificate()])
    assert not check.valid and check.reason == "foreign"


def test_seal_reason_names_the_documents_real_title(open_event, unit_a, hr_a):
    open_event.template_version = factories.template_version(
        open_event.agency, name="Ikrar", title="IKRAR NETRALITAS ASN")
    open_event.save(update_fields=["template_version"])
    pact = issue(open_event, unit_a, hr_a)
    reader = PdfFileReader(io.BytesIO(pdf_bytes(pact)))
    field = next(sig for sig in reader.embedded_signatures if sig.field_name == seal.SEAL_FIELD)
    reason = str(field.sig_object["/Reason"])
    assert reason.startswith("IKRAR NETRALITAS ASN — ")
    assert pact.employee.display_name in reason
    assert "Pakta integritas" not in reason


def test_a_worker_with_an_older_clock_reading_never_moves_last_use_before_first_use(
        open_event, unit_a, hr_a):
    # Two workers seal at once: one registers the certificate with its clock reading, the other,
    # a moment earlier by its own reading, then notes its use. The check constraint
    # (first use <= last use) must hold, not fail the render task.
    first = issue(open_event, unit_a, hr_a)
    registered = SealCertificate.objects.get()
    later = registered.last_used_at + datetime.timedelta(seconds=5)
    SealCertificate.objects.filter(pk=registered.pk).update(first_used_at=later,
                                                            last_used_at=later)
    seal_certificates.register_in_use(certificate=seal_cert_of(pdf_bytes(first)),
                                      context=AuditContext.system("test"))
    registered.refresh_from_db()
    assert registered.first_used_at == registered.last_used_at == later

"""The long-term seal: PAdES B-LTA from the project's own CA and RFC 3161 responder, validated by
pyHanko's AdES validator against the local root only, from what is embedded in the file."""

import asyncio
import datetime
import io
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography import x509
from django.core.management import call_command
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate, AdESPassed
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.ades import ades_lta_validation, simulate_future_ades_lta_validation
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager
from pypdf import PdfWriter

from signings.pdf import pki, seal


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def seal_blank(**kwargs) -> bytes:
    return seal.seal_pdf(blank_pdf(), reason="Pakta integritas Uji", location="Sampit", **kwargs)


def offline_spec(root) -> PdfSignatureValidationSpec:
    """Trust only the local root; revocation information required and taken only from the
    file (no fetching): what an auditor with the PDF and the root certificate can check."""
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=[root]),
        revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
    )
    return PdfSignatureValidationSpec(SignatureValidationSpec(
        cert_validation_policy=policy,
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY),
    ))


def the_seal(data: bytes):
    reader = PdfFileReader(io.BytesIO(data))
    return reader, next(sig for sig in reader.embedded_signatures
                        if sig.field_name == seal.SEAL_FIELD)


@pytest.fixture
def root(local_tsa):
    return pki.to_asn1(local_tsa.pki.root())


@pytest.fixture
def short_lived_seal(settings, local_tsa, tmp_path):
    """A seal certificate valid for two days, as if it had been about to expire."""
    path = tmp_path / "short" / "seal.p12"
    local_tsa.pki.issue_seal_pkcs12(path, None, valid_days=2)
    settings.PAKTA_SEAL_PKCS12 = str(path)
    return path


def test_seal_carries_timestamp_validation_data_and_document_timestamp(root):
    reader, signature = the_seal(seal_blank())
    kinds = [(sig.field_name, sig.sig_object_type) for sig in reader.embedded_signatures]
    assert kinds == [(seal.SEAL_FIELD, "/Sig"),
                     (seal.ARCHIVE_TIMESTAMP_FIELD, "/DocTimeStamp")]
    assert "signature_time_stamp_token" in {
        attr["type"].native for attr in signature.signer_info["unsigned_attrs"]}
    dss = DocumentSecurityStore.read_dss(reader)
    certs = {cert.subject.human_friendly for cert in dss.load_certs()}
    assert any(pki.DEV_SEAL_NAME in name for name in certs)
    assert any(pki.TSA_NAME in name for name in certs)
    assert dss.crls, "the root's CRL is embedded"


def test_pyhanko_validates_the_seal_at_level_b_lta_from_the_file_alone(root):
    _reader, signature = the_seal(seal_blank())
    result = asyncio.run(ades_lta_validation(signature, offline_spec(root)))
    assert result.ades_subindic == AdESPassed.OK, result.failure_msg
    assert result.signature_timestamp_status.ades_subindic == AdESPassed.OK
    assert result.oldest_evidence_record_timestamp is not None  # the document timestamp
    assert result.best_signature_time <= datetime.datetime.now(datetime.UTC)


def test_seal_still_validates_after_its_certificate_has_expired(root, short_lived_seal):
    data = seal_blank()
    _reader, signature = the_seal(data)
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=400)
    assert signature.signer_cert.not_valid_after < later
    result = asyncio.run(simulate_future_ades_lta_validation(
        signature, offline_spec(root), future_validation_time=later))
    assert result.ades_subindic == AdESPassed.OK, result.failure_msg
    # The upload check still recognises it: the TSA's time lies inside the validity period.
    check = seal.check_seal(data)
    assert check.valid and check.timestamped
    assert (signature.signer_cert.not_valid_before <= check.sealed_at
            <= signature.signer_cert.not_valid_after)


def test_without_timestamps_an_expired_certificate_proves_nothing(root, short_lived_seal, settings):
    settings.PAKTA_TSA_URL = ""
    _reader, signature = the_seal(seal_blank())
    assert len(_reader.embedded_signatures) == 1  # PAdES B-B: no document timestamp
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=400)
    status = validate_pdf_signature(signature, ValidationContext(
        trust_roots=[root], moment=later, allow_fetching=False, revocation_mode="soft-fail"))
    assert status.intact and not status.bottom_line
    assert status.trust_problem_indic == AdESIndeterminate.OUT_OF_BOUNDS_NO_POE


def test_local_tsa_and_ca_are_reused_not_remade(local_tsa):
    again = pki.ensure_dev_pki(local_tsa.pki.directory, base_url="http://elsewhere")
    assert again.root().fingerprint(pki.hashes.SHA256()) == \
        local_tsa.pki.root().fingerprint(pki.hashes.SHA256())
    assert Path(local_tsa.pki.directory, "root-key.pem").stat().st_mode & 0o077 == 0


def test_dev_pki_command_makes_the_ca_once(settings, tmp_path):
    settings.PAKTA_DEV_PKI_DIR = str(tmp_path / "pki")
    call_command("pakta_dev_pki", stdout=io.StringIO())
    root = (tmp_path / "pki" / "root.pem").read_bytes()
    call_command("pakta_dev_pki", stdout=io.StringIO())
    assert (tmp_path / "pki" / "root.pem").read_bytes() == root
    assert (tmp_path / "pki" / "tsa.pem").exists() and (tmp_path / "pki" / "root.crl").exists()


def test_local_tsa_refuses_garbage_and_serves_the_crl(local_tsa):
    request = urllib.request.Request(  # noqa: S310 - the local test server
        local_tsa.url, data=b"not a request", method="POST")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310 - the local test server
    assert error.value.code == 400
    with urllib.request.urlopen(local_tsa.pki.crl_url(), timeout=5) as response:  # noqa: S310
        crl = x509.load_der_x509_crl(response.read())
    assert crl.issuer == local_tsa.pki.root().subject


@pytest.mark.django_db
@pytest.mark.parametrize("tsa", [True, False], ids=["B-LTA", "B-B"])
def test_a_thread_reuses_its_sealing_state_and_every_seal_still_holds(tsa, settings):
    """The validation context, timestamper and reserved size serve the next seals of the
    thread: every one of them is whole, and timestamped when a TSA is set, as the first."""
    tsa_url = settings.PAKTA_TSA_URL
    settings.PAKTA_TSA_URL = tsa_url if tsa else ""
    seal.reset_sealing_state()
    first = seal_blank()
    state = seal._sealing_state.value
    later = [seal_blank() for _ in range(2)]

    assert seal._sealing_state.value is state and state.bytes_reserved
    for data in [first, *later]:
        check = seal.check_seal(data)
        assert check.valid and check.timestamped is tsa
    # Another TSA setting is another state: nothing sized for one seal kind serves the other.
    settings.PAKTA_TSA_URL = "" if tsa else tsa_url
    check = seal.check_seal(seal_blank())
    assert seal._sealing_state.value is not state
    assert check.valid and check.timestamped is not tsa

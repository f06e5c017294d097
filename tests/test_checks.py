"""Production (DEBUG off) refuses to start without the evidence configuration."""

import pytest

from signings import checks
from signings.pdf import pki, seal


def error_ids(_settings) -> set[str]:
    return {message.id for message in checks.production_evidence_check(None)}


@pytest.fixture
def production(settings, local_tsa, tmp_path):
    settings.DEBUG = False
    settings.PAKTA_PUBLIC_BASE_URL = "https://pakta.kotimkab.go.id"
    settings.PAKTA_TSA_URL = "https://tsa.example.go.id/tsr"
    settings.PAKTA_SEAL_PKCS12 = str(tmp_path / "agency.p12")
    local_tsa.pki.issue_seal_pkcs12(tmp_path / "agency.p12", b"rahasia",
                                    subject="Pemerintah Kabupaten A")
    settings.PAKTA_SEAL_PASSPHRASE = "rahasia"
    return settings


def test_complete_production_configuration_passes(production):
    assert error_ids(production) == set()


def test_missing_public_address_or_a_loopback_one_is_an_error(production):
    production.PAKTA_PUBLIC_BASE_URL = ""
    assert "pakta.E001" in error_ids(production)
    production.PAKTA_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    assert "pakta.E001" in error_ids(production)


def test_missing_tsa_is_an_error(production):
    production.PAKTA_TSA_URL = ""
    assert error_ids(production) == {"pakta.E002"}


def test_missing_unreadable_or_development_seal_key_is_an_error(production, local_tsa, tmp_path):
    production.PAKTA_SEAL_PKCS12 = str(tmp_path / "absent.p12")
    assert error_ids(production) == {"pakta.E003"}
    production.PAKTA_SEAL_PKCS12 = str(tmp_path / "agency.p12")
    production.PAKTA_SEAL_PASSPHRASE = "salah"
    assert error_ids(production) == {"pakta.E004"}
    local_tsa.pki.issue_seal_pkcs12(tmp_path / "dev.p12", None, subject=pki.DEV_SEAL_NAME)
    production.PAKTA_SEAL_PKCS12 = str(tmp_path / "dev.p12")
    production.PAKTA_SEAL_PASSPHRASE = ""
    assert error_ids(production) == {"pakta.E005"}


def test_development_needs_none_of_it(production):
    production.DEBUG = True
    production.PAKTA_TSA_URL = ""
    production.PAKTA_PUBLIC_BASE_URL = ""
    assert error_ids(production) == set()


def test_production_never_makes_a_development_seal(production, tmp_path):
    production.PAKTA_DEV_SEAL_ALLOWED = False
    production.PAKTA_SEAL_PKCS12 = str(tmp_path / "absent.p12")
    with pytest.raises(seal.SealConfigurationError):
        seal.get_signer()
    assert not (tmp_path / "absent.p12").exists()

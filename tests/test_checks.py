"""Production (DEBUG off) refuses to start without the evidence configuration, and the
documented production environment passes Django's deployment checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

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


# The production environment as docs/operations.md documents it, and `check --deploy` under it.

OPERATIONS = Path(__file__).resolve().parent.parent / "docs" / "operations.md"
# What the documented block leaves to each installation: secrets and files on the server.
FILLED_IN = {"SECRET_KEY", "DATABASE_URL", "MEDIA_ROOT", "PAKTA_SEAL_PKCS12",
             "PAKTA_SEAL_PASSPHRASE", "PAKTA_TRUST_ROOTS"}


def documented_production_environment() -> dict[str, str]:
    text = OPERATIONS.read_text(encoding="utf-8")
    start = text.index("```sh\n# /etc/pakta.env\n")
    block = text[start:text.index("```", start + 3)]
    env = {}
    for line in block.splitlines()[1:]:
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    return env


def test_the_documented_environment_is_https_and_leaves_only_secrets_and_files_open():
    env = documented_production_environment()
    assert env["DEBUG"] == "0"
    assert env["PAKTA_HTTPS"] == "1"
    placeholders = {name for name, value in env.items()
                    if "<" in value or value.startswith(("/etc/", "/srv/"))}
    assert placeholders == FILLED_IN


def test_check_deploy_is_clean_under_the_documented_production_environment(local_tsa, tmp_path):
    local_tsa.pki.issue_seal_pkcs12(tmp_path / "seal.p12", b"rahasia-segel",
                                    subject="Pemerintah Kabupaten Contoh")
    (tmp_path / "roots.pem").write_bytes(b"")
    env = {
        **documented_production_environment(),
        "SECRET_KEY": secrets.token_urlsafe(50),
        # check --deploy does not connect; a name that resolves keeps it honest if it ever did.
        "DATABASE_URL": "postgres://pakta@127.0.0.1:5432/pakta_deploy_check",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PAKTA_SEAL_PKCS12": str(tmp_path / "seal.p12"),
        "PAKTA_SEAL_PASSPHRASE": "rahasia-segel",
        "PAKTA_TRUST_ROOTS": str(tmp_path / "roots.pem"),
        "PAKTA_VAR_DIR": str(tmp_path / "var"),
        # Nothing from the test run (DJANGO_SETTINGS_MODULE=tests.settings, SECURE_COOKIES=0…).
        "PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=OPERATIONS.parent.parent, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_without_https_check_deploy_names_what_is_missing(local_tsa, tmp_path):
    """The plain-HTTP intranet profile is not hidden: the deploy check says what it lacks."""
    local_tsa.pki.issue_seal_pkcs12(tmp_path / "seal.p12", None, subject="Pemerintah Kabupaten B")
    env = {
        **documented_production_environment(),
        "SECRET_KEY": secrets.token_urlsafe(50), "DATABASE_URL": "postgres://pakta@h/pakta",
        "MEDIA_ROOT": str(tmp_path / "media"), "PAKTA_SEAL_PKCS12": str(tmp_path / "seal.p12"),
        "PAKTA_SEAL_PASSPHRASE": "", "PAKTA_TRUST_ROOTS": "", "PAKTA_VAR_DIR": str(tmp_path),
        "PAKTA_HTTPS": "0", "PAKTA_BEHIND_PROXY": "0", "SECURE_COOKIES": "0",
        "PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=OPERATIONS.parent.parent, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    for check_id in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check_id in result.stderr


@pytest.fixture
def production_bsre(production):
    production.PAKTA_SIGNING_BACKEND = "bsre"
    production.PAKTA_BSRE_URL = "http://esign.internal.kotimkab.go.id:8080"
    production.PAKTA_BSRE_USER = "esign"
    production.PAKTA_BSRE_PASSWORD = "rahasia-layanan"
    production.PAKTA_BSRE_SEAL_ID = "SEAL-01"
    production.PAKTA_BSRE_SEAL_TOTP = "493817"
    # BSrE seals: neither the local key nor a TSA of our own is needed.
    production.PAKTA_SEAL_PKCS12 = "/nonexistent/agency.p12"
    production.PAKTA_TSA_URL = ""
    return production


def test_complete_bsre_production_configuration_passes(production_bsre):
    assert error_ids(production_bsre) == set()


@pytest.mark.parametrize("name", ["PAKTA_BSRE_URL", "PAKTA_BSRE_USER", "PAKTA_BSRE_PASSWORD",
                                  "PAKTA_BSRE_SEAL_ID", "PAKTA_BSRE_SEAL_TOTP"])
def test_bsre_without_its_url_credentials_or_seal_identity_fails_loudly(production_bsre, name):
    setattr(production_bsre, name, "")
    messages = checks.production_evidence_check(None)
    assert {m.id for m in messages} == {"pakta.E006"}
    assert name in messages[0].msg and "docs/bsre.md" in messages[0].hint


def test_a_bsre_address_that_is_not_http_is_an_error(production_bsre):
    production_bsre.PAKTA_BSRE_URL = "esign.internal:8080"
    assert error_ids(production_bsre) == {"pakta.E007"}


@pytest.mark.parametrize("value", ["hsm", "BSRE2"])
def test_an_unknown_signing_backend_stops_startup(monkeypatch, value):
    from django.core.exceptions import ImproperlyConfigured

    from pakta import env

    monkeypatch.setenv("PAKTA_SIGNING_BACKEND", value)
    with pytest.raises(ImproperlyConfigured, match="local, bsre"):
        env.signing_backend()
    monkeypatch.setenv("PAKTA_SIGNING_BACKEND", " BSrE ")
    assert env.signing_backend() == "bsre"

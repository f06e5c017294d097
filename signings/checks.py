"""Start-up checks: a machine that would make Pakta slow or wrong, a production install whose
evidence would not hold up."""

import ctypes.util
import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.checks import Error, Warning, register

from signings.pdf.pki import DEV_SEAL_NAME


@register()
def harfbuzz_subset_check(app_configs, **kwargs):
    # Without libharfbuzz-subset WeasyPrint silently falls back to fontTools for font
    # subsetting, which makes every pact PDF about 2.5x slower to render.
    if ctypes.util.find_library("harfbuzz-subset"):
        return []
    return [
        Warning(
            "libharfbuzz-subset0 is not installed: PDF rendering will be about 2.5x slower.",
            hint="Install it: apt-get install libharfbuzz-subset0",
            id="pakta.W001",
        )
    ]


def _loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


@register(deploy=False)
def production_evidence_check(app_configs, **kwargs):
    """Without DEBUG the evidence must hold up: a seal from a trusted CA, a time-stamp authority
    for the long-term seal, and the public address printed, permanently, in every QR code."""
    if settings.DEBUG:
        return []
    errors = []
    base_url = settings.PAKTA_PUBLIC_BASE_URL
    if not base_url or _loopback(base_url):
        errors.append(Error(
            f"PAKTA_PUBLIC_BASE_URL is {base_url or 'not set'}: every QR code would point there.",
            hint="Set PAKTA_PUBLIC_BASE_URL to the public https address of this installation.",
            id="pakta.E001",
        ))
    if settings.PAKTA_SIGNING_BACKEND == "bsre":
        # BSrE's seal carries BSrE's own timestamp and certificate: no local key, no TSA.
        errors.extend(_bsre_errors())
    elif not settings.PAKTA_TSA_URL:
        errors.append(Error(
            "PAKTA_TSA_URL is not set: seals would carry no trusted time and could not be shown "
            "valid once the certificate expires.",
            hint="Point PAKTA_TSA_URL at an RFC 3161 time-stamp authority (docs/operations.md).",
            id="pakta.E002",
        ))
    if settings.PAKTA_SIGNING_BACKEND != "bsre":
        errors.extend(_seal_key_errors())
    return [Error(error.msg, hint=f"{error.hint} For development only: DEBUG=1.", id=error.id)
            for error in errors]


def _seal_key_errors() -> list[Error]:
    path = Path(settings.PAKTA_SEAL_PKCS12)
    hint = "Install the agency's seal certificate (PKCS#12) and set PAKTA_SEAL_PKCS12 and " \
        "PAKTA_SEAL_PASSPHRASE (docs/operations.md)."
    if not path.is_file():
        return [Error(f"No seal key at PAKTA_SEAL_PKCS12={path}.", hint=hint, id="pakta.E003")]
    passphrase = settings.PAKTA_SEAL_PASSPHRASE.encode() or None
    try:
        _key, cert, _chain = pkcs12.load_key_and_certificates(path.read_bytes(), passphrase)
    except (ValueError, TypeError) as error:
        return [Error(f"Cannot open the seal key {path}: {error}", hint=hint, id="pakta.E004")]
    if cert is None:
        return [Error(f"The seal key {path} holds no certificate.", hint=hint, id="pakta.E004")]
    if DEV_SEAL_NAME in cert.subject.rfc4514_string():
        return [Error(f"{path} is the development seal, which no reader trusts.", hint=hint,
                      id="pakta.E005")]
    return []


_BSRE_SETTINGS = {
    "PAKTA_BSRE_URL": "the address of the agency's Esign Client Service",
    "PAKTA_BSRE_USER": "the client service's basic-auth user",
    "PAKTA_BSRE_PASSWORD": "the client service's basic-auth password",
    "PAKTA_BSRE_SEAL_ID": "the agency seal's subscriber id (idSubscriber)",
    "PAKTA_BSRE_SEAL_TOTP": "the agency seal's activation TOTP from BSrE",
}


def _bsre_errors() -> list[Error]:
    """PAKTA_SIGNING_BACKEND=bsre without what it takes would leave every pact awaiting a seal
    that can never come: refuse to start instead."""
    hint = "Enrol with BSrE and set the PAKTA_BSRE_* settings (docs/bsre.md)."
    errors = [Error(f"PAKTA_SIGNING_BACKEND=bsre but {name} ({what}) is not set.", hint=hint,
                    id="pakta.E006")
              for name, what in _BSRE_SETTINGS.items() if not getattr(settings, name)]
    url = settings.PAKTA_BSRE_URL
    if url and urlsplit(url).scheme not in ("http", "https"):
        errors.append(Error(f"PAKTA_BSRE_URL={url} is not an http(s) address.", hint=hint,
                            id="pakta.E007"))
    return errors

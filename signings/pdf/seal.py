"""The agency's PAdES seal on every issued PDF (pyHanko), and its verification.

The key is a PKCS#12 file named by PAKTA_SEAL_PKCS12 (passphrase PAKTA_SEAL_PASSPHRASE). When the
file does not exist, a self-signed development certificate is created there and a warning is
logged: it proves integrity (any changed byte breaks the seal) but no reader will trust it.
Production installs a certificate from a CA the auditors trust (e.g. BSrE).
"""

from __future__ import annotations

import asyncio
import datetime
import io
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

logger = logging.getLogger(__name__)

DEV_SEAL_NAME = "Pakta development seal — not for production"
SEAL_FIELD = "PaktaSeal"
_lock = threading.Lock()
_cache: dict[tuple[str, str], signers.SimpleSigner] = {}


class _LoadedKeySigner(signers.SimpleSigner):
    """SimpleSigner re-parses (and re-validates) the private key on every signature: ~180 ms
    for RSA-2048 with current `cryptography`, more than rendering the pact. Keep the parsed
    key for the common mechanisms and defer to pyHanko for the rest."""

    _pyca_key = None

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            algorithm = mechanism.signature_algo
        except ValueError:
            algorithm = mechanism["algorithm"].native
        if self._pyca_key is None:
            self._pyca_key = serialization.load_der_private_key(self.signing_key.dump(),
                                                                password=None)
        hash_algorithm = getattr(hashes, digest_algorithm.upper())()
        if algorithm == "rsassa_pkcs1v15" and isinstance(self._pyca_key, rsa.RSAPrivateKey):
            return self._pyca_key.sign(data, padding.PKCS1v15(), hash_algorithm)
        if algorithm == "ecdsa" and isinstance(self._pyca_key, ec.EllipticCurvePrivateKey):
            return self._pyca_key.sign(data, ec.ECDSA(hash_algorithm))
        return super().sign_raw(data, digest_algorithm)


def _passphrase() -> bytes | None:
    value = settings.PAKTA_SEAL_PASSPHRASE
    return value.encode() if value else None


def create_development_seal(path: Path, passphrase: bytes | None) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, DEV_SEAL_NAME),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Pakta (development)"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
    ])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=True,
                          crl_sign=False, encipher_only=False, decipher_only=False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                  else serialization.NoEncryption())
    data = pkcs12.serialize_key_and_certificates(b"pakta-dev-seal", key, cert, None, encryption)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written under a temporary name and moved: two workers starting together never read half
    # a file.
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temp, path)


def get_signer() -> signers.SimpleSigner:
    path = Path(settings.PAKTA_SEAL_PKCS12)
    key = (str(path), settings.PAKTA_SEAL_PASSPHRASE)
    with _lock:
        if key in _cache:
            return _cache[key]
        if not path.exists():
            create_development_seal(path, _passphrase())
            logger.warning(
                "No seal certificate at %s: created a self-signed '%s'. PDFs are sealed but no "
                "reader will trust the seal; set PAKTA_SEAL_PKCS12 to the agency's certificate "
                "in production.", path, DEV_SEAL_NAME,
            )
        loaded = signers.SimpleSigner.load_pkcs12(str(path), passphrase=_passphrase())
        if loaded is None:
            raise RuntimeError(f"Cannot load the seal certificate {path} (wrong passphrase?)")
        signer = _LoadedKeySigner(
            signing_cert=loaded.signing_cert, signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry, signature_mechanism=loaded.signature_mechanism,
        )
        _cache[key] = signer
        return signer


def seal_certificate() -> asn1_x509.Certificate:
    return get_signer().signing_cert


def is_development_seal() -> bool:
    return DEV_SEAL_NAME in seal_certificate().subject.human_friendly


def _outside_event_loop(function, *args, **kwargs):
    """pyHanko's synchronous API calls asyncio.run(), which fails inside a running event loop
    (an ASGI server, Playwright's sync API in tests): run it on a helper thread there."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(function, *args, **kwargs).result()


def seal_pdf(pdf: bytes, *, reason: str, location: str) -> bytes:
    return _outside_event_loop(_seal_pdf, pdf, reason=reason, location=location)


def _seal_pdf(pdf: bytes, *, reason: str, location: str) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
    )
    out = signers.PdfSigner(meta, signer=get_signer()).sign_pdf(writer)
    return out.getvalue()


@dataclass(frozen=True)
class SealCheck:
    valid: bool  # our seal, intact, covering the whole file
    reason: str  # machine-readable: ok / unreadable / no_seal / altered / foreign / not_whole


def check_seal(pdf: bytes) -> SealCheck:
    """Does our seal cover this exact file? Any parse error counts as altered."""
    return _outside_event_loop(_check_seal, pdf)


def _check_seal(pdf: bytes) -> SealCheck:
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = reader.embedded_signatures
    except Exception:  # noqa: BLE001 - a damaged file is simply not our document
        return SealCheck(False, "unreadable")
    if not embedded:
        return SealCheck(False, "no_seal")
    signature = embedded[-1]
    ours = seal_certificate()
    try:
        if signature.signer_cert.dump() != ours.dump():
            return SealCheck(False, "foreign")
        status = validate_pdf_signature(
            signature, ValidationContext(trust_roots=[ours], allow_fetching=False)
        )
    except Exception:  # noqa: BLE001
        return SealCheck(False, "altered")
    if not (status.intact and status.valid):
        return SealCheck(False, "altered")
    if status.coverage is None or status.coverage.name != "ENTIRE_FILE":
        return SealCheck(False, "not_whole")
    return SealCheck(True, "ok")

"""The agency's PAdES seal on every issued PDF (pyHanko), and its verification.

The key is a PKCS#12 file named by PAKTA_SEAL_PKCS12 (passphrase PAKTA_SEAL_PASSPHRASE), with its
certificate chain. With PAKTA_TSA_URL set the seal is PAdES B-LTA: an RFC 3161 signature
timestamp, the validation data (chain, CRLs/OCSP) in the document security store, and a document
timestamp on top, so the seal can still be shown to have been made while the certificate was
valid after it has expired. Without a TSA (development only) it is PAdES B-B.

When the key file does not exist and PAKTA_DEV_SEAL_ALLOWED is on (DEBUG, tests), a development
certificate is issued from the project's own CA (signings/pdf/pki.py) and a warning is logged.
Production installs a certificate from a CA the auditors trust (e.g. BSrE): signings/checks.py
refuses to start without it.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import hashlib
import io
import logging
import ssl
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import certifi
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SigningError, find_unique_cms_attribute
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext

from signings.pdf import pki

logger = logging.getLogger(__name__)

DEV_SEAL_NAME = pki.DEV_SEAL_NAME
SEAL_FIELD = "PaktaSeal"
ARCHIVE_TIMESTAMP_FIELD = "PaktaArchiveTimestamp"
TSA_TIMEOUT_SECONDS = 10
_lock = threading.Lock()
_cache: dict[tuple[str, str], signers.SimpleSigner] = {}
_warned_no_tsa = threading.Event()  # said once per process, not once per pact
# How long a thread keeps its sealing state (validation context with the CRLs it fetched, the
# timestamper with its size-estimate token, the reserved size): long enough to serve a batch of
# pacts, short enough that fresh revocation data and a renewed TSA certificate are picked up.
SEALING_STATE_SECONDS = 300
_sealing_state = threading.local()


class SealConfigurationError(RuntimeError):
    """No usable seal key: production must install one (docs/operations.md)."""


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


def dev_pki() -> pki.DevPki:
    return pki.ensure_dev_pki(settings.PAKTA_DEV_PKI_DIR, base_url=settings.PAKTA_DEV_TSA_BASE_URL)


def create_development_seal(path: Path, passphrase: bytes | None) -> None:
    dev_pki().issue_seal_pkcs12(path, passphrase)


def get_signer() -> signers.SimpleSigner:
    path = Path(settings.PAKTA_SEAL_PKCS12)
    key = (str(path), settings.PAKTA_SEAL_PASSPHRASE)
    with _lock:
        if key in _cache:
            return _cache[key]
        if not path.exists():
            if not settings.PAKTA_DEV_SEAL_ALLOWED:
                raise SealConfigurationError(
                    f"No seal certificate at {path}: set PAKTA_SEAL_PKCS12 to the agency's "
                    "certificate (docs/operations.md).")
            create_development_seal(path, _passphrase())
            logger.warning(
                "No seal certificate at %s: issued a '%s' from the development CA in %s. "
                "PDFs are sealed but no reader will trust the seal; set PAKTA_SEAL_PKCS12 to "
                "the agency's certificate in production.", path, DEV_SEAL_NAME,
                settings.PAKTA_DEV_PKI_DIR,
            )
        loaded = signers.SimpleSigner.load_pkcs12(str(path), passphrase=_passphrase())
        if loaded is None:
            raise SealConfigurationError(
                f"Cannot load the seal certificate {path} (wrong passphrase?)")
        signer = _LoadedKeySigner(
            signing_cert=loaded.signing_cert, signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry, signature_mechanism=loaded.signature_mechanism,
        )
        _cache[key] = signer
        return signer


def seal_certificate() -> asn1_x509.Certificate:
    return get_signer().signing_cert


def fingerprint(certificate: asn1_x509.Certificate) -> str:
    return hashlib.sha256(certificate.dump()).hexdigest()


def is_development_seal() -> bool:
    return DEV_SEAL_NAME in seal_certificate().subject.human_friendly


def _self_signed(certificate: asn1_x509.Certificate) -> bool:
    return certificate.self_signed in ("maybe", "yes")


def configured_trust_roots() -> list[asn1_x509.Certificate]:
    """PAKTA_TRUST_ROOTS: a PEM bundle with the roots of the seal's and the TSA's chains."""
    path = settings.PAKTA_TRUST_ROOTS
    if not path:
        return []
    roots = []
    for _type, _headers, der in pem.unarmor(Path(path).read_bytes(), multiple=True):
        roots.append(asn1_x509.Certificate.load(der))
    return roots


class _TimeStamper(HTTPTimeStamper):
    """pyHanko's HTTP client opens a session, and builds an SSL context from certifi's bundle
    (~40 ms), for every request; a seal makes two. The context is built once per process."""

    @asynccontextmanager
    async def _acquire_session(self):
        connector = aiohttp.TCPConnector(ssl=_ssl_context())
        async with aiohttp.ClientSession(connector=connector) as session:
            yield session


class _DevCrlHandedOver(logging.Filter):
    """pyHanko warns on every seal that nothing may be fetched: expected (and only so) when the
    development CA's CRL is handed over directly."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "fetching is not allowed" not in record.getMessage()


logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_DevCrlHandedOver())


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=certifi.where())


def _signing_validation_context(signer: signers.SimpleSigner) -> ValidationContext:
    """Trust: the roots shipped in the seal's PKCS#12 and PAKTA_TRUST_ROOTS. Revocation
    information is fetched from the CAs; the development CA's CRL is handed over directly,
    so nothing is fetched for it."""
    roots = [cert for cert in signer.cert_registry if _self_signed(cert)]
    roots += configured_trust_roots()
    others = [cert for cert in signer.cert_registry if not _self_signed(cert)]
    crls = []
    dev = pki.DevPki(Path(settings.PAKTA_DEV_PKI_DIR))
    if dev.exists():
        dev_root = pki.to_asn1(dev.root()).dump()
        if any(root.dump() == dev_root for root in roots):
            crls.append(dev.crl())
    return ValidationContext(trust_roots=roots, other_certs=others, crls=crls,
                             allow_fetching=not crls, revocation_mode="hard-fail")


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


@dataclass
class _SealingState:
    """What one thread reuses from seal to seal (measured in bench/pdf_throughput.py): the
    validation context (building it parses the roots and the development CA's CRL), the
    timestamper (pyHanko asks the TSA for a throw-away token to size every new one's
    signature), and the bytes reserved for the signature, which pyHanko otherwise measures
    with a dry-run signature on every seal. pyHanko does not say its objects are thread-safe:
    each thread has its own."""

    key: tuple
    made_at: float
    validation_context: ValidationContext | None = None
    timestamper: _TimeStamper | None = None
    bytes_reserved: int | None = None


def _state_for(signer: signers.SimpleSigner, tsa_url: str) -> _SealingState:
    key = (signer.signing_cert.sha256, tsa_url, settings.PAKTA_TRUST_ROOTS,
           settings.PAKTA_DEV_PKI_DIR)
    state: _SealingState | None = getattr(_sealing_state, "value", None)
    if (state is None or state.key != key
            or time.monotonic() - state.made_at > SEALING_STATE_SECONDS):
        state = _SealingState(key=key, made_at=time.monotonic())
        if tsa_url:
            state.validation_context = _signing_validation_context(signer)
            state.timestamper = _TimeStamper(tsa_url, timeout=TSA_TIMEOUT_SECONDS)
        _sealing_state.value = state
    return state


def reset_sealing_state() -> None:
    """Forget this thread's reused sealing state (tests that swap keys or TSAs)."""
    _sealing_state.value = None


def _seal_pdf(pdf: bytes, *, reason: str, location: str) -> bytes:
    signer = get_signer()
    tsa_url = settings.PAKTA_TSA_URL
    if not tsa_url and not _warned_no_tsa.is_set():
        _warned_no_tsa.set()
        logger.warning("PAKTA_TSA_URL is not set: sealing without a timestamp (PAdES B-B).")
    state = _state_for(signer, tsa_url)
    if state.timestamper is None:
        meta = signers.PdfSignatureMetadata(
            field_name=SEAL_FIELD, subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256", reason=reason, location=location,
        )
    else:
        meta = signers.PdfSignatureMetadata(
            field_name=SEAL_FIELD,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason=reason,
            location=location,
            embed_validation_info=True,
            use_pades_lta=True,
            timestamp_field_name=ARCHIVE_TIMESTAMP_FIELD,
            validation_context=state.validation_context,
        )
    pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=state.timestamper)
    if state.bytes_reserved is not None:
        try:
            return pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)),
                                       bytes_reserved=state.bytes_reserved).getvalue()
        except SigningError:
            # A larger signature than the first one of this thread (a longer TSA answer, say):
            # measure again.
            logger.info("Reserved signature size too small: estimating again.")
    sealed = pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf))).getvalue()
    state.bytes_reserved = _reserved_size(sealed)
    return sealed


def _reserved_size(sealed: bytes) -> int | None:
    """The bytes pyHanko reserved for the seal's signature: the gap in its /ByteRange, less
    the two angle brackets of the hex string."""
    try:
        seals = [sig for sig in PdfFileReader(io.BytesIO(sealed), strict=False)
                 .embedded_signatures if sig.field_name == SEAL_FIELD]
        byte_range = seals[0].sig_object["/ByteRange"]
        return int(byte_range[2]) - int(byte_range[1]) - 2
    except Exception:  # noqa: BLE001 - no reuse then: pyHanko estimates every time
        logger.exception("Could not read the reserved signature size back.")
        return None


@dataclass(frozen=True)
class SealCheck:
    valid: bool  # our seal, intact, covering the whole file (or followed only by LTA updates)
    reason: str  # ok / unreadable / no_seal / altered / foreign / expired / not_whole
    certificate: asn1_x509.Certificate | None = field(default=None, repr=False)  # the sealer
    sealed_at: datetime.datetime | None = None  # the TSA's time; the signer's claim without one
    timestamped: bool = False  # an RFC 3161 signature timestamp vouches for sealed_at


def check_seal(pdf: bytes, *,
               certificates: Iterable[asn1_x509.Certificate] | None = None) -> SealCheck:
    """Does a seal made with one of `certificates` (default: the current one) cover this exact
    file? Any parse error counts as altered.

    The certificate's own validity period is the caller's business (it knows since when the
    certificate was registered); `sealed_at` gives the moment to compare with.
    """
    return _outside_event_loop(_check_seal, pdf, certificates)


def _signature_timestamp(signature) -> tuple[datetime.datetime | None, list]:
    """The RFC 3161 token's time and the certificates it carries (none: not timestamped)."""
    unsigned = signature.signer_info["unsigned_attrs"]
    if not unsigned:
        return None, []
    try:
        token = find_unique_cms_attribute(unsigned, "signature_time_stamp_token")
    except Exception:  # noqa: BLE001 - no (single) token: not timestamped
        return None, []
    signed_data = token["content"]
    certs = [choice.chosen for choice in signed_data["certificates"] or []
             if choice.name == "certificate"]
    return signed_data["encap_content_info"]["content"].parsed["gen_time"].native, certs


def _self_anchored(certificate: asn1_x509.Certificate,
                   moment: datetime.datetime | None) -> ValidationContext:
    """Integrity, not trust: the chain to a CA is for full PAdES validators; here the question
    is only whether this key made this exact signature."""
    return ValidationContext(trust_roots=[certificate], allow_fetching=False, moment=moment)


def _check_seal(pdf: bytes, certificates) -> SealCheck:
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = reader.embedded_signatures
    except Exception:  # noqa: BLE001 - a damaged file is simply not our document
        return SealCheck(False, "unreadable")
    if not embedded:
        return SealCheck(False, "no_seal")
    seals = [sig for sig in embedded if sig.field_name == SEAL_FIELD]
    if not seals:
        # BSrE's seal (PAKTA_SIGNING_BACKEND=bsre) names its own field: the file's one
        # signature, whose certificate must still be one of ours.
        seals = [sig for sig in embedded if sig.sig_object_type == "/Sig"]
    if len(seals) != 1:
        return SealCheck(False, "foreign")
    signature = seals[0]
    accepted = {cert.dump() for cert in (certificates if certificates is not None
                                          else [seal_certificate()])}
    try:
        signer_cert = signature.signer_cert
        if signer_cert.dump() not in accepted:
            return SealCheck(False, "foreign", certificate=signer_cert)
        timestamp, tsa_certs = _signature_timestamp(signature)
        sealed_at = timestamp or signature.self_reported_timestamp
        status = validate_pdf_signature(
            signature, _self_anchored(signer_cert, sealed_at),
            ts_validation_context=ValidationContext(trust_roots=tsa_certs, allow_fetching=False,
                                                    moment=timestamp),
        )
    except Exception:  # noqa: BLE001
        return SealCheck(False, "altered")
    found = {"certificate": signer_cert, "sealed_at": sealed_at,
             "timestamped": timestamp is not None}
    if not (status.intact and status.valid):
        return SealCheck(False, "altered", **found)
    if not status.trusted:  # the certificate was not valid when the seal was made
        return SealCheck(False, "expired", **found)
    if timestamp is not None and not (status.timestamp_validity
                                      and status.timestamp_validity.intact):
        return SealCheck(False, "altered", **found)
    if status.coverage is None:
        return SealCheck(False, "not_whole", **found)
    if status.coverage.name == "ENTIRE_FILE":
        return SealCheck(True, "ok", **found)
    if not _only_lta_updates_after(status, embedded):
        return SealCheck(False, "not_whole", **found)
    return SealCheck(True, "ok", **found)


def _lta_only(status) -> bool:
    return (status.coverage is not None and status.coverage.name == "ENTIRE_REVISION"
            and status.modification_level is not None
            and status.modification_level <= ModificationLevel.LTA_UPDATES)


def _only_lta_updates_after(status, embedded) -> bool:
    """After the seal only validation data (DSS) and document timestamps may follow: the
    pyHanko difference analysis classifies every later revision."""
    if not (_lta_only(status) and status.docmdp_ok):
        return False
    last = embedded[-1]
    if last.sig_object_type != "/DocTimeStamp":
        return False
    try:
        ts_status = validate_pdf_timestamp(
            last, ValidationContext(trust_roots=[last.signer_cert], allow_fetching=False))
    except Exception:  # noqa: BLE001
        return False
    if not ts_status.intact or ts_status.coverage is None:
        return False
    return ts_status.coverage.name == "ENTIRE_FILE" or _lta_only(ts_status)

"""Detached CMS signatures by the seal key and RFC 3161 timestamps over any bytes (not a PDF).

Used for the audit checkpoints (signings/services/checkpoints.py): the canonical JSON is signed
(`.p7s`, DER CMS SignedData, the content detached) and timestamped (`.tst`, the DER time-stamp
token over its SHA-256) by the same key and TSA client as the PAdES seal (signings/pdf/seal.py).
Both are checkable with nothing but OpenSSL:

    openssl cms -verify -binary -inform DER -in N.p7s -content N.json -noverify
    openssl ts -verify -token_in -in N.tst -data N.json -CAfile tsa-root.pem

The timestamp covers the JSON itself, not the signature: it proves the chain head existed at
that time whoever holds the seal key later, so a stolen key cannot back-date a checkpoint.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.sign.validation.generic_cms import validate_sig_integrity, validate_tst_signed_data
from pyhanko_certvalidator import ValidationContext

from signings.pdf import seal


class DetachedSealError(RuntimeError):
    """No TSA configured: a checkpoint without a timestamp anchors nothing."""


def sign(data: bytes) -> bytes:
    """A detached CMS signature over `data` with the seal key (DER)."""
    signer = seal.get_signer()

    async def run() -> cms.ContentInfo:
        return await signer.async_sign_general_data(data, "sha256", detached=True)

    return seal._outside_event_loop(asyncio.run, run()).dump()


def timestamp(data: bytes) -> bytes:
    """An RFC 3161 time-stamp token over SHA-256(data) from PAKTA_TSA_URL (DER)."""
    if not settings.PAKTA_TSA_URL:
        raise DetachedSealError("PAKTA_TSA_URL is not set: checkpoints need a timestamp.")
    stamper = seal._TimeStamper(settings.PAKTA_TSA_URL, timeout=seal.TSA_TIMEOUT_SECONDS)
    digest = hashlib.sha256(data).digest()

    async def run() -> cms.ContentInfo:
        return await stamper.async_timestamp(digest, "sha256")

    return seal._outside_event_loop(asyncio.run, run()).dump()


@dataclass(frozen=True)
class DetachedCheck:
    valid: bool
    reason: str  # ok / unreadable / altered / foreign / expired / no_timestamp
    certificate: asn1_x509.Certificate | None = None
    timestamped_at: datetime.datetime | None = None


def _signed_data(der: bytes) -> cms.SignedData:
    info = cms.ContentInfo.load(der)
    if info["content_type"].native != "signed_data":
        raise ValueError("not CMS SignedData")
    signed = info["content"]
    signed.native  # noqa: B018 - parse everything now: a damaged file fails here
    return signed


def _signer_certificate(signed: cms.SignedData) -> asn1_x509.Certificate:
    signer_info = signed["signer_infos"][0]
    sid = signer_info["sid"]
    for choice in signed["certificates"] or []:
        cert = choice.chosen
        if (sid.name == "issuer_and_serial_number"
                and cert.issuer == sid.chosen["issuer"]
                and cert.serial_number == sid.chosen["serial_number"].native):
            return cert
        if sid.name == "subject_key_identifier" and cert.key_identifier == sid.chosen.native:
            return cert
    raise ValueError("signer certificate not embedded")


def check_timestamp(data: bytes, token: bytes) -> datetime.datetime | None:
    """The token's time if it is intact and its imprint is SHA-256(data); None otherwise.

    Integrity with the TSA certificates the token carries, like the PDF seal check
    (signings/pdf/seal.py): trust in the TSA is a full validator's question."""
    try:
        signed = _signed_data(token)
        certs = [choice.chosen for choice in signed["certificates"] or []
                 if choice.name == "certificate"]
        gen_time = signed["encap_content_info"]["content"].parsed["gen_time"].native
        context = ValidationContext(trust_roots=certs, allow_fetching=False, moment=gen_time)

        def imprint(algorithm: str) -> bytes:
            return hashlib.new(algorithm, data).digest()

        async def run():
            return await validate_tst_signed_data(signed, context, imprint)

        status = seal._outside_event_loop(asyncio.run, run())
    except Exception:  # noqa: BLE001 - unreadable or forged: not a timestamp of this data
        return None
    if not (status.get("intact") and status.get("valid")):
        return None
    return gen_time


def check(data: bytes, signature: bytes, token: bytes,
          certificates: Iterable[asn1_x509.Certificate]) -> DetachedCheck:
    """Is `signature` a detached CMS signature over exactly `data` by one of `certificates`,
    valid at the time of `token` (an RFC 3161 token over `data`)?"""
    moment = check_timestamp(data, token)
    try:
        signed = _signed_data(signature)
        cert = _signer_certificate(signed)
    except Exception:  # noqa: BLE001
        return DetachedCheck(False, "unreadable")
    if moment is None:
        return DetachedCheck(False, "no_timestamp", certificate=cert)
    if cert.dump() not in {c.dump() for c in certificates}:
        return DetachedCheck(False, "foreign", certificate=cert, timestamped_at=moment)
    try:
        intact, valid = validate_sig_integrity(
            signed["signer_infos"][0], cert, "data", hashlib.sha256(data).digest())
    except Exception:  # noqa: BLE001
        intact = valid = False
    if not (intact and valid):
        return DetachedCheck(False, "altered", certificate=cert, timestamped_at=moment)
    validity = cert["tbs_certificate"]["validity"]
    if not validity["not_before"].native <= moment <= validity["not_after"].native:
        return DetachedCheck(False, "expired", certificate=cert, timestamped_at=moment)
    return DetachedCheck(True, "ok", certificate=cert, timestamped_at=moment)


def token_time(token: bytes) -> datetime.datetime:
    info = cms.ContentInfo.load(token)
    tst_info = info["content"]["encap_content_info"]["content"].parsed
    assert isinstance(tst_info, tsp.TSTInfo)
    return tst_info["gen_time"].native

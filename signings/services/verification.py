"""Public verification: by code (the QR on the PDF) and by uploading a PDF."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from signings.models import Signature
from signings.models.signature import VERIFICATION_ALPHABET, VERIFICATION_CODE_LENGTH
from signings.pdf import seal
from signings.services import pacts, seal_certificates

CODE_RE = re.compile(f"^[{VERIFICATION_ALPHABET}]{{{VERIFICATION_CODE_LENGTH}}}$")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def normalise_code(code: str) -> str:
    return (code or "").strip().upper().replace("-", "").replace(" ", "")


def find_by_code(code: str) -> Signature | None:
    code = normalise_code(code)
    if not CODE_RE.match(code):
        return None
    return Signature.objects.select_related("employee__agency", "event__agency").filter(
        verification_code=code).first()


def _check_seal(data: bytes) -> seal.SealCheck:
    """Sealed by any certificate this installation ever registered (renewals, a replaced key
    file), and that certificate was valid at the seal's timestamp."""
    accepted = seal_certificates.certificates()
    try:
        accepted.append(seal.seal_certificate())
    except seal.SealConfigurationError:
        pass  # no current key: the registered ones still vouch for what they sealed
    check = seal.check_seal(data, certificates=accepted)
    if check.valid and seal_certificates.is_registered(check.certificate) and \
            not seal_certificates.valid_at(check.certificate, check.sealed_at):
        return seal.SealCheck(False, "expired", check.certificate, check.sealed_at,
                              check.timestamped)
    return check


@dataclass(frozen=True)
class UploadVerdict:
    issued: bool  # exactly a document we issued, seal intact
    reason: str  # ok / unknown_hash / seal_<reason> / other_document
    signature: Signature | None


def check_upload(data: bytes, *, expected: Signature | None = None) -> UploadVerdict:
    """Is this file, byte for byte, a pact PDF we issued, with our seal intact?"""
    file_sha = hashlib.sha256(data).hexdigest()
    signature = pacts.issued_sha256_known(file_sha)
    seal_check = _check_seal(data)
    if signature is None:
        return UploadVerdict(False, "unknown_hash", None)
    if expected is not None and signature.pk != expected.pk:
        return UploadVerdict(False, "other_document", signature)
    if not seal_check.valid:
        return UploadVerdict(False, f"seal_{seal_check.reason}", signature)
    return UploadVerdict(True, "ok", signature)

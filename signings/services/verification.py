"""Public verification: by code (the QR on the PDF) and by uploading a PDF."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from signings.models import EventRecap, Signature
from signings.models.signature import VERIFICATION_ALPHABET, VERIFICATION_CODE_LENGTH
from signings.pdf import seal
from signings.services import pacts, recaps, seal_certificates

CODE_RE = re.compile(f"^[{VERIFICATION_ALPHABET}]{{{VERIFICATION_CODE_LENGTH}}}$")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def normalise_code(code: str) -> str:
    return (code or "").strip().upper().replace("-", "").replace(" ", "")


def find_by_code(code: str) -> Signature | EventRecap | None:
    """The pact, or the event recap, printed with this code (one code space for both)."""
    code = normalise_code(code)
    if not CODE_RE.match(code):
        return None
    signature = Signature.objects.select_related(
        "employee__agency", "event__agency", "event__template_version", "witness",
        "witness_signature__witness").filter(
        verification_code=code).first()
    if signature is not None:
        return signature
    return EventRecap.objects.select_related("event__agency", "event__template_version").filter(
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
    issued: bool  # exactly a document we issued, seal intact, and still standing
    reason: str  # ok / voided / unknown_hash / seal_<reason> / other_document
    document: Signature | EventRecap | None

    @property
    def signature(self) -> Signature | None:
        return self.document if isinstance(self.document, Signature) else None


def check_upload(data: bytes, *,
                 expected: Signature | EventRecap | None = None) -> UploadVerdict:
    """Is this file, byte for byte, a pact or recap PDF we issued, with our seal intact?

    A voided pact's genuine file is not `issued`: it is what was signed, but it no longer
    stands, and nobody must read it as valid."""
    file_sha = hashlib.sha256(data).hexdigest()
    document = pacts.issued_sha256_known(file_sha) or recaps.issued_sha256_known(file_sha)
    seal_check = _check_seal(data)
    if document is None:
        return UploadVerdict(False, "unknown_hash", None)
    if expected is not None and document != expected:
        return UploadVerdict(False, "other_document", document)
    if not seal_check.valid:
        return UploadVerdict(False, f"seal_{seal_check.reason}", document)
    if isinstance(document, Signature) and document.is_void:
        return UploadVerdict(False, "voided", document)
    return UploadVerdict(True, "ok", document)

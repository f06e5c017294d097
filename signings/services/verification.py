"""Public verification: by code (the QR on the PDF) and by uploading a PDF."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from signings.models import Signature
from signings.models.signature import VERIFICATION_ALPHABET, VERIFICATION_CODE_LENGTH
from signings.pdf import seal
from signings.services import pacts

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


@dataclass(frozen=True)
class UploadVerdict:
    issued: bool  # exactly a document we issued, seal intact
    reason: str  # ok / unknown_hash / seal_<reason> / other_document
    signature: Signature | None


def check_upload(data: bytes, *, expected: Signature | None = None) -> UploadVerdict:
    """Is this file, byte for byte, a pact PDF we issued, with our seal intact?"""
    file_sha = hashlib.sha256(data).hexdigest()
    signature = pacts.issued_sha256_known(file_sha)
    seal_check = seal.check_seal(data)
    if signature is None:
        return UploadVerdict(False, "unknown_hash", None)
    if expected is not None and signature.pk != expected.pk:
        return UploadVerdict(False, "other_document", signature)
    if not seal_check.valid:
        return UploadVerdict(False, f"seal_{seal_check.reason}", signature)
    return UploadVerdict(True, "ok", signature)

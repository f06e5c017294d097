"""The agency seal made by BSrE (PAKTA_SIGNING_BACKEND=bsre), and the check of what comes back.

BSrE returns a new file. It is stored only when it is our document with one signature added:
it starts with exactly the bytes we sent (an incremental update), its one signature is intact
and covers the whole returned file, and that signature is the seal, not a person's. The seal's
certificate then goes into the register (signings/services/seal_certificates.py), so the
upload check on /v/ accepts BSrE-sealed files like locally sealed ones.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from signings.pdf import bsre
from signings.pdf.seal import _outside_event_loop


@dataclass(frozen=True)
class BsreSeal:
    pdf: bytes
    certificate: asn1_x509.Certificate


def readable_pdf(pdf: bytes) -> bool:
    """BSrE answers an unreadable file with a bare 500, indistinguishable from an outage; so
    what it could never sign is refused here, before sending, and not retried."""
    try:
        PdfFileReader(io.BytesIO(pdf), strict=False).root  # noqa: B018 - parse the trailer
    except Exception:  # noqa: BLE001
        return False
    return pdf.startswith(b"%PDF-")


def seal_pdf(pdf: bytes, *, reason: str, location: str) -> BsreSeal:
    if not readable_pdf(pdf):
        raise bsre.BsreRefusedError(_("Dokumen bukan PDF yang dapat dibaca; BSrE tidak akan "
                                 "menyegelnya."))
    if not (settings.PAKTA_BSRE_SEAL_ID and settings.PAKTA_BSRE_SEAL_TOTP):
        raise bsre.BsreConfigurationError(_("PAKTA_BSRE_SEAL_ID dan PAKTA_BSRE_SEAL_TOTP belum "
                                            "diisi (docs/bsre.md)."))
    sealed = bsre.client().seal_pdfs(
        [pdf], properties=bsre.SignatureProperties(reason=reason, location=location),
        id_subscriber=settings.PAKTA_BSRE_SEAL_ID, seal_totp=settings.PAKTA_BSRE_SEAL_TOTP,
    )[0]
    return BsreSeal(sealed, added_signature(pdf, sealed))


def added_signature(sent: bytes, returned: bytes) -> asn1_x509.Certificate:
    """The certificate of the one signature BSrE added to `sent`; BsreRefusedError when the file is
    anything else (and then it is never stored)."""
    return _outside_event_loop(_added_signature, sent, returned)


def _added_signature(sent: bytes, returned: bytes) -> asn1_x509.Certificate:
    wrong = bsre.BsreRefusedError(_("Berkas dari BSrE bukan dokumen yang dikirim dengan satu tanda "
                               "tangan yang utuh; tidak disimpan."))
    if not returned.startswith(sent) or len(returned) == len(sent):
        raise wrong
    try:
        before = len(PdfFileReader(io.BytesIO(sent), strict=False).embedded_signatures)
        embedded = PdfFileReader(io.BytesIO(returned), strict=False).embedded_signatures
        if len(embedded) != before + 1:
            raise wrong
        signature = embedded[-1]
        certificate = signature.signer_cert
        status = validate_pdf_signature(signature, ValidationContext(
            trust_roots=[certificate], allow_fetching=False))
    except bsre.BsreRefusedError:
        raise
    except Exception:  # noqa: BLE001 - unreadable, or a signature pyHanko cannot follow
        raise wrong from None
    if not (status.intact and status.valid) or status.coverage is None \
            or status.coverage.name != "ENTIRE_FILE":
        raise wrong
    return certificate

"""Helpers for the PDF, audit and verification tests: signing people and reading PDFs back."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import pdfplumber
import zxingcpp
from django.core.files.base import ContentFile
from PIL import Image

from signings.models import ExpectedSigner, SignatureMethod
from signings.services import signatures
from signings.services.context import AuditContext
from signings.services.signatures import Submission
from tests import factories


def sign(event, employee, *, officer, method=SignatureMethod.OFFICER, **extra):
    ExpectedSigner.objects.get_or_create(event=event, employee=employee)
    image = None if method == SignatureMethod.PAPER else factories.signature_png()
    result = signatures.record_signature(
        event=event,
        employee=employee,
        submission=Submission(method=method, image_png=image,
                              template_hash=event.template_version.content_hash, **extra),
        context=AuditContext.for_user(officer),
    )
    return result.signature


def paper_scan_jpeg() -> ContentFile:
    image = Image.new("RGB", (400, 560), (250, 250, 245))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return ContentFile(out.getvalue(), name="scan.jpg")


def pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def decode_qr_codes(data: bytes) -> list[str]:
    """Rasterise the first page as a person's scanner would see it, and decode every QR."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "doc.pdf"
        source.write_bytes(data)
        subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(source),
                        str(Path(tmp) / "page")], check=True)
        page = next(Path(tmp).glob("page*.png"))
        return [r.text for r in zxingcpp.read_barcodes(Image.open(page))]


def decode_embedded_qr_images(data: bytes) -> list[str]:
    """Decode the QR straight from the image embedded in the PDF (no rasterising)."""
    from pypdf import PdfReader

    texts = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for embedded in page.images:
            image = embedded.image.convert("L")
            # Upscale so every module spans several pixels, as a phone camera would see it.
            image = image.resize((image.width * 4, image.height * 4), Image.NEAREST)
            texts += [r.text for r in zxingcpp.read_barcodes(image)]
    return texts

"""The signed pact: one A4 document per signature, text exactly as the signed template version."""

from __future__ import annotations

import base64
import hashlib
from pathlib import PurePosixPath

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from signings.models import Signature, SignatureMethod, WitnessSignature
from signings.pdf import dates, engine, evidence, pact_text
from signings.pdf.fetcher import SafeURLFetcher

PACT_LANGUAGE = "id"
IMAGE_SCAN_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


class TemplateMismatchError(RuntimeError):
    """The event's template version no longer hashes to what the signer signed."""


def verification_url(code: str) -> str:
    return settings.PAKTA_PUBLIC_BASE_URL.rstrip("/") + reverse("verify:signature", args=[code])


def qr_data_url(url: str) -> str:
    # Error level M survives a coffee stain or a crease on a printout.
    return segno.make(url, error="m", micro=False).png_data_uri(scale=6, border=2)


def _read(field) -> bytes | None:
    if not field:
        return None
    try:
        with field.open("rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError):
        return None


def _data_url(data: bytes | None, media_type: str) -> str:
    if data is None:
        return ""
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def letterhead_for(agency) -> dict[str, str]:
    government = agency.government
    return {
        "government": government.name if government.pk != agency.pk else "",
        "agency": agency.name,
        "address": agency.address or government.address,
    }


def witness_signature_of(signature: Signature) -> WitnessSignature | None:
    """The witness's signature of this pact, or None (no query when select_related)."""
    try:
        return signature.witness_signature
    except WitnessSignature.DoesNotExist:
        return None


def witness_block(signature: Signature) -> dict | None:
    """The "Menyaksikan" side of the signature block (Permenpan RB 49/2011), or None when the
    version has none. Pending, it names the witness and leaves their signature empty."""
    if not signature.event.template_version.witness_required:
        return None
    signed = witness_signature_of(signature)
    person = signed.witness if signed is not None else signature.witness
    if person is None:
        return {"position": "", "name": "", "identity_label": "NIP", "identity_value": "",
                "image_data_url": "", "signed": False}
    label, value = pact_text.identity_for(person)
    return {
        "position": person.position,
        "name": person.display_name,
        "identity_label": label,
        "identity_value": value,
        "image_data_url": _data_url(_read(signed.image), "image/png") if signed else "",
        "signed": signed is not None,
    }


def pact_context(signature: Signature) -> dict:
    event = signature.event
    version = event.template_version
    if version.content_hash != signature.template_hash:
        raise TemplateMismatchError(
            f"Signature {signature.pk}: template hash changed since signing."
        )
    employee = signature.employee
    label, value = pact_text.identity_for(employee)
    tz_name = event.agency.timezone
    method_note = ""
    no_image_text = "Tanda tangan elektronik tercatat di sistem Pakta."
    scan_data_url = ""
    scan = _read(signature.paper_scan)
    if signature.method == SignatureMethod.PAPER:
        method_note = (
            "Pakta ini ditandatangani di atas kertas; pindaiannya tersimpan di sistem Pakta "
            "dan tercatat pada " + dates.indonesian_datetime(signature.signed_at, tz_name) + "."
        )
        no_image_text = "Ditandatangani di atas kertas (lihat pindaian)."
        suffix = PurePosixPath(signature.paper_scan.name or "").suffix.lower()
        if suffix in IMAGE_SCAN_TYPES:
            scan_data_url = _data_url(scan, IMAGE_SCAN_TYPES[suffix])
    elif signature.method == SignatureMethod.REPRESENTATIVE:
        method_note = f"Ditandatangani sebagai perwakilan dari: {signature.represented_group}."
    place_and_date = dates.place_and_date(event.agency.city, signature.signed_at, tz_name)
    image = _read(signature.image)
    return {
        **pact_text.body_context(version, employee, place_and_date),
        "signature": signature,
        "event": event,
        "version": version,
        "employee": employee,
        "identity_label": label,
        "identity_value": value,
        "letterhead": letterhead_for(event.agency),
        "signature_data_url": _data_url(image, "image/png"),
        "witness": witness_block(signature),
        "no_image_text": no_image_text,
        "scan_data_url": scan_data_url,
        "method_note": method_note,
        "verify_url": verification_url(signature.verification_code),
        "qr_data_url": qr_data_url(verification_url(signature.verification_code)),
        "created_iso": dates.local(signature.signed_at, tz_name).isoformat(timespec="seconds"),
        "evidence": evidence.sections(
            signature, image_sha256=sha256(image) if image is not None else None,
            scan_sha256=sha256(scan) if scan is not None else None),
        "evidence_zone": dates.zone_name(tz_name),
        # Safe: constant markup; the counters are filled in by pact.css on every page.
        "page_no": mark_safe('<span class="page-no"></span>'),  # noqa: S308
        "page_count": mark_safe('<span class="page-count"></span>'),  # noqa: S308
    }


def render_pact(signature: Signature, *, fetcher: SafeURLFetcher | None = None) -> bytes:
    """The unsealed pact. Deterministic: the same signature gives the same bytes."""
    # An Indonesian document whatever the reader's language: a re-render from an English
    # session must give the same content as the worker's first render.
    with translation.override(PACT_LANGUAGE):
        html = render_to_string("pdf/pact.html", pact_context(signature))
    return engine.render_pdf(html, stylesheet="pact", fetcher=fetcher)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

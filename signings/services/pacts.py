"""Rendering, sealing and storing the signed pact PDF of a signature."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from signings.models import AuditEntry, SealStatus, Signature
from signings.pdf import bsre
from signings.pdf.pact import render_pact, sha256
from signings.services import audit, bsre_queue, seal_certificates
from signings.services.context import AuditContext

logger = logging.getLogger(__name__)

ACTION_RENDERED = "signing.pdf.rendered"
ACTION_RERENDERED = "signing.pdf.rerendered"


def _load(signature_id: int) -> Signature:
    return Signature.objects.select_related(
        "event__agency", "event__template_version__template", "employee__agency", "device",
        "officer", "responsible_officer",
    ).get(pk=signature_id)


def pdf_file_exists(signature: Signature) -> bool:
    name = signature.pdf.name
    return bool(name and signature.pdf.storage.exists(name))


def first_render_entry(signature: Signature) -> AuditEntry | None:
    return (
        AuditEntry.objects.for_object(signature).filter(action=ACTION_RENDERED)
        .order_by("id").first()
    )


def render_and_store(*, signature_id: int, context: AuditContext) -> Signature:
    """Render, seal and store the pact once; again only when its file has gone missing.

    A re-render is compared with the first one through the hash of the unsealed document
    (rendering is deterministic, the seal is not: it carries the signing time), and the
    comparison goes into the audit log.
    """
    signature = _load(signature_id)
    if pdf_file_exists(signature):
        return signature
    unsealed = render_pact(signature)
    content_sha = sha256(unsealed)
    try:
        sealed = seal_certificates.seal_document(
            unsealed,
            title=signature.event.template_version.title,
            signer=signature.employee.display_name,
            location=signature.event.agency.city,
            context=AuditContext.system("system:pdf"),
        )
    except bsre.BsreError as error:
        bsre_queue.seal_not_made(signature=signature, error=error, context=context)
        return _load(signature_id)
    file_sha = sha256(sealed)
    # The file is written before the transaction: a crash in between leaves an orphan file,
    # never a row pointing at nothing. Each render gets a name of its own: two workers
    # rendering the same pact at once never write over each other's file, on a bucket either
    # (whose "is this name taken?" is no lock).
    name = signature.pdf.storage.save(
        signature.pdf.field.generate_filename(
            signature, f"{signature.submission_id}-{secrets.token_hex(4)}.pdf"),
        ContentFile(sealed),
    )
    with transaction.atomic():
        locked = Signature.objects.select_for_update().get(pk=signature.pk)
        current = locked.pdf.name
        if current and current != name and locked.pdf.storage.exists(current):
            # Another worker finished first: keep its file.
            transaction.on_commit(lambda: signature.pdf.storage.delete(name))
            return _load(signature_id)
        first = first_render_entry(signature)
        was_awaiting = locked.seal_status == SealStatus.AWAITING
        locked.pdf.name = name
        locked.pdf_sha256 = file_sha
        locked.pdf_rendered_at = timezone.now()
        locked.seal_status, locked.seal_attempts = SealStatus.SEALED, 0
        locked.save(update_fields=["pdf", "pdf_sha256", "pdf_rendered_at", "seal_status",
                                   "seal_attempts"])
        details: dict[str, object] = {
            "sha256": file_sha, "content_sha256": content_sha, "file": name,
            "rendered_at": locked.pdf_rendered_at.isoformat(timespec="microseconds"),
            "sealed_by": settings.PAKTA_SIGNING_BACKEND}
        if was_awaiting:
            details["seal_awaited"] = True
        if settings.PAKTA_SIGNING_BACKEND == "bsre":
            bsre_queue.seal_made()
        if first is not None:
            same = first.details.get("content_sha256") == content_sha
            details.update({"same_content_as_first": same,
                            "first_sha256": first.details.get("sha256", "")})
            if not same:
                logger.error("Re-rendered pact of signature %s differs from the first render.",
                             signature.pk)
        audit.record(
            action=ACTION_RERENDERED if first is not None else ACTION_RENDERED,
            obj=locked, agency=signature.employee.agency, details=details,
            context=context,
        )
    return _load(signature_id)


def ensure_pdf(signature: Signature, *, context: AuditContext) -> Signature:
    """The signature with its PDF on disk, re-rendering when the file is missing. With the
    BSrE seal out of reach it comes back without a file, its seal_status saying why: callers
    never offer an unsealed pact."""
    if pdf_file_exists(signature):
        return signature
    if signature.seal_missing and bsre_queue.known_down():
        return signature  # the retry task will seal it; nobody waits for BSrE's timeout here
    return render_and_store(signature_id=signature.pk, context=context)


def issued_sha256_known(file_sha: str) -> Signature | None:
    """The signature whose PDF (current, or any earlier render) has this SHA-256."""
    current = Signature.objects.filter(pdf_sha256=file_sha).select_related(
        "employee__agency", "event__agency").first()
    if current is not None:
        return current
    entry = AuditEntry.objects.filter(
        action__in=[ACTION_RENDERED, ACTION_RERENDERED], details__sha256=file_sha,
        object_type=Signature._meta.label_lower,
    ).first()
    if entry is None:
        return None
    return Signature.objects.filter(pk=entry.object_id).select_related(
        "employee__agency", "event__agency").first()

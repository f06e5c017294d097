"""Rendering, sealing and storing the signed pact PDF of a signature."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from signings import jobs
from signings.models import AuditEntry, SealStatus, Signature
from signings.pdf import bsre
from signings.pdf.pact import render_pact, sha256, witness_signature_of
from signings.services import audit, bsre_queue, seal_certificates
from signings.services.context import AuditContext

logger = logging.getLogger(__name__)

ACTION_RENDERED = "signing.pdf.rendered"
ACTION_RERENDERED = "signing.pdf.rerendered"
# A new sealed file of a pact once its witness has signed; the earlier file stays valid.
ACTION_WITNESSED = "signing.pdf.witnessed"
ISSUE_ACTIONS = (ACTION_RENDERED, ACTION_RERENDERED, ACTION_WITNESSED)


def _load(signature_id: int) -> Signature:
    return Signature.objects.select_related(
        "event__agency", "event__template_version__template", "employee__agency", "device",
        "officer", "responsible_officer", "witness__agency", "witness_signature__witness__agency",
        "witness_signature__officer",
    ).get(pk=signature_id)


def _witness_id(signature: Signature) -> int | None:
    signed = witness_signature_of(signature)
    return signed.pk if signed is not None else None


def _issue_entries(signature: Signature) -> list[AuditEntry]:
    return list(AuditEntry.objects.for_object(signature).filter(action__in=ISSUE_ACTIONS)
                .order_by("id"))


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
    comparison goes into the audit log. When the BSrE seal cannot be made the pact is left
    awaiting it, without a file (services/bsre_queue.py).
    """
    signature = _load(signature_id)
    if pdf_file_exists(signature):
        return signature
    witnessed = _witness_id(signature)
    try:
        content_sha, file_sha, name = _render_seal_store(signature)
    except bsre.BsreError as error:
        bsre_queue.seal_not_made(signature=signature, error=error, context=context)
        return _load(signature_id)
    with transaction.atomic():
        locked = Signature.objects.select_for_update().get(pk=signature.pk)
        current = locked.pdf.name
        if current and current != name and locked.pdf.storage.exists(current):
            # Another worker finished first: keep its file.
            transaction.on_commit(lambda: signature.pdf.storage.delete(name))
            return _load(signature_id)
        first = first_render_entry(signature)
        # A re-render compares with the first render of the same state: before the witness
        # signed, the first render; after, the first witnessed one.
        reference = next((entry for entry in _issue_entries(signature)
                          if entry.details.get("witness_signature") == witnessed), None)
        details = _store_sealed(locked, name=name, file_sha=file_sha, content_sha=content_sha)
        details["witness_signature"] = witnessed
        if first is not None:
            reference = reference or first
            same = reference.details.get("content_sha256") == content_sha
            details.update({"same_content_as_first": same,
                            "first_sha256": reference.details.get("sha256", "")})
            if not same:
                logger.error("Re-rendered pact of signature %s differs from the first render.",
                             signature.pk)
        audit.record(
            action=ACTION_RERENDERED if first is not None else ACTION_RENDERED,
            obj=locked, agency=signature.employee.agency, details=details,
            context=context,
        )
    return _load(signature_id)


def _render_seal_store(signature: Signature) -> tuple[str, str, str]:
    """(unsealed content SHA-256, sealed file SHA-256, stored name) of a fresh render. Raises
    bsre.BsreError when the BSrE seal could not be made; nothing is stored then."""
    unsealed = render_pact(signature)
    sealed = seal_certificates.seal_document(
        unsealed,
        title=signature.event.template_version.title,
        signer=signature.employee.display_name,
        location=signature.event.agency.city,
        context=AuditContext.system("system:pdf"),
    )
    # The file is written before the transaction: a crash in between leaves an orphan file,
    # never a row pointing at nothing. Each render gets a name of its own: two workers
    # rendering the same pact at once never write over each other's file, on a bucket either
    # (whose "is this name taken?" is no lock).
    name = signature.pdf.storage.save(
        signature.pdf.field.generate_filename(
            signature, f"{signature.submission_id}-{secrets.token_hex(4)}.pdf"),
        ContentFile(sealed),
    )
    return sha256(unsealed), sha256(sealed), name


def _store_sealed(locked: Signature, *, name: str, file_sha: str,
                  content_sha: str) -> dict[str, object]:
    """Point the locked row at its new sealed file; the audit details every issue shares."""
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
    return details


def _current_is_witnessed(signature: Signature, witnessed: int) -> bool:
    return any(entry.details.get("sha256") == signature.pdf_sha256
               and entry.details.get("witness_signature") == witnessed
               for entry in _issue_entries(signature))


def issue_witnessed(*, signature_id: int, context: AuditContext) -> Signature:
    """Issue the pact again, sealed, with the witness's signature in its "Menyaksikan" block.

    The file sealed before the witness signed is kept and still verifies (its SHA-256 is in
    the audit log: `issued_sha256_known`); the signature points at the new one from now on.
    Safe to run twice, or before the first render: a pact whose current file already shows
    the witness is left alone. While BSrE cannot seal, the earlier sealed file stays the
    current one and the re-issue is tried again later.
    """
    signature = ensure_pdf(_load(signature_id), context=context)
    witnessed = _witness_id(signature)
    if witnessed is None or not pdf_file_exists(signature) \
            or _current_is_witnessed(signature, witnessed):
        return signature
    try:
        content_sha, file_sha, name = _render_seal_store(signature)
    except bsre.BsreError as error:
        _witnessed_seal_not_made(signature, error, context)
        return _load(signature_id)
    with transaction.atomic():
        locked = Signature.objects.select_for_update().get(pk=signature.pk)
        if _current_is_witnessed(locked, witnessed):
            transaction.on_commit(lambda: signature.pdf.storage.delete(name))
            return _load(signature_id)
        previous = {"previous_sha256": locked.pdf_sha256, "previous_file": locked.pdf.name}
        details = _store_sealed(locked, name=name, file_sha=file_sha, content_sha=content_sha)
        audit.record(
            action=ACTION_WITNESSED, obj=locked, agency=signature.employee.agency,
            details={**details, "witness_signature": witnessed, **previous},
            context=context,
        )
    return _load(signature_id)


def _witnessed_seal_not_made(signature: Signature, error: bsre.BsreError,
                             context: AuditContext) -> None:
    """The pact keeps its earlier sealed file (it is still a valid pact); the witnessed issue
    waits for BSrE like any other seal."""
    with transaction.atomic():
        details: dict[str, object] = {"backend": "bsre", "error": error.message,
                                      "code": error.code, "http_status": error.http_status,
                                      "witnessed_reissue": True}
        if error.retryable:
            retry_in = float(settings.PAKTA_BSRE_RETRY_MAX_SECONDS)
            details["retry_in_seconds"] = retry_in
            jobs.enqueue_later_on_commit("issue_witnessed_pdf", signature.pk, seconds=retry_in)
        audit.record(action=bsre_queue.ACTION_SEAL_AWAITING if error.retryable
                     else bsre_queue.ACTION_SEAL_REFUSED, obj=signature,
                     agency=signature.employee.agency, details=details, context=context)
    logger.warning("BSrE did not seal the witnessed pact %s: %s", signature.pk, error.message)


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
        action__in=ISSUE_ACTIONS, details__sha256=file_sha,
        object_type=Signature._meta.label_lower,
    ).first()
    if entry is None:
        return None
    return Signature.objects.filter(pk=entry.object_id).select_related(
        "employee__agency", "event__agency").first()

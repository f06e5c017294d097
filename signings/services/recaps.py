"""Issuing the recap of an event: rendered once per state of the event, sealed like a pact,
with its own verification code, the audit chain head at its making, and its hash in the log.

A 1,000-signatory recap takes WeasyPrint over ten seconds of CPU in one pass (in chunks over
worker processes above PAKTA_RECAP_CHUNK_ROWS signatories); auditors download the recap of
a closed event again and again and the archive task renders it too, so a state is rendered
once and its sealed file kept (signings/models/recap.py).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from signings.models import AuditEntry, EventRecap, Signature, SigningEvent
from signings.models.signature import new_verification_code
from signings.pdf import recap as recap_pdf
from signings.pdf import recap_chunks
from signings.services import audit, chain_head, seal_certificates
from signings.services.context import AuditContext

ACTION_SEALED = "audit.recap.sealed"


@dataclass(frozen=True)
class IssuedRecap:
    recap: EventRecap
    data: bytes


def state_fingerprint(event: SigningEvent) -> str:
    """What the recap prints, not when: the event's record plus who answers for it."""
    state = [recap_pdf.recap_fingerprint(event), event.opened_by_id, event.closed_by_id,
             event.created_by_id]
    return hashlib.sha256(json.dumps(state, default=str).encode()).hexdigest()


def _new_code() -> str:
    """A code no pact and no recap has: both are looked up on the same /v/ page."""
    while True:
        code = new_verification_code()
        if not (Signature.objects.filter(verification_code=code).exists()
                or EventRecap.objects.filter(verification_code=code).exists()):
            return code


def _read(recap: EventRecap) -> bytes | None:
    name = recap.file.name
    if not name or not recap.file.storage.exists(name):
        return None
    with recap.file.open("rb") as handle:
        data: bytes = handle.read()
    return data


def _sealed(event: SigningEvent, evidence: recap_pdf.RecapEvidence,
            context: AuditContext) -> tuple[bytes, str]:
    if recap_chunks.should_chunk(event):
        unsealed = recap_chunks.render_chunked(event, evidence=evidence)
    else:
        unsealed = recap_pdf.render_recap(event, evidence=evidence)
    sealed = seal_certificates.seal_document(
        unsealed, title=recap_pdf.recap_title(event),
        signer=f"{event.title} ({event.date:%d-%m-%Y})", location=event.agency.city,
        context=context,
    )
    return sealed, hashlib.sha256(unsealed).hexdigest()


def stored_recap(event: SigningEvent) -> IssuedRecap | None:
    """The recap of the event's current state when it was issued before and its file is
    there; None when issuing it would render (and seal) it now."""
    existing = EventRecap.objects.filter(event=event, state=state_fingerprint(event)).first()
    data = _read(existing) if existing is not None else None
    return IssuedRecap(existing, data) if existing is not None and data is not None else None


def issue_recap(*, event: SigningEvent, context: AuditContext) -> IssuedRecap:
    """The sealed recap of the event as it stands: the stored one when this state was issued
    before, else rendered, sealed, stored and logged now. A state whose file went missing is
    issued again under the same code, and the log says which file it replaces."""
    event = SigningEvent.objects.select_related(
        "agency", "template_version", "opened_by", "closed_by", "created_by").get(pk=event.pk)
    state = state_fingerprint(event)
    existing = EventRecap.objects.filter(event=event, state=state).first()
    if existing is not None:
        data = _read(existing)
        if data is not None:
            return IssuedRecap(existing, data)
    head = chain_head.current_head(agency=event.agency)
    evidence = recap_pdf.RecapEvidence(
        verification_code=existing.verification_code if existing else _new_code(),
        chain_head=head.entry_hash, chain_count=head.count, made_at=timezone.now(),
    )
    sealed, content_sha = _sealed(event, evidence, context)
    file_sha = hashlib.sha256(sealed).hexdigest()
    # Written before the transaction: a crash in between leaves an orphan file, never a row
    # pointing at nothing. A name of its own per issue: two issuing the same state at once
    # never write over each other's file.
    storage = EventRecap._meta.get_field("file").storage
    name = storage.save(
        EventRecap._meta.get_field("file").generate_filename(
            # The stubs want a model instance; upload_to is a string, so Django never reads it.
            None,  # type: ignore[arg-type]
            f"rekap-{event.pk}-{evidence.verification_code}-{secrets.token_hex(4)}.pdf"),
        ContentFile(sealed))
    with transaction.atomic():
        recap, created = EventRecap.objects.select_for_update().get_or_create(
            event=event, state=state, defaults={
                "verification_code": evidence.verification_code, "sha256": file_sha,
                "content_sha256": content_sha, "file": name, "chain_head": head.entry_hash,
                "chain_count": head.count, "made_at": evidence.made_at,
            })
        replaces = ""
        if not created:
            if recap.verification_code != evidence.verification_code or (
                    recap.sha256 != (existing.sha256 if existing else "")):
                # Another request issued this state meanwhile: keep its file, drop ours.
                transaction.on_commit(lambda: storage.delete(name))
                return IssuedRecap(recap, _read(recap) or b"")
            replaces = recap.sha256
            recap.sha256, recap.content_sha256, recap.file.name = file_sha, content_sha, name
            recap.chain_head, recap.chain_count = head.entry_hash, head.count
            recap.made_at = evidence.made_at
            recap.save()
        details = {
            "recap": recap.pk, "verification_code": recap.verification_code,
            "sha256": file_sha, "content_sha256": content_sha, "file": name, "state": state,
            "chain_head": head.entry_hash, "chain_count": head.count,
        }
        if replaces:
            details["replaces_sha256"] = replaces
        audit.record(action=ACTION_SEALED, obj=event, agency=event.agency, details=details,
                     context=context)
    return IssuedRecap(recap, sealed)


def issued_sha256_known(file_sha: str) -> EventRecap | None:
    """The recap whose file (current, or an earlier issue of the same state) has this hash."""
    current = EventRecap.objects.filter(sha256=file_sha).select_related(
        "event__agency", "event__template_version").first()
    if current is not None:
        return current
    entry = AuditEntry.objects.filter(action=ACTION_SEALED, details__sha256=file_sha).first()
    if entry is None:
        return None
    return EventRecap.objects.filter(pk=entry.details.get("recap")).select_related(
        "event__agency", "event__template_version").first()


def latest_recap(event: SigningEvent) -> EventRecap | None:
    return EventRecap.objects.filter(event=event).order_by("-made_at", "-pk").first()

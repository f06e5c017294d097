"""Recording and voiding signatures: the one write path for every signing method.

Modelled on a locked, idempotent check-in: the expected-signer row is locked, so two tablets
racing for the same person produce exactly one signature; a resent submission (same
submission_id, same payload) returns the original; every refusal carries a stable error code.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from signings import jobs
from signings.consent import CONSENT_STATEMENT, consent_hash
from signings.errors import PaktaError
from signings.models import (
    Agency,
    AttendanceOutcome,
    Employee,
    EventStatus,
    IdentityCheck,
    IdentityMethod,
    IdentityResult,
    Signature,
    SignatureMethod,
    SigningEvent,
    rows,
)
from signings.models.identity_lock import MAX_WRONG_ATTEMPTS
from signings.services import audit, identity_checks, kiosk, signing_locks, tablet_times
from signings.services.context import AuditContext
from signings.signature_image import CleanSignature, clean_signature_png


class SigningError(PaktaError):
    """A refused signature; on 409 `detail` describes the standing signature."""


@dataclass(frozen=True)
class SigningResult:
    signature: Signature
    created: bool  # False when a resent submission returned the original


@dataclass(frozen=True, kw_only=True)
class Submission:
    """What was sent to be signed, by any method: the tablet's JSON, the officer's pad, a
    paper scan. Who sent it and from where is the AuditContext's business."""

    method: str
    template_hash: str
    image_png: bytes | None = None
    strokes: list | None = None
    submission_id: uuid.UUID | None = None
    # The tablet's clock when the person signed and when it sent (offline tablets send late).
    client_signed_at: datetime.datetime | None = None
    client_sent_at: datetime.datetime | None = None
    birth_date_claim: datetime.date | None = None
    represented_group: str = ""
    paper_scan: ContentFile | None = None
    # Evidence: sha256 of the consent statement shown and when it was ticked (tablet clock);
    # how the tablet checked the birth date (IdentityMethod, birth_date_* only) and how many
    # wrong dates it checked itself before the right one (not yet reported to the server).
    consent_hash: str = ""
    consent_at: datetime.datetime | None = None
    identity_method: str = ""
    identity_wrong_attempts: int = 0
    # The tablet's times as it wrote them (client_signed_at, client_sent_at, consent_at): the
    # datetimes above are None where the text names no real moment (services/tablet_times.py).
    raw_times: Mapping[str, str] = field(default_factory=dict)


@functools.cache
def _signer_query() -> tuple[str, tuple[rows.Columns, rows.Columns]]:
    parts = (rows.Columns(Employee, "p"), rows.Columns(Agency, "a"))
    # Only names from the models' metadata are interpolated; the id is a parameter.
    sql = (
        f"SELECT {parts[0].sql}, {parts[1].sql} FROM {Employee._meta.db_table} p"  # noqa: S608
        f" JOIN {Agency._meta.db_table} a ON a.id = p.agency_id WHERE p.id = %s"
    )
    return sql, parts


def signer(employee_id: int) -> Employee:
    """The employee a tablet submits for, with their agency (whose government's audit chain
    records the signature). Written out rather than compiled from a queryset: it is on every
    submission (models/rows.py)."""
    sql, parts = _signer_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [employee_id])
        row = cursor.fetchone()
    if row is None:
        raise SigningError("employee.not_expected",
                           _("Pegawai ini tidak terdaftar sebagai peserta acara ini."))
    employee: Employee
    employee, agency = rows.split(row, *parts)
    employee.agency = agency
    return employee


def payload_fingerprint(*, event_id: int, employee_id: int, submission: Submission) -> str:
    client_signed_at = submission.client_signed_at
    raw = submission.raw_times.get("client_signed_at")
    data = {
        "event": event_id,
        "employee": employee_id,
        "image": hashlib.sha256(submission.image_png or b"").hexdigest(),
        "strokes": submission.strokes or [],
        # A time that names no real moment is fingerprinted as sent, so its resend matches.
        "client_signed_at": (client_signed_at.isoformat() if client_signed_at
                             else f"raw:{raw}" if raw is not None else None),
        "method": submission.method,
    }
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _already_signed_error(existing: Signature) -> SigningError:
    local = timezone.localtime(existing.signed_at)
    # No query when device_id is empty: Django answers None for an unset foreign key.
    where = existing.device.name if existing.device is not None else existing.get_method_display()
    return SigningError(
        "signature.already_signed",
        _("%(name)s sudah menandatangani pada %(time)s (%(where)s).")
        % {"name": existing.employee, "time": local.strftime("%d-%m-%Y %H:%M"), "where": where},
        status=409,
        detail={
            "employee_id": existing.employee_id,
            "signed_at": existing.signed_at.isoformat(),
            "where": existing.device.name if existing.device is not None else "",
            "method": existing.method,
        },
    )


@dataclass(frozen=True, kw_only=True)
class _Prepared:
    """What is worked out before the lock is taken."""

    clean: CleanSignature | None
    fingerprint: str
    times: tablet_times.TabletTimes


def record_signature(
    *,
    event: SigningEvent,
    employee: Employee,
    submission: Submission,
    context: AuditContext,
) -> SigningResult:
    """Record one signature. Raises SigningError with a code when it must be refused.

    Tablets also send `client_sent_at` (their clock when sending: the difference to ours is
    the clock offset, flagged when far off) and, when the event checks identity by birth date,
    the `birth_date_claim` the signer typed, which is checked again here. A person locked after
    three wrong birth dates is refused on every tablet with `identity.locked` (423) until an
    officer unlocks them (services.identity_checks.unlock_identity). The tablet, IP address
    and user agent come from the context.
    """
    method = submission.method
    image_bytes = submission.image_png or b""
    fingerprint = payload_fingerprint(event_id=event.pk, employee_id=employee.pk,
                                      submission=submission)
    # Check the image (chunks, pixel data, ink) outside the transaction: it is the slow part
    # and needs no lock.
    # (A resent submission is recognised inside the transaction, after the lock; resends are
    # rare, so checking for one here too would cost every first send a query.)
    clean = clean_signature_png(image_bytes) if method != SignatureMethod.PAPER or image_bytes \
        else None
    if method == SignatureMethod.PAPER and submission.paper_scan is None:
        raise SigningError(
            "signature.paper_scan_missing", _("Pindaian pakta kertas wajib diunggah.")
        )
    if method == SignatureMethod.REPRESENTATIVE and not submission.represented_group.strip():
        raise SigningError(
            "signature.group_missing", _("Sebutkan kelompok yang diwakili penanda tangan.")
        )
    times = tablet_times.judge(
        tablet_times.Readings(signed=submission.client_signed_at, sent=submission.client_sent_at,
                              consent=submission.consent_at, raw=submission.raw_times),
        event=event, device=context.device, received=timezone.now(),
        tablet=method == SignatureMethod.TABLET,
    )
    prepared = _Prepared(clean=clean, fingerprint=fingerprint, times=times)
    # From here on only trusted times: the rest is kept as text in untrusted_times.
    submission = replace(submission, client_signed_at=times.client_signed_at,
                         consent_at=times.consent_at)

    try:
        signature = _record_locked(event=event, employee=employee, submission=submission,
                                   prepared=prepared, context=context)
    except IntegrityError:
        # Two submissions with the same UUID for different people raced past the locks (they
        # lock different rows); the loser lands here once the winner has committed.
        previous = (
            Signature.objects.filter(submission_id=submission.submission_id).first()
            if submission.submission_id is not None else None
        )
        if previous is None:
            raise
        return _replay(previous, fingerprint)
    if isinstance(signature, SigningResult):
        return signature
    return SigningResult(signature=signature, created=True)


def _record_locked(
    *, event: SigningEvent, employee: Employee, submission: Submission, prepared: _Prepared,
    context: AuditContext,
) -> Signature | SigningResult:
    method = submission.method
    device = context.device
    with transaction.atomic():
        # Lock the event (shared) and the person's row on the expected list: concurrent
        # submissions for the same employee queue here and the second sees the first one's
        # signature.
        locked_event, expected = signing_locks.lock(event, employee.pk)
        standing = signing_locks.standing(submission.submission_id, locked_event.pk, employee.pk)
        if standing.previous_id is not None:
            return _replay(Signature.objects.get(pk=standing.previous_id), prepared.fingerprint)
        if locked_event.status != EventStatus.OPEN:
            raise SigningError(
                "event.not_open",
                _("Acara %(title)s tidak sedang dibuka; tanda tangan tidak dapat diterima.")
                % {"title": locked_event.title},
                status=409,
            )
        if not expected:
            raise SigningError(
                "employee.not_expected",
                _("Pegawai ini tidak terdaftar sebagai peserta acara ini."),
                status=422,
            )
        if submission.template_hash != locked_event.template_version.content_hash:
            raise SigningError(
                "template.mismatch",
                _("Teks pakta yang ditandatangani berbeda dengan teks acara ini. Muat ulang."),
                status=409,
            )
        if device is not None and (device.event_id != locked_event.pk or device.is_revoked):
            raise SigningError("device.invalid", _("Tablet ini tidak lagi terdaftar."), status=403)
        if method == SignatureMethod.TABLET:
            # Locked after wrong birth dates: no tablet may sign for them until an officer
            # has checked them face to face (an officer's own recording is that check).
            if standing.locked:
                raise identity_checks.locked_error(employee)
            _check_identity(locked_event, employee, submission.birth_date_claim)
        if standing.existing_id is not None:
            raise _already_signed_error(
                Signature.objects.select_related("device", "employee").get(
                    pk=standing.existing_id)
            )
        if method == SignatureMethod.TABLET and locked_event.enforce_signing_order:
            _check_order(locked_event, employee)

        evidence = _evidence(locked_event, employee, submission, context,
                             reported_wrong=standing.wrong_dates)
        signature = Signature(
            **evidence,
            submission_id=submission.submission_id or uuid.uuid4(),
            event=locked_event,
            employee=employee,
            method=method,
            signed_at=prepared.times.signed_at,
            client_signed_at=submission.client_signed_at,
            clock_offset_seconds=prepared.times.offset,
            clock_suspect=prepared.times.suspect,
            untrusted_times=prepared.times.untrusted,
            strokes=submission.strokes or [],
            template_hash=submission.template_hash,
            payload_hash=prepared.fingerprint,
            device=device,
            # A tablet signature has no officer, even when the tablet's browser happens to
            # carry an officer's session: the officer records only what they record.
            officer=context.actor if device is None else None,
            represented_group=submission.represented_group.strip(),
            witness_id=witness_for(locked_event, employee),
            ip_address=context.ip_address,
            user_agent=(context.user_agent or "")[:300],
        )
        if prepared.clean is not None:
            signature.image.save(f"{signature.submission_id}.png",
                                 ContentFile(prepared.clean.png), save=False)
        paper_scan = submission.paper_scan
        if paper_scan is not None:
            name = getattr(paper_scan, "name", None) or "scan.pdf"
            signature.paper_scan.save(f"{signature.submission_id}-{name}", paper_scan, save=False)
        signature.save()
        if standing.noted:
            # A signature settles the earlier "absent"/"sign later" note for this person.
            _settle_outcome(locked_event.pk, employee.pk)
        # Before the audit append, which holds its chain's lock until commit.
        _after_signature(signature.pk)
        audit.record(
            action="signing.signature.recorded",
            obj=signature,
            agency=employee.agency,
            details={
                "event": locked_event.pk,
                "employee": employee.pk,
                "method": method,
                "template_hash": submission.template_hash,
                "submission_id": str(signature.submission_id),
                "client_signed_at": submission.client_signed_at,
                "clock_offset_seconds": prepared.times.offset,
                "untrusted_times": prepared.times.untrusted,
                "represented_group": signature.represented_group,
                "witness": signature.witness_id,
                # What verify_audit_chain compares the row and its files with.
                "signed_at": signature.signed_at.isoformat(timespec="microseconds"),
                "image_sha256": (hashlib.sha256(prepared.clean.png).hexdigest()
                                 if prepared.clean is not None else None),
                "paper_scan_sha256": _stored_sha256(signature.paper_scan),
                **{key: (value.pk if hasattr(value, "pk") else value)
                   for key, value in evidence.items()},
                "responsible_officer_name": (
                    evidence["responsible_officer"].get_username()
                    if evidence["responsible_officer"] is not None else ""
                ),
            },
            context=context,
        )
    return signature


def witness_for(event: SigningEvent, employee: Employee) -> int | None:
    """Who witnesses this person's pact, fixed at signing: the event's named witness, else the
    direct superior; nobody when the pact has no "Menyaksikan" block. No query: both ids are
    on rows already loaded (the locked event, the signer)."""
    if not event.template_version.witness_required:
        return None
    if event.witness_id is not None and event.witness_id != employee.pk:
        return event.witness_id
    return employee.superior_id


def _stored_sha256(file: FieldFile) -> str | None:
    name = file.name
    if not file or name is None:
        return None
    with file.storage.open(name, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _evidence(event: SigningEvent, employee: Employee, submission: Submission,
              context: AuditContext, *, reported_wrong: int) -> dict:
    """What the signature records about consent, identity and who answered for it."""
    method = submission.method
    device = context.device
    consent = (submission.consent_hash or "").lower()
    if consent and (len(consent) != 64 or any(c not in "0123456789abcdef" for c in consent)):
        raise SigningError("consent.invalid", _("Bukti persetujuan dari tablet tidak sah."),
                           status=422)
    consent_at = submission.consent_at
    if method != SignatureMethod.TABLET:
        # Recorded by an officer in front of the signer: the officer checked who they are,
        # and the statement (in the language in use) counts as agreed when it is recorded.
        identity = (IdentityMethod.OFFICER, IdentityResult.PASSED)
        if not consent:
            consent, consent_at = consent_hash(str(CONSENT_STATEMENT)), timezone.now()
    elif event.identity_check != IdentityCheck.BIRTH_DATE:
        identity = (IdentityMethod.NONE, IdentityResult.NOT_CHECKED)
    elif employee.birth_date is None:
        identity = (IdentityMethod.NONE, IdentityResult.NO_BIRTH_DATE)
    elif submission.identity_method == IdentityMethod.BIRTH_DATE_ONLINE:
        identity = (IdentityMethod.BIRTH_DATE_ONLINE, IdentityResult.PASSED)
    else:
        identity = (IdentityMethod.BIRTH_DATE_OFFLINE, IdentityResult.PASSED)
    claimed = min(max(int(submission.identity_wrong_attempts or 0), 0), MAX_WRONG_ATTEMPTS)
    return {
        "consent_hash": consent,
        "consent_at": consent_at,
        "identity_method": identity[0],
        "identity_result": identity[1],
        # Those the server was told of (reports, online checks, before any unlock too) and
        # those the tablet checked itself on this visit, which it has not reported.
        "identity_wrong_attempts": claimed + reported_wrong,
        "responsible_officer": (device.responsible_officer if device is not None
                                else context.actor),
    }


def _check_identity(event: SigningEvent, employee: Employee,
                    claim: datetime.date | None) -> None:
    """The tablet checked the typed birth date offline; the server checks it again."""
    if event.identity_check != IdentityCheck.BIRTH_DATE or employee.birth_date is None:
        return
    if claim is None:
        raise SigningError(
            "identity.required",
            _("Acara ini meminta tanggal lahir penanda tangan untuk memastikan identitasnya."),
            status=422,
        )
    if claim != employee.birth_date:
        raise SigningError(
            "identity.mismatch",
            _("Tanggal lahir tidak cocok dengan data pegawai."),
            status=422,
        )


def _check_order(event: SigningEvent, employee: Employee) -> None:
    awaited_rank = kiosk.signing_rank_awaited(event)
    if awaited_rank is None:
        return
    rank = Employee.objects.with_signing_rank().filter(pk=employee.pk).values_list(
        "signing_rank", flat=True).first()
    if rank is not None and rank > awaited_rank:
        names = ", ".join(str(e) for e in kiosk.awaited_signers(event, limit=5))
        raise SigningError(
            "signature.order",
            _("Urutan penandatanganan: masih menunggu %(names)s.") % {"names": names},
            status=409,
        )


def _settle_outcome(event_id: int, employee_id: int) -> None:
    AttendanceOutcome.objects.filter(event_id=event_id, employee_id=employee_id).delete()


def _replay(previous: Signature, fingerprint: str) -> SigningResult:
    if previous.payload_hash != fingerprint:
        raise SigningError(
            "submission.conflict",
            _("Nomor kiriman ini sudah dipakai untuk tanda tangan lain."),
            status=422,
        )
    return SigningResult(signature=previous, created=False)


def _after_signature(signature_id: int) -> None:
    """Work that follows a committed signature: one task, which makes the list thumbnail and
    renders the pact PDF (one task row per signature: each is a write on the hot path)."""
    jobs.enqueue_on_commit("render_signature_pdf", signature_id)


@transaction.atomic
def void_signature(*, signature: Signature, reason: str, context: AuditContext) -> Signature:
    """Void a signature: it stays on record (struck through) and frees the person to sign again."""
    reason = (reason or "").strip()
    if not reason:
        raise SigningError("signature.void_reason", _("Alasan pembatalan wajib diisi."))
    signature = Signature.objects.select_for_update().select_related("event").get(pk=signature.pk)
    if signature.event.status == EventStatus.CLOSED:
        # A closed event is the official record: changing it takes an explicit, logged reopen.
        raise SigningError(
            "event.closed",
            _("Acara sudah ditutup; buka kembali acara untuk membatalkan tanda tangan."),
            status=409,
        )
    if signature.is_void:
        raise SigningError("signature.already_void", _("Tanda tangan ini sudah dibatalkan."),
                           status=409)
    signature.voided_at = timezone.now()
    signature.voided_by = context.actor
    signature.void_reason = reason
    signature.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit.record(
        action="signing.signature.voided", obj=signature,
        agency=signature.employee.agency, context=context,
        details={"reason": reason,
                 "voided_at": signature.voided_at.isoformat(timespec="microseconds")},
    )
    return signature

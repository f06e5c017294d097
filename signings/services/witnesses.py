"""The witness of a pact ("Menyaksikan", Permenpan RB 49/2011): who it is, and recording
their signature on the officer's screen or on their own device through a one-time link.

Who witnesses is fixed on each signature when it is made (services/signatures.py
`witness_for`: the event's named witness, else the signer's direct superior). A witness signs
once for any number of the pacts they witness; each pact gets its own append-only row and
audit entry, and is issued again, sealed, with the witness block filled in
(services/pacts.py `issue_witnessed`): the file sealed before stays as it was.

On the officer's screen the witness proves who they are by their birth date, and wrong dates
count towards the same lock as a signer's on the tablets (services/identity_checks.py,
IdentityLock per event and employee): after MAX_WRONG_ATTEMPTS the witness is refused on that
screen, even with the right date or with the date left empty, until an officer who has checked
them face to face unlocks them (`hr:identity_unlock`).
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from signings import jobs
from signings.errors import PaktaError
from signings.models import (
    Employee,
    IdentityLock,
    Signature,
    SigningEvent,
    WitnessIdentity,
    WitnessLink,
    WitnessMethod,
    WitnessSignature,
)
from signings.models.employee import EmployeeQuerySet
from signings.models.signature import SignatureQuerySet
from signings.models.witness import new_link_token, token_digest
from signings.services import audit, identity_checks
from signings.services.context import AuditContext
from signings.signature_image import clean_signature_png

LINK_LIFETIME = datetime.timedelta(days=3)


class WitnessError(PaktaError):
    """A refused witness signature or link."""


def pending(event: SigningEvent, witness: Employee) -> SignatureQuerySet:
    """The standing pacts of the event this person is to witness and has not yet."""
    return (Signature.objects.valid()
            .filter(event=event, witness=witness, witness_signature__isnull=True)
            .select_related("employee__agency").in_signing_order())


def witnesses_of(event: SigningEvent) -> EmployeeQuerySet:
    """Everyone who witnesses pacts of the event, with how many they have signed and not."""
    return (Employee.objects
            .filter(witnessed_signatures__event=event,
                    witnessed_signatures__voided_at__isnull=True)
            .annotate(
                to_witness=Count("witnessed_signatures", filter=Q(
                    witnessed_signatures__event=event,
                    witnessed_signatures__voided_at__isnull=True)),
                witnessed=Count("witnessed_signatures__witness_signature", filter=Q(
                    witnessed_signatures__event=event,
                    witnessed_signatures__voided_at__isnull=True)),
            ).select_related("agency").order_by("name"))


@dataclass(frozen=True, kw_only=True)
class WitnessSubmission:
    """The pacts the witness signs, the drawn signature, and how they were recognised: on the
    officer's screen by their birth date or by the officer's word; on their own device by the
    one-time link they opened."""

    signature_ids: list[int]
    image_png: bytes
    method: str
    birth_date: datetime.date | None = None
    link: WitnessLink | None = None


def _identity(event: SigningEvent, witness: Employee, proof: WitnessSubmission,
              context: AuditContext) -> str:
    if proof.method == WitnessMethod.OWN_DEVICE:
        if proof.link is None:
            raise WitnessError("witness.link", _("Tautan saksi tidak berlaku."), status=404)
        return WitnessIdentity.PERSONAL_LINK
    # Checked whatever the proof: a locked witness who leaves the date empty is not vouched
    # for by default; the officer unlocks after checking them, then vouches or not.
    identity_checks.check_not_locked(event, witness)
    if proof.birth_date is None:
        return WitnessIdentity.OFFICER
    if witness.birth_date is None or proof.birth_date != witness.birth_date:
        if _count_wrong_date(event=event, witness=witness, context=context).is_locked:
            raise identity_checks.locked_error(witness)
        raise WitnessError("witness.identity",
                           _("Tanggal lahir tidak cocok dengan data saksi."), status=422)
    return WitnessIdentity.BIRTH_DATE


@transaction.atomic
def _count_wrong_date(*, event: SigningEvent, witness: Employee,
                      context: AuditContext) -> IdentityLock:
    """Committed on its own, before the signing is refused: a refused attempt still counts."""
    lock = identity_checks.record_wrong_attempts(
        event=event, employee=witness,
        report=identity_checks.WrongDates(attempt_id=uuid.uuid4()), context=context)
    audit.record(action="signing.witness.identity_wrong", obj=lock, agency=witness.agency,
                 details={"event": event.pk, "witness": witness.pk, "attempts": lock.attempts,
                          "locked": lock.is_locked},
                 context=context)
    return lock


def record_witness(*, event: SigningEvent, witness: Employee, submission: WitnessSubmission,
                   context: AuditContext) -> list[WitnessSignature]:
    """The witness signs the chosen pacts of the event at once. Refused, with nothing written,
    when any of them is not theirs to witness, already witnessed or voided."""
    proof = submission
    wanted = sorted({int(pk) for pk in submission.signature_ids})
    if not wanted:
        raise WitnessError("witness.none", _("Pilih sedikitnya satu pakta untuk disaksikan."))
    identity = _identity(event, witness, proof, context)
    clean = clean_signature_png(submission.image_png)
    image_sha = hashlib.sha256(clean.png).hexdigest()
    with transaction.atomic():
        link = proof.link
        if link is not None:
            link = WitnessLink.objects.select_for_update().get(pk=link.pk)
            if (link.used_at is not None or link.expires_at <= timezone.now()
                    or link.event_id != event.pk or link.witness_id != witness.pk):
                raise WitnessError("witness.link", _("Tautan saksi tidak berlaku lagi."),
                                   status=404)
        if proof.method == WitnessMethod.OFFICER_SCREEN:
            # Again under the transaction: wrong dates typed meanwhile in another tab.
            identity_checks.check_not_locked(event, witness)
        signatures = list(
            Signature.objects.select_for_update(of=("self",))
            .filter(pk__in=wanted, event=event, witness=witness, voided_at__isnull=True)
            .select_related("employee__agency").order_by("pk"))
        done = set(WitnessSignature.objects.filter(signature_id__in=wanted)
                   .values_list("signature_id", flat=True))
        if len(signatures) != len(wanted) or done:
            raise WitnessError(
                "witness.not_pending",
                _("Sebagian pakta yang dipilih tidak menunggu saksi ini (sudah disaksikan, "
                  "dibatalkan, atau bukan bagiannya). Muat ulang halaman."), status=409)
        now = timezone.now()
        if link is not None:
            link.used_at = now
            link.save(update_fields=["used_at"])
        made = []
        for signature in signatures:
            row = WitnessSignature(
                signature=signature, witness=witness, method=proof.method,
                identity_method=identity, image_sha256=image_sha, signed_at=now,
                officer=context.actor if proof.method == WitnessMethod.OFFICER_SCREEN else None,
                link=link, ip_address=context.ip_address,
                user_agent=(context.user_agent or "")[:300],
            )
            row.image.save(f"{signature.submission_id}-saksi.png", ContentFile(clean.png),
                           save=False)
            row.save()
            made.append(row)
            jobs.enqueue_on_commit("issue_witnessed_pdf", signature.pk)
        for row in made:
            audit.record(
                action="signing.witness.recorded", obj=row, agency=row.signature.employee.agency,
                details={"signature": row.signature_id, "event": event.pk,
                         "witness": witness.pk, "method": row.method,
                         "identity_method": identity, "image_sha256": image_sha,
                         "link": link.pk if link is not None else None,
                         "signed_at": now.isoformat(timespec="microseconds")},
                context=context,
            )
    return made


def create_link(*, event: SigningEvent, witness: Employee,
                context: AuditContext) -> tuple[WitnessLink, str]:
    """A one-time link for the witness's own device; the token is shown once, only its hash
    is kept. Earlier unused links of the same witness and event stop working."""
    if not pending(event, witness).exists():
        raise WitnessError("witness.nothing",
                           _("Tidak ada pakta yang menunggu saksi ini."), status=409)
    token = new_link_token()
    now = timezone.now()
    with transaction.atomic():
        WitnessLink.objects.filter(event=event, witness=witness, used_at__isnull=True,
                                   expires_at__gt=now).update(expires_at=now + datetime.timedelta(
                                       microseconds=1))
        link = WitnessLink.objects.create(
            event=event, witness=witness, token_sha256=token_digest(token),
            created_by=context.actor, created_at=now, expires_at=now + LINK_LIFETIME,
        )
        audit.record(action="signing.witness.link_created", obj=link, agency=witness.agency,
                     details={"event": event.pk, "witness": witness.pk,
                              "expires_at": link.expires_at.isoformat()},
                     context=context)
    return link, token


def link_for_token(token: str) -> WitnessLink | None:
    """The usable link this token opens, or None (unknown, used or expired)."""
    if not token or len(token) > 100:
        return None
    return (WitnessLink.objects.usable().filter(token_sha256=token_digest(token))
            .select_related("event__agency", "event__template_version", "witness__agency")
            .first())

"""Signing events: creating them, who is expected, and their status (draft → open → closed)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from signings.errors import PaktaError
from signings.models import (
    Agency,
    Employee,
    EventKind,
    EventStatus,
    EventStatusChange,
    ExpectedSigner,
    IdentityCheck,
    PactTemplateVersion,
    SigningEvent,
    Tally,
)
from signings.services import audit, checkpoint_schedule, identity_checks
from signings.services.context import AuditContext


class EventError(PaktaError):
    """A refused change to an event."""


@dataclass(frozen=True, kw_only=True)
class NewEvent:
    """What an officer fills in to create an event."""

    template_version: PactTemplateVersion
    title: str
    date: datetime.date
    venue: str
    kind: str = EventKind.APEL
    witnesses: Iterable[str] = ()
    identity_check: str = IdentityCheck.SUPERVISED
    enforce_signing_order: bool = False
    kiosk_idle_seconds: int = 60
    # Witnesses every pact of the event ("Menyaksikan"), instead of each signer's superior.
    witness: Employee | None = None


@transaction.atomic
def create_event(
    *,
    agency: Agency,
    details: NewEvent,
    expected: Iterable[Employee] | None = None,
    context: AuditContext,
) -> SigningEvent:
    """Create a draft event; by default the active staff of the agency's subtree is expected."""
    event = SigningEvent.objects.create(
        agency=agency,
        template_version=details.template_version,
        kind=details.kind,
        title=details.title,
        date=details.date,
        venue=details.venue,
        witnesses=[w.strip() for w in details.witnesses if w and w.strip()],
        identity_check=details.identity_check,
        enforce_signing_order=details.enforce_signing_order,
        kiosk_idle_seconds=details.kiosk_idle_seconds,
        witness=details.witness,
        created_by=context.actor,
    )
    employee_ids: Iterable[int]
    if expected is None:
        employee_ids = Employee.objects.in_agency(agency).active().values_list("pk", flat=True)
    else:
        employee_ids = [e.pk for e in expected if e.agency.is_within(agency)]
    ExpectedSigner.objects.bulk_create(
        [ExpectedSigner(event=event, employee_id=pk) for pk in employee_ids], batch_size=1000
    )
    audit.record(
        action="signing.event.created",
        obj=event,
        agency=agency,
        details={"expected": event.expected.count(), "template_hash":
                 details.template_version.content_hash,
                 "witness": details.witness.pk if details.witness else None},
        context=context,
    )
    return event


@transaction.atomic
def set_expected(
    *, event: SigningEvent, add: Iterable[Employee] = (), remove: Iterable[Employee] = (),
    context: AuditContext,
) -> tuple[int, int]:
    """Adjust who is expected. Employees outside the event's subtree are refused."""
    event = SigningEvent.objects.select_for_update().get(pk=event.pk)
    if event.status == EventStatus.CLOSED:
        raise EventError(
            "event.closed", _("Acara sudah ditutup; buka kembali untuk mengubah peserta.")
        )
    add = list(add)
    outside = [e for e in add if not e.agency.is_within(event.agency)]
    if outside:
        raise EventError(
            "event.outside_scope",
            _("%(name)s bukan pegawai %(agency)s.") % {"name": outside[0], "agency": event.agency},
        )
    existing = set(event.expected.values_list("employee_id", flat=True))
    to_add = [e for e in add if e.pk not in existing]
    ExpectedSigner.objects.bulk_create(
        [ExpectedSigner(event=event, employee=e) for e in to_add], ignore_conflicts=True
    )
    remove_ids = [e.pk for e in remove]
    signed_ids = set(
        event.signatures.valid().filter(employee_id__in=remove_ids).values_list(
            "employee_id", flat=True
        )
    )
    if signed_ids:
        raise EventError(
            "event.remove_signed",
            _("Pegawai yang sudah menandatangani tidak dapat dikeluarkan dari daftar peserta."),
        )
    removed, _detail = event.expected.filter(employee_id__in=remove_ids).delete()
    audit.record(
        action="signing.event.expected_changed",
        obj=event,
        agency=event.agency,
        details={"added": [e.pk for e in to_add], "removed": remove_ids},
        context=context,
    )
    return len(to_add), removed


def _transition(
    *, event: SigningEvent, to_status: str, reason: str, context: AuditContext
) -> SigningEvent:
    event = SigningEvent.objects.select_for_update().get(pk=event.pk)
    # Keyed by str: event.status is the column's plain value.
    allowed: dict[str, set[str]] = {
        EventStatus.DRAFT: {EventStatus.OPEN},
        EventStatus.OPEN: {EventStatus.CLOSED},
        EventStatus.CLOSED: {EventStatus.OPEN},
    }
    if to_status not in allowed[event.status]:
        raise EventError(
            "event.bad_transition",
            _("Acara berstatus %(status)s tidak dapat diubah menjadi %(target)s.")
            % {"status": event.get_status_display(), "target": EventStatus(to_status).label},
        )
    reopening = event.status == EventStatus.CLOSED
    if reopening and not reason.strip():
        raise EventError("event.reopen_reason", _("Alasan membuka kembali acara wajib diisi."))
    from_status = event.status
    now = timezone.now()
    event.status = to_status
    if to_status == EventStatus.OPEN:
        event.opened_at, event.opened_by = now, context.actor
    else:
        event.closed_at, event.closed_by = now, context.actor
    event.save(update_fields=["status", "opened_at", "opened_by", "closed_at", "closed_by"])
    EventStatusChange.objects.create(
        event=event, from_status=from_status, to_status=to_status, reason=reason.strip(),
        changed_by=context.actor,
    )
    actions: dict[str, str] = {
        EventStatus.OPEN: "signing.event.reopened" if reopening else "signing.event.opened",
        EventStatus.CLOSED: "signing.event.closed",
    }
    entry = audit.record(
        action=actions[to_status], obj=event, agency=event.agency, context=context,
        details={"from": from_status, "to": to_status, "reason": reason.strip()},
    )
    if to_status == EventStatus.OPEN and event.identity_check == IdentityCheck.BIRTH_DATE:
        # scrypt is slow on purpose: make the verifiers before the first tablet asks for the
        # roster, not inside its request.
        transaction.on_commit(lambda: identity_checks.schedule_verifiers(event))
    if to_status == EventStatus.CLOSED:
        # The closed record is anchored outside the database now, not at the next interval.
        transaction.on_commit(lambda: checkpoint_schedule.schedule_now(entry.chain))
    return event


@transaction.atomic
def open_event(*, event: SigningEvent, context: AuditContext) -> SigningEvent:
    return _transition(event=event, to_status=EventStatus.OPEN, reason="", context=context)


@transaction.atomic
def close_event(*, event: SigningEvent, context: AuditContext) -> SigningEvent:
    return _transition(event=event, to_status=EventStatus.CLOSED, reason="", context=context)


@transaction.atomic
def reopen_event(*, event: SigningEvent, reason: str, context: AuditContext) -> SigningEvent:
    """Late signing after closing is allowed only through this explicit, logged reopen."""
    return _transition(event=event, to_status=EventStatus.OPEN, reason=reason,
                       context=context)


# Details an officer may correct after creating the event. The template version only while
# the event is a draft: once opened, people may be reading or signing that exact text.
EDITABLE_EVENT_FIELDS = ("title", "kind", "date", "venue", "witnesses", "identity_check",
                         "enforce_signing_order", "kiosk_idle_seconds", "witness")


@transaction.atomic
def update_event(
    *, event: SigningEvent, changes: dict, context: AuditContext,
) -> SigningEvent:
    """Correct an event's details; a closed event is frozen."""
    event = SigningEvent.objects.select_for_update().get(pk=event.pk)
    if event.status == EventStatus.CLOSED:
        raise EventError(
            "event.closed", _("Acara sudah ditutup; buka kembali untuk mengubah rinciannya.")
        )
    allowed = set(EDITABLE_EVENT_FIELDS)
    if event.status == EventStatus.DRAFT:
        allowed.add("template_version")
    unknown = set(changes) - allowed
    if unknown == {"template_version"}:
        if changes["template_version"] != event.template_version:
            raise EventError(
                "event.template_locked",
                _("Templat tidak dapat diganti setelah acara dibuka."),
            )
        changes = {k: v for k, v in changes.items() if k != "template_version"}
    elif unknown:
        raise ValueError(f"Fields that cannot be edited: {sorted(unknown)}")
    if "witnesses" in changes:
        changes["witnesses"] = [w.strip() for w in changes["witnesses"] if w and w.strip()]
    diff = {}
    for name, value in changes.items():
        old = getattr(event, name)
        if old != value:
            diff[name] = [str(old.pk if hasattr(old, "pk") else old),
                          str(value.pk if hasattr(value, "pk") else value)]
            setattr(event, name, value)
    if diff:
        event.save()
        audit.record(
            action="signing.event.updated", obj=event, agency=event.agency,
            context=context, details={"changes": diff},
        )
    return event


@transaction.atomic
def create_follow_up_event(
    *, event: SigningEvent, date: datetime.date, context: AuditContext,
) -> SigningEvent:
    """A draft "susulan" event for everyone who still owes `event` a signature, in one step.

    Same agency, template version (the same text, byte for byte), kind, venue and settings.
    Who is taken, by `ExpectedSignerQuerySet.with_state`: the "missing" and the "absent".
    Absent people are included on purpose: sick leave or duty travel explains why they did not
    sign that day, it does not release them from the pledge, and the follow-up is exactly for
    them. Employees no longer active are left out (they are not expected anywhere any more).
    """
    # The row as it stands, locked: the caller's instance may predate opening or closing.
    event = SigningEvent.objects.select_for_update(of=("self",)).select_related(
        "agency", "template_version").get(pk=event.pk)
    if event.status == EventStatus.DRAFT:
        raise EventError(
            "event.follow_up_draft",
            _("Acara susulan hanya dapat dibuat dari acara yang sudah dibuka."),
        )
    owing = (
        ExpectedSigner.objects.filter(event=event, employee__is_active=True)
        .with_state()
        .filter(has_signed=False)
    )
    rows = list(owing.values_list("employee_id", "has_absence").order_by("employee_id"))
    if not rows:
        raise EventError(
            "event.follow_up_empty",
            _("Semua peserta acara ini sudah menandatangani; acara susulan tidak diperlukan."),
        )
    follow_up = SigningEvent.objects.create(
        agency=event.agency,
        template_version=event.template_version,
        kind=event.kind,
        # Stored data, in the records' language, not the officer's interface language.
        title=f"{event.title} (susulan)"[:250],
        date=date,
        venue=event.venue,
        witnesses=list(event.witnesses),
        identity_check=event.identity_check,
        enforce_signing_order=event.enforce_signing_order,
        kiosk_idle_seconds=event.kiosk_idle_seconds,
        created_by=context.actor,
    )
    ExpectedSigner.objects.bulk_create(
        [ExpectedSigner(event=follow_up, employee_id=pk) for pk, _absent in rows],
        batch_size=1000,
    )
    absent = sum(1 for _pk, is_absent in rows if is_absent)
    audit.record(
        action="signing.event.follow_up_created",
        obj=follow_up,
        agency=event.agency,
        details={"from_event": event.pk, "expected": len(rows),
                 Tally.MISSING.value: len(rows) - absent, Tally.ABSENT.value: absent,
                 "template_hash": event.template_version.content_hash},
        context=context,
    )
    return follow_up

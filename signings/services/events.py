"""Signing events: creating them, who is expected, and their status (draft → open → closed)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
)
from signings.services import audit, checkpoints


class EventError(Exception):
    def __init__(self, code: str, message):
        super().__init__(str(message))
        self.code = code
        self.message = message


@transaction.atomic
def create_event(
    *,
    agency: Agency,
    template_version: PactTemplateVersion,
    kind: str = EventKind.APEL,
    title: str,
    date: datetime.date,
    venue: str,
    created_by,
    witnesses: Iterable[str] = (),
    identity_check: str = IdentityCheck.SUPERVISED,
    enforce_signing_order: bool = False,
    expected: Iterable[Employee] | None = None,
    request=None,
) -> SigningEvent:
    """Create a draft event; by default the active staff of the agency's subtree is expected."""
    event = SigningEvent.objects.create(
        agency=agency,
        template_version=template_version,
        kind=kind,
        title=title,
        date=date,
        venue=venue,
        witnesses=[w.strip() for w in witnesses if w and w.strip()],
        identity_check=identity_check,
        enforce_signing_order=enforce_signing_order,
        created_by=created_by,
    )
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
        actor=created_by,
        agency=agency,
        request=request,
        details={"expected": event.expected.count(), "template_hash":
                 template_version.content_hash},
    )
    return event


@transaction.atomic
def set_expected(
    *, event: SigningEvent, add: Iterable[Employee] = (), remove: Iterable[Employee] = (),
    actor, request=None,
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
        actor=actor,
        agency=event.agency,
        request=request,
        details={"added": [e.pk for e in to_add], "removed": remove_ids},
    )
    return len(to_add), removed


def _transition(
    *, event: SigningEvent, to_status: str, actor, reason: str, request
) -> SigningEvent:
    event = SigningEvent.objects.select_for_update().get(pk=event.pk)
    allowed = {
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
        event.opened_at, event.opened_by = now, actor
    else:
        event.closed_at, event.closed_by = now, actor
    event.save(update_fields=["status", "opened_at", "opened_by", "closed_at", "closed_by"])
    EventStatusChange.objects.create(
        event=event, from_status=from_status, to_status=to_status, reason=reason.strip(),
        changed_by=actor,
    )
    action = {
        EventStatus.OPEN: "signing.event.reopened" if reopening else "signing.event.opened",
        EventStatus.CLOSED: "signing.event.closed",
    }[to_status]
    entry = audit.record(
        action=action, obj=event, actor=actor, agency=event.agency, request=request,
        details={"from": from_status, "to": to_status, "reason": reason.strip()},
    )
    if to_status == EventStatus.CLOSED:
        # The closed record is anchored outside the database now, not at the next interval.
        transaction.on_commit(lambda: checkpoints.schedule_now(entry.chain))
    return event


@transaction.atomic
def open_event(*, event: SigningEvent, actor, request=None) -> SigningEvent:
    return _transition(event=event, to_status=EventStatus.OPEN, actor=actor, reason="",
                       request=request)


@transaction.atomic
def close_event(*, event: SigningEvent, actor, request=None) -> SigningEvent:
    return _transition(event=event, to_status=EventStatus.CLOSED, actor=actor, reason="",
                       request=request)


@transaction.atomic
def reopen_event(*, event: SigningEvent, actor, reason: str, request=None) -> SigningEvent:
    """Late signing after closing is allowed only through this explicit, logged reopen."""
    return _transition(event=event, to_status=EventStatus.OPEN, actor=actor, reason=reason,
                       request=request)


# Details an officer may correct after creating the event. The template version only while
# the event is a draft: once opened, people may be reading or signing that exact text.
EDITABLE_EVENT_FIELDS = ("title", "kind", "date", "venue", "witnesses", "identity_check",
                         "enforce_signing_order")


@transaction.atomic
def update_event(
    *, event: SigningEvent, actor, changes: dict, request=None,
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
            action="signing.event.updated", obj=event, actor=actor, agency=event.agency,
            request=request, details={"changes": diff},
        )
    return event

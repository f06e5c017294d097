"""The locks and the one-statement reads under them that make recording a signature
exactly-once (signings/services/signatures.py): the event row FOR SHARE, the person's
expected-signer row FOR UPDATE, then what the checks need to know about the person, read after
the lock so it includes what a concurrent submission has just committed. Raw SQL on
PostgreSQL because this is the hot path (bench/kiosk_profile.py); the ORM elsewhere.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import connection

from signings.models import ExpectedSigner, PactTemplateVersion, Signature, SigningEvent


def lock_expected(event_id: int, employee_id: int) -> bool:
    """Lock the (event, employee) row of the expected list; False when there is none."""
    return (
        ExpectedSigner.objects.select_for_update()
        .filter(event_id=event_id, employee_id=employee_id)
        .values_list("pk", flat=True)
        .first()
        is not None
    )


@dataclass(frozen=True)
class Standing:
    """What the checks need to know about the person at the event, read after the row lock, so
    it includes what a concurrent submission that held the lock has just committed."""

    previous_id: int | None  # a signature with this submission_id (a resend)
    existing_id: int | None  # the person's standing (not voided) signature at the event
    locked: bool  # locked on the event after wrong birth dates
    wrong_dates: int  # every wrong birth date the server was told of, unlocks or not
    noted: bool  # an attendance note ("absent", "sign later") that the signature settles


_STANDING_SQL = (
    "SELECT (SELECT id FROM signings_signature WHERE submission_id = %s),"
    " (SELECT id FROM signings_signature WHERE event_id = %s AND employee_id = %s"
    "  AND voided_at IS NULL LIMIT 1),"
    " EXISTS (SELECT 1 FROM signings_identitylock WHERE event_id = %s AND employee_id = %s"
    "  AND locked_at IS NOT NULL),"
    " (SELECT COALESCE(SUM(wrong), 0) FROM signings_identityattempt"
    "  WHERE event_id = %s AND employee_id = %s),"
    " EXISTS (SELECT 1 FROM signings_attendanceoutcome WHERE event_id = %s AND employee_id = %s)"
)


def standing(submission_id: uuid.UUID | None, event_id: int, employee_id: int) -> Standing:
    """One statement for five questions: each is a separate query otherwise, and this is the
    hot path (bench/kiosk_profile.py). Same meaning as Signature.objects.valid(),
    identity_checks.check_not_locked and identity_checks.reported_wrong_dates."""
    ids = [event_id, employee_id]
    # No submission id (an officer's recording) matches nothing: `= NULL` is never true.
    sent = Signature._meta.get_field("submission_id").get_db_prep_value(submission_id,
                                                                         connection)
    with connection.cursor() as cursor:
        cursor.execute(_STANDING_SQL, [sent, *ids, *ids, *ids, *ids])
        previous, existing, locked, wrong, noted = cursor.fetchone()
    return Standing(previous_id=previous, existing_id=existing, locked=bool(locked),
                     wrong_dates=int(wrong), noted=bool(noted))


# What the checks under the lock read of the event, refreshed from its locked row (_refreshed).
EVENT_FIELDS = ("status", "title", "identity_check", "enforce_signing_order", "witness_id",
                 "template_version_id")

# The event row FOR SHARE and the person's expected row FOR UPDATE, in that order (as closing
# the event and changing the expected list take them), in one round trip.
_LOCK_SQL = (
    f"SELECT {', '.join(f'ev.{name}' for name in EVENT_FIELDS)}"  # noqa: S608
    " FROM signings_signingevent ev"
    " JOIN signings_expectedsigner es ON es.event_id = ev.id"
    " WHERE ev.id = %s AND es.employee_id = %s"
    " FOR SHARE OF ev FOR UPDATE OF es"
)


def lock(event: SigningEvent, employee_id: int) -> tuple[SigningEvent, bool]:
    """(the event, whether the person is expected at it), both rows locked for the
    transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_LOCK_SQL, [event.pk, employee_id])
            row = cursor.fetchone()
        if row is not None:
            return _refreshed(event, row), True
        # Not expected (a refusal): the event alone, still locked, for the checks' order.
    locked_event = lock_event_shared(event)
    return locked_event, lock_expected(locked_event.pk, employee_id)


def lock_event_shared(event: SigningEvent) -> SigningEvent:
    """Read the event under a shared lock: signatures do not block each other, but closing
    the event (FOR UPDATE) waits for signatures in flight and vice versa.

    One round trip on PostgreSQL: the fields the checks need are refreshed on the instance
    the caller already holds (its template version is immutable once anyone has signed).
    """
    if connection.vendor != "postgresql":
        return SigningEvent.objects.select_related("template_version").get(pk=event.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(EVENT_FIELDS)}"  # noqa: S608
            " FROM signings_signingevent WHERE id = %s FOR SHARE",
            [event.pk],
        )
        row = cursor.fetchone()
    if row is None:
        raise SigningEvent.DoesNotExist
    return _refreshed(event, row)


def _refreshed(event: SigningEvent, row: tuple) -> SigningEvent:
    """`event` with the EVENT_FIELDS of its locked row."""
    values = dict(zip(EVENT_FIELDS, row, strict=True))
    template_version_id = values.pop("template_version_id")
    for name, value in values.items():
        setattr(event, name, value)
    cached = event._state.fields_cache.get("template_version")
    if cached is None or cached.pk != template_version_id:
        event.template_version = PactTemplateVersion.objects.get(pk=template_version_id)
    return event

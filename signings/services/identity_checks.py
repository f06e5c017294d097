"""The birth-date check at the kiosk: the offline verifier a tablet caches, and the lock that
wrong dates put on a person at an event.

The verifier is scrypt(birth date, per-person random salt) with parameters that make one check
cheap for a tablet (well under 300 ms) and a brute force over every date of a century slow
(≥ 10 minutes of a laptop core): `bench/kdf.py` measures both. The tablet computes the same
scrypt with the vendored @noble/hashes (static/kiosk/roster.js `hashBirthDate`).

Three wrong dates lock the person on the event, on every tablet, until an officer who has
checked them face to face unlocks them; both are audited. The same lock, per (event, employee),
holds a witness who types wrong birth dates on the officer's screen (services/witnesses.py).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from signings import jobs
from signings.errors import PaktaError
from signings.models import (
    Employee,
    ExpectedSigner,
    IdentityAttempt,
    IdentityLock,
    KioskDevice,
    Signature,
    SigningEvent,
)
from signings.models.identity_lock import MAX_WRONG_ATTEMPTS
from signings.services import audit, tablet_times
from signings.services.context import AuditContext

# scrypt cost: N = 2**13 blocks of 128·r bytes = 8 MiB per check (bench/kdf.py). Sent to the
# tablet with the roster so both sides always use the same numbers. PAKTA_BIRTH_KDF_N exists
# for the test suite only: changing it in production would leave stored verifiers stale.
DEFAULT_KDF_N = 2**13
_MAXMEM = 64 * 1024 * 1024


def kdf() -> dict:
    return {"name": "scrypt", "N": getattr(settings, "PAKTA_BIRTH_KDF_N", DEFAULT_KDF_N),
            "r": 8, "p": 1, "dkLen": 32}


class IdentityLockError(PaktaError):
    """A person locked after wrong birth dates, or an unlock that cannot happen."""


def birth_verifier(salt: str, birth_date: datetime.date, *, params: dict | None = None) -> str:
    """scrypt(password=YYYY-MM-DD, salt=the salt's hex text), hex. Same bytes as the tablet."""
    params = params or kdf()
    return hashlib.scrypt(
        birth_date.isoformat().encode(), salt=salt.encode(), n=params["N"], r=params["r"],
        p=params["p"], dklen=params["dkLen"], maxmem=_MAXMEM,
    ).hex()


# Time one roster request may spend making verifiers; the rest are made by a background task
# while tablets ask the server about those people (a 5,000-person event needs a few minutes
# of CPU once, far beyond any request timeout).
DEFAULT_VERIFIER_BUDGET_SECONDS = 5.0


@dataclass(frozen=True)
class Verifiers:
    ready: dict[int, tuple[str, str]]  # employee id -> (salt, verifier)
    pending: set[int]  # employees with a birth date whose verifier is not made yet


def verifiers(event: SigningEvent, *, budget: float | None = -1.0) -> Verifiers:
    """The expected signers' birth-date verifiers, making missing or stale ones (a fresh random
    salt each) for at most `budget` seconds (None: no limit; default: the setting).

    Stored once made: scrypt is deliberately slow, so a roster request must not pay again.
    Two requests racing may both make one; each writes a salt and verifier that belong
    together, so whichever a tablet cached checks the same birth date.
    """
    if budget is not None and budget < 0:
        budget = getattr(settings, "PAKTA_BIRTH_VERIFIER_BUDGET_SECONDS",
                         DEFAULT_VERIFIER_BUDGET_SECONDS)
    deadline = None if budget is None else time.monotonic() + budget
    rows = list(
        ExpectedSigner.objects.filter(event=event)
        .values_list("pk", "employee_id", "employee__birth_date", "birth_salt",
                     "birth_verifier", "verifier_birth_date")
    )
    ready: dict[int, tuple[str, str]] = {}
    pending: set[int] = set()
    stale: list[ExpectedSigner] = []
    for pk, employee_id, birth_date, salt, verifier, made_for in rows:
        if birth_date is None:
            if verifier:
                stale.append(ExpectedSigner(pk=pk, birth_salt="", birth_verifier="",
                                            verifier_birth_date=None))
            continue
        if not verifier or made_for != birth_date:
            if deadline is not None and time.monotonic() >= deadline:
                pending.add(employee_id)
                continue
            salt = secrets.token_hex(16)
            verifier = birth_verifier(salt, birth_date)
            stale.append(ExpectedSigner(pk=pk, birth_salt=salt, birth_verifier=verifier,
                                        verifier_birth_date=birth_date))
        ready[employee_id] = (salt, verifier)
    if stale:
        ExpectedSigner.objects.bulk_update(
            stale, ["birth_salt", "birth_verifier", "verifier_birth_date"], batch_size=500
        )
    if pending:
        schedule_verifiers(event)
    return Verifiers(ready=ready, pending=pending)


# Tablets reload the roster on every poll while someone is still checked online; one task
# per event and minute is enough (the task makes them all).
_SCHEDULE_SECONDS = 60


def schedule_verifiers(event: SigningEvent) -> None:
    """Have a worker make the event's missing verifiers (at most one request a minute)."""
    if cache.add(f"pakta:birth-verifiers:{event.pk}", True, timeout=_SCHEDULE_SECONDS):
        jobs.enqueue("prepare_birth_verifiers", event.pk)


def locked_ids(event: SigningEvent) -> list[int]:
    """Employees locked on this event now (tablets learn unlocks from this through /status)."""
    return list(
        IdentityLock.objects.filter(event=event, locked_at__isnull=False)
        .values_list("employee_id", flat=True).order_by("employee_id")
    )


def wrong_attempts(event: SigningEvent, employee: Employee) -> int:
    return (IdentityLock.objects.filter(event=event, employee=employee)
            .values_list("attempts", flat=True).first()) or 0


def reported_wrong_dates(event: SigningEvent, employee: Employee) -> int:
    """Every wrong birth date the server knows of for the person at the event, unlocks or not."""
    return IdentityAttempt.objects.filter(event=event, employee=employee).aggregate(
        total=Sum("wrong"))["total"] or 0


def locked_error(employee: Employee) -> IdentityLockError:
    return IdentityLockError(
        "identity.locked",
        _("%(name)s dikunci setelah %(n)d kali tanggal lahir salah. Minta petugas memeriksa "
          "identitas secara tatap muka dan membuka kuncinya.")
        % {"name": employee, "n": MAX_WRONG_ATTEMPTS},
        status=423,
        detail={"employee_id": employee.pk},
    )


def check_not_locked(event: SigningEvent, employee: Employee) -> None:
    """Raise identity.locked (423) when the person is locked on the event."""
    if IdentityLock.objects.filter(event=event, employee=employee,
                                   locked_at__isnull=False).exists():
        raise locked_error(employee)


def takes_part(event: SigningEvent, employee: Employee) -> bool:
    """Expected to sign at the event, or witnessing one of its standing pacts: the people
    whose birth date the event checks, so the people it may lock (services/witnesses.py)."""
    return (ExpectedSigner.objects.filter(event=event, employee=employee).exists()
            or Signature.objects.valid().filter(event=event, witness=employee).exists())


@dataclass(frozen=True, kw_only=True)
class WrongDates:
    """A report of wrong birth dates: from a tablet (its UUID and clock) or the server's own
    online check."""

    attempt_id: uuid.UUID
    wrong: int = 1
    client_at: datetime.datetime | None = None
    client_at_raw: str | None = None  # as the tablet wrote it


@transaction.atomic
def record_wrong_attempts(*, event: SigningEvent, employee: Employee, report: WrongDates,
                          context: AuditContext) -> IdentityLock:
    """Count the report's wrong birth dates (idempotent by attempt_id); lock at the third."""
    attempt_id, wrong = report.attempt_id, report.wrong
    if not 1 <= wrong <= MAX_WRONG_ATTEMPTS:
        raise IdentityLockError("identity.attempts_invalid",
                                _("Jumlah percobaan tidak sah."), status=422)
    if not takes_part(event, employee):
        raise IdentityLockError("employee.not_expected",
                                _("Pegawai ini tidak terdaftar sebagai peserta acara ini."))
    lock, _created = IdentityLock.objects.get_or_create(event=event, employee=employee)
    lock = IdentityLock.objects.select_for_update().get(pk=lock.pk)
    device: KioskDevice | None = context.device
    low, high = tablet_times.window(event=event, device=device, received=timezone.now())
    client_at, untrusted = tablet_times.believe(report.client_at, report.client_at_raw,
                                                low=low, high=high)
    try:
        with transaction.atomic():
            IdentityAttempt.objects.create(attempt_id=attempt_id, event=event,
                                           employee=employee, device=device, wrong=wrong,
                                           client_at=client_at,
                                           untrusted_client_at=(untrusted or "")[:64])
    except IntegrityError:
        return lock  # a resend: counted already
    now = timezone.now()
    lock.attempts += wrong
    lock.last_attempt_at = now
    fields = ["attempts", "last_attempt_at"]
    if lock.attempts >= MAX_WRONG_ATTEMPTS and lock.locked_at is None:
        lock.locked_at = now
        lock.unlocked_at = None
        lock.unlocked_by = None
        fields += ["locked_at", "unlocked_at", "unlocked_by"]
        lock.save(update_fields=fields)
        audit.record(
            action="signing.identity.locked", obj=lock, agency=employee.agency,
            details={"event": event.pk, "employee": employee.pk, "attempts": lock.attempts,
                     "device": device.name if device else "",
                     "attempt_id": str(attempt_id)},
            context=context,
        )
    else:
        lock.save(update_fields=fields)
    return lock


@transaction.atomic
def unlock_identity(*, event: SigningEvent, employee: Employee,
                    context: AuditContext) -> IdentityLock:
    """An officer has checked the person face to face: they may try again on any tablet."""
    lock = (IdentityLock.objects.select_for_update()
            .filter(event=event, employee=employee, locked_at__isnull=False).first())
    if lock is None:
        raise IdentityLockError("identity.not_locked", _("Pegawai ini tidak sedang dikunci."),
                                status=409)
    attempts = lock.attempts
    locked_at = lock.locked_at
    lock.attempts = 0
    lock.locked_at = None
    lock.unlocked_at = timezone.now()
    lock.unlocked_by = context.actor
    lock.save(update_fields=["attempts", "locked_at", "unlocked_at", "unlocked_by"])
    audit.record(
        action="signing.identity.unlocked", obj=lock, agency=employee.agency,
        details={"event": event.pk, "employee": employee.pk, "attempts": attempts,
                 "locked_at": locked_at},
        context=context,
    )
    return lock

"""Kiosk tablets: pairing, device tokens, revocation, last seen, and the roster a tablet caches.

A tablet holds a random device token; we keep only its SHA-256, so a database leak does not
let anyone act as a tablet. The pairing code shown to the officer is short enough to type,
single-use and expires after a few minutes; it too is stored only as a hash.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import secrets
from dataclasses import dataclass, replace
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from signings import access, text
from signings.access import Ability
from signings.errors import PaktaError
from signings.identity import mask_tail
from signings.models import (
    AttendanceOutcome,
    Employee,
    EventStatus,
    KioskDevice,
    PactTemplateVersion,
    Signature,
    SigningEvent,
    rows,
)
from signings.models.employee import signing_order
from signings.models.signature import VERIFICATION_ALPHABET
from signings.pdf import pact_text
from signings.services import audit, identity_checks
from signings.services.context import AuditContext

PAIRING_CODE_LENGTH = 8
PAIRING_TTL = datetime.timedelta(minutes=15)
# last_seen_at is written at most this often per tablet: every request would otherwise be a
# write, and at an assembly tablets poll every few seconds.
LAST_SEEN_RESOLUTION = datetime.timedelta(seconds=15)
TOKEN_SCHEME = "Device"  # noqa: S105 (the Authorization scheme name, not a secret)


class KioskError(PaktaError):
    """A refused pairing, tablet change or tablet request."""


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def normalize_pairing_code(raw: str) -> str:
    """Operators type codes with spaces, dashes and lower case; none of that matters."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def _new_pairing_code() -> str:
    return "".join(secrets.choice(VERIFICATION_ALPHABET) for _ in range(PAIRING_CODE_LENGTH))


def format_pairing_code(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


@dataclass(frozen=True)
class PairingCode:
    device: KioskDevice
    code: str  # shown once, never stored

    @property
    def display(self) -> str:
        return format_pairing_code(self.code)


@transaction.atomic
def add_device(*, event: SigningEvent, name: str, context: AuditContext) -> PairingCode:
    """Register a tablet for an event and issue its one-time pairing code."""
    name = (name or "").strip()
    if not name:
        raise KioskError("kiosk.name_missing", _("Nama tablet wajib diisi."))
    event = SigningEvent.objects.select_for_update().get(pk=event.pk)
    if event.status == EventStatus.CLOSED:
        raise KioskError(
            "event.closed", _("Acara sudah ditutup; tablet baru tidak dapat ditambahkan.")
        )
    if KioskDevice.objects.filter(event=event, name__iexact=name).exists():
        raise KioskError(
            "kiosk.name_taken", _("Nama tablet %(name)s sudah dipakai di acara ini.")
            % {"name": name},
        )
    code = _new_pairing_code()
    try:
        with transaction.atomic():
            device = KioskDevice.objects.create(
                event=event, name=name, created_by=context.actor,
                responsible_officer=context.actor,
                pairing_code_hash=hash_secret(code),
                pairing_expires_at=timezone.now() + PAIRING_TTL,
            )
    except IntegrityError:
        raise KioskError(
            "kiosk.name_taken", _("Nama tablet %(name)s sudah dipakai di acara ini.")
            % {"name": name},
        ) from None
    audit.record(action="kiosk.device.added", obj=device, agency=event.agency,
                 context=context, details={"event": event.pk, "name": name})
    return PairingCode(device=device, code=code)


def _lock_unrevoked(device: KioskDevice) -> KioskDevice:
    """The device row locked for this transaction; a revoked tablet is refused."""
    device = KioskDevice.objects.select_for_update().select_related("event__agency").get(
        pk=device.pk
    )
    if device.is_revoked:
        raise KioskError("kiosk.revoked", _("Tablet ini sudah dicabut."))
    return device


@transaction.atomic
def renew_pairing_code(*, device: KioskDevice, context: AuditContext) -> PairingCode:
    """A fresh code for a tablet that has not paired yet (the first one expired or got lost)."""
    device = _lock_unrevoked(device)
    if device.paired_at is not None:
        raise KioskError("kiosk.already_paired", _("Tablet ini sudah terpasang."))
    if device.event.status == EventStatus.CLOSED:
        raise KioskError("event.closed", _("Acara sudah ditutup."))
    code = _new_pairing_code()
    device.pairing_code_hash = hash_secret(code)
    device.pairing_expires_at = timezone.now() + PAIRING_TTL
    device.save(update_fields=["pairing_code_hash", "pairing_expires_at"])
    audit.record(action="kiosk.device.code_renewed", obj=device,
                 agency=device.event.agency, details={}, context=context)
    return PairingCode(device=device, code=code)


@transaction.atomic
def pair_device(*, code: str, user_agent: str = "",
                context: AuditContext) -> tuple[KioskDevice, str]:
    """Exchange a pairing code for a device token. The code works once."""
    normalized = normalize_pairing_code(code)
    refused = KioskError(
        "pairing.invalid",
        _("Kode pemasangan tidak dikenal atau sudah kedaluwarsa. Minta kode baru kepada petugas."),
        status=400,
    )
    if len(normalized) != PAIRING_CODE_LENGTH:
        raise refused
    device = (
        KioskDevice.objects.select_for_update()
        .select_related("event__agency")
        .filter(pairing_code_hash=hash_secret(normalized), paired_at__isnull=True,
                revoked_at__isnull=True, pairing_expires_at__gt=timezone.now())
        .first()
    )
    if device is None:
        raise refused
    if device.event.status == EventStatus.CLOSED:
        raise KioskError("event.closed", _("Acara sudah ditutup."), status=409)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    device.token_hash = hash_secret(token)
    device.pairing_code_hash = ""
    device.pairing_expires_at = None
    device.paired_at = now
    device.last_seen_at = now
    device.user_agent = text.scrub(user_agent or "")[:300]
    device.save(update_fields=["token_hash", "pairing_code_hash", "pairing_expires_at",
                               "paired_at", "last_seen_at", "user_agent"])
    audit.record(action="kiosk.device.paired", obj=device, agency=device.event.agency,
                 details={"event": device.event_id, "user_agent": device.user_agent},
                 # From here on the tablet acts as itself.
                 context=replace(context, label=f"kiosk:{device.name}", device=device))
    return device, token


@transaction.atomic
def revoke_device(*, device: KioskDevice, context: AuditContext) -> KioskDevice:
    device = _lock_unrevoked(device)
    device.revoked_at = timezone.now()
    device.revoked_by = context.actor
    device.pairing_code_hash = ""
    device.pairing_expires_at = None
    device.save(update_fields=["revoked_at", "revoked_by", "pairing_code_hash",
                               "pairing_expires_at"])
    audit.record(action="kiosk.device.revoked", obj=device,
                 agency=device.event.agency, context=context,
                 details={"event": device.event_id, "pending_reported": device.reported_pending})
    return device


@transaction.atomic
def change_responsible_officer(*, device: KioskDevice, officer: Any,
                               context: AuditContext) -> KioskDevice:
    """Hand the tablet over to another officer of the event's agency (the view checks that
    the officer may manage the event)."""
    device = KioskDevice.objects.select_for_update().select_related("event__agency").get(
        pk=device.pk
    )
    if device.is_revoked:
        raise KioskError("kiosk.revoked", _("Tablet ini sudah dicabut."))
    if not access.can(officer, Ability.MANAGE, device.event.agency):
        raise KioskError("kiosk.officer_invalid",
                         _("Petugas ini tidak menangani instansi acara ini."))
    previous = device.responsible_officer_id
    if previous == officer.pk:
        return device
    device.responsible_officer = officer
    device.save(update_fields=["responsible_officer"])
    audit.record(action="kiosk.device.officer_changed", obj=device,
                 agency=device.event.agency, context=context,
                 details={"event": device.event_id, "from": previous, "to": officer.pk,
                          "to_name": officer.get_username()})
    return device


@functools.cache
def _device_query() -> tuple[str, tuple[rows.Columns, ...]]:
    parts = (rows.Columns(KioskDevice, "d"), rows.Columns(SigningEvent, "e"),
             rows.Columns(PactTemplateVersion, "v"), rows.Columns(get_user_model(), "u"))
    # Only names from the models' metadata are interpolated; the token is a parameter.
    sql = (
        f"SELECT {', '.join(part.sql for part in parts)}"  # noqa: S608
        f" FROM {KioskDevice._meta.db_table} d"
        f" JOIN {SigningEvent._meta.db_table} e ON e.id = d.event_id"
        f" JOIN {PactTemplateVersion._meta.db_table} v ON v.id = e.template_version_id"
        f" LEFT JOIN {get_user_model()._meta.db_table} u ON u.id = d.responsible_officer_id"
        " WHERE d.token_hash = %s"
    )
    return sql, parts


def _device_by_token_hash(token_hash: str) -> KioskDevice | None:
    """The device with its event, template version and responsible officer (whom a signature
    records), in one query: every kiosk request starts here, so it is written out once instead
    of compiled from a queryset each time (models/rows.py)."""
    sql, parts = _device_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [token_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    device: KioskDevice
    device, event, version, officer = rows.split(row, *parts)
    event.template_version = version
    device.event = event
    device.responsible_officer = officer
    return device


def authenticate(token: str) -> KioskDevice:
    """The device behind a token, or KioskError (401 unknown, 403 revoked)."""
    token = (token or "").strip()
    device = None
    if token:
        device = _device_by_token_hash(hash_secret(token))
    if device is None:
        raise KioskError(
            "device.unknown",
            _("Tablet ini tidak dikenal. Pasang ulang tablet dengan kode dari petugas."),
            status=401,
        )
    if device.is_revoked:
        raise KioskError(
            "device.revoked",
            _("Tablet ini telah dicabut oleh petugas. Tanda tangan yang belum terkirim tetap "
              "tersimpan di tablet; tunjukkan kepada petugas."),
            status=403,
        )
    return device


def touch(device: KioskDevice, *, pending: int | None = None,
          clock_offset: int | None = None, now: datetime.datetime | None = None) -> None:
    """Note that the tablet was seen, with its outbox size and clock offset.

    At most one UPDATE per LAST_SEEN_RESOLUTION and tablet, and the database decides (the
    UPDATE only matches a row last seen before that), so a tablet's concurrent requests on
    several workers write once. Sooner only for what an officer must see at once: an outbox
    growing past the item being sent, or a clock that moved. Sending one signature at a time
    flips the count between 1 and 0; that waits for the next regular write.
    """
    now = now or timezone.now()
    changes: dict = {"last_seen_at": now}
    if pending is not None and pending >= 0 and pending != device.reported_pending:
        changes["reported_pending"] = pending
    if clock_offset is not None and (
        device.clock_offset_seconds is None
        or abs(clock_offset - device.clock_offset_seconds) >= 5
    ):
        changes["clock_offset_seconds"] = clock_offset
    urgent = "clock_offset_seconds" in changes or (
        pending is not None and pending > 1 and pending > device.reported_pending)
    stale = now - LAST_SEEN_RESOLUTION
    if not urgent and device.last_seen_at is not None and device.last_seen_at > stale:
        return
    matching = KioskDevice.objects.filter(pk=device.pk)
    if not urgent:
        matching = matching.filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lte=stale))
    if matching.update(**changes):
        for field, value in changes.items():
            setattr(device, field, value)


# --- What a tablet caches -------------------------------------------------------------------


def signing_rank_awaited(event: SigningEvent) -> int | None:
    """The lowest signing rank still awaited (head = 0, echelon II…IV, staff = 9), or None.

    People with an attendance note (absent, sign later) are not waited for.
    """
    if not event.enforce_signing_order:
        return None
    signed = Signature.objects.valid().filter(event=event, employee=OuterRef("pk"))
    noted = AttendanceOutcome.objects.filter(event=event, employee=OuterRef("pk"))
    rank = (
        Employee.objects.filter(expected_at__event=event)
        .with_signing_rank()
        .exclude(Exists(signed))
        .exclude(Exists(noted))
        .order_by("signing_rank")
        .values_list("signing_rank", flat=True)
        .first()
    )
    return rank


def awaited_signers(event: SigningEvent, *, limit: int = 20) -> list[Employee]:
    """Who must sign before everyone else can, in order (empty when order is off)."""
    rank = signing_rank_awaited(event)
    if rank is None:
        return []
    signed = Signature.objects.valid().filter(event=event, employee=OuterRef("pk"))
    noted = AttendanceOutcome.objects.filter(event=event, employee=OuterRef("pk"))
    return list(
        Employee.objects.filter(expected_at__event=event)
        .with_signing_rank()
        .filter(signing_rank=rank)
        .exclude(Exists(signed))
        .exclude(Exists(noted))
        .select_related("agency")
        .order_by(*signing_order())[:limit]
    )


def roster(event: SigningEvent) -> list[dict]:
    """The expected signers as the tablet caches them: no full NIP/NIK, no birth date, no
    birth-date digits (only the last 4 digits of the number), and per person a salted scrypt
    verifier of the birth date that takes a laptop minutes to brute-force."""
    noted = AttendanceOutcome.objects.filter(event=event, employee=OuterRef("pk"))
    employees = (
        Employee.objects.filter(expected_at__event=event)
        .in_signing_order()
        .annotate(has_note=Exists(noted))
        .select_related("agency")
        .only("pk", "name", "title_prefix", "title_suffix", "position", "nip", "nik",
              "staff_number", "birth_date", "grade", "category", "agency__name",
              "agency__short_name")
    )
    checks = identity_checks.verifiers(event)
    entries = []
    for employee in employees:
        number = employee.nip or employee.nik
        masked = mask_tail(number) if number else employee.staff_number
        salt, verifier = checks.ready.get(employee.pk, ("", ""))
        if verifier:
            birth_check = "scrypt"
        elif employee.pk in checks.pending:
            birth_check = "server"  # the tablet asks the server until the verifier is made
        else:
            birth_check = "none"
        entries.append({
            "id": employee.pk,
            "name": employee.display_name,
            "search_name": employee.name,
            "position": employee.position,
            "unit": employee.agency.short_name or employee.agency.name,
            "grade": employee.grade_label,
            "agency": employee.agency.name,
            "identity_label": pact_text.identity_label(employee),
            "masked": masked,
            "digits_tail": masked.rsplit("*", 1)[1] if number and "*" in masked else "",
            "birth_check": birth_check,
            "birth_salt": salt,
            "birth_verifier": verifier,
            "rank": employee.signing_rank,
            "excused": employee.has_note,
        })
    return entries


def signed_list(event: SigningEvent) -> list[dict]:
    """Who has signed already (any tablet or method), so a tablet can say so offline."""
    signed = (
        Signature.objects.valid().filter(event=event)
        .values_list("employee_id", "signed_at", "device__name", "method")
        .order_by()
    )
    return [
        {"employee_id": emp, "signed_at": at, "where": device or "", "method": method}
        for emp, at, device, method in signed
    ]

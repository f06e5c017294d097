from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from signings import audit_actions
from signings.models import Agency, AuditEntry
from signings.models.audit import GENESIS_HASH
from signings.services.context import AuditContext

# Any fixed number works: it names the lock that serialises appends to the hash chain.
AUDIT_CHAIN_LOCK_KEY = 0x50414B54  # "PAKT"


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_KEY])
    # SQLite: transactions start IMMEDIATE (settings), so writers are already serialised.


def record(
    *,
    action: str,
    obj: models.Model | None = None,
    agency: Agency | None = None,
    details: dict[str, Any] | None = None,
    context: AuditContext,
) -> AuditEntry:
    """Append one entry to the hash-chained audit log.

    Must run inside the transaction of the change it records, so that the change and its
    record commit or roll back together. Call it last in the service: it holds the chain lock
    until commit.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must be called inside transaction.atomic().")
    audit_actions.check(action)
    actor = context.actor
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    actor_label = context.label or (actor.get_username() if actor is not None else "")
    _lock_chain()
    previous = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first()
    entry = AuditEntry(
        at=timezone.now(),
        actor=actor,
        actor_label=actor_label[:150],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:250] if obj is not None else "",
        agency=agency,
        ip_address=context.ip_address,
        # Round-trip so the hash covers exactly what the database will give back.
        details=json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder)),
        prev_hash=previous or GENESIS_HASH,
    )
    entry.entry_hash = entry.compute_hash()
    entry.save()
    return entry


def verify_chain() -> tuple[int, AuditEntry | None]:
    """Walk the chain in order; return (entries checked, first broken entry or None)."""
    expected_prev = GENESIS_HASH
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != expected_prev or entry.compute_hash() != entry.entry_hash:
            return checked, entry
        expected_prev = entry.entry_hash
        checked += 1
    return checked, None


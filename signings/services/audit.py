from __future__ import annotations

import json
import zlib
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from signings import audit_actions
from signings.models import Agency, AuditEntry
from signings.models.audit import GENESIS_HASH, SYSTEM_CHAIN, agency_chain
from signings.services import checkpoint_schedule
from signings.services.context import AuditContext

# Any fixed number works: with the chain's own number it names the lock that serialises appends
# to one chain (pg_advisory_xact_lock(int, int)).
AUDIT_CHAIN_LOCK_KEY = 0x50414B54  # "PAKT"


def chain_for(agency: Agency | None) -> str:
    """The chain of an entry about `agency`: its government's (the root of its tree).

    The root's id is the first segment of the materialised path, so no query is needed. An
    agency moved under another government writes to that government's chain from then on; its
    earlier entries stay in the chain they were appended to.
    """
    if agency is None:
        return SYSTEM_CHAIN
    root = agency.path.split("/", 1)[0] if agency.path else ""
    return agency_chain(int(root) if root else agency.pk)


def chain_lock_id(chain: str) -> int:
    """A stable signed 32-bit number for the chain's advisory lock."""
    return zlib.crc32(chain.encode()) - 2**31


def lock_chain(chain: str) -> None:
    """Held until the transaction ends. One lock per chain: two governments sharing an
    installation never wait for each other."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                           [AUDIT_CHAIN_LOCK_KEY, chain_lock_id(chain)])
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
    chain = chain_for(agency)
    lock_chain(chain)
    with connection.cursor() as cursor:
        # The chain's head, read after its lock. Written out: every change of the application
        # passes here, and compiling the queryset cost more than running it.
        cursor.execute("SELECT seq, entry_hash FROM signings_auditentry WHERE chain = %s"
                       " ORDER BY seq DESC LIMIT 1", [chain])
        previous = cursor.fetchone()
    entry = AuditEntry(
        chain=chain,
        seq=previous[0] + 1 if previous else 1,
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
        prev_hash=previous[1] if previous else GENESIS_HASH,
    )
    entry.entry_hash = entry.compute_hash()
    entry.save()
    transaction.on_commit(lambda: _after_append(chain))
    return entry


def _after_append(chain: str) -> None:
    checkpoint_schedule.schedule_after_activity(chain)


def changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """The `changes` detail of an update entry: [before, after] for each field that differs.

    `old` and `new` are snapshots of the same fields, before and after the edit.
    """
    return {key: [old[key], new[key]] for key in old if old[key] != new[key]}

from __future__ import annotations

import json
import zlib
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from signings import audit_actions
from signings.models import Agency, AuditEntry
from signings.models.audit import GENESIS_HASH, SYSTEM_CHAIN, agency_chain
from signings.services.context import AuditContext, client_ip

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
    actor=None,
    actor_label: str = "",
    agency: Agency | None = None,
    request: HttpRequest | None = None,
    details: dict[str, Any] | None = None,
    context: AuditContext | None = None,
) -> AuditEntry:
    """Append one entry to the hash-chained audit log.

    Must run inside the transaction of the change it records, so that the change and its
    record commit or roll back together. Call it last in the service: it holds the chain lock
    until commit.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must be called inside transaction.atomic().")
    audit_actions.check(action)
    ip_address = client_ip(request)
    if context is not None:
        actor = actor if actor is not None else context.actor
        actor_label = actor_label or context.actor_label
        ip_address = ip_address or context.ip_address
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if not actor_label:
        actor_label = actor.get_username() if actor is not None else ""
    chain = chain_for(agency)
    lock_chain(chain)
    previous = (AuditEntry.objects.filter(chain=chain).order_by("-seq")
                .values_list("seq", "entry_hash").first())
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
        ip_address=ip_address,
        # Round-trip so the hash covers exactly what the database will give back.
        details=json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder)),
        prev_hash=previous[1] if previous else GENESIS_HASH,
    )
    entry.entry_hash = entry.compute_hash()
    entry.save()
    transaction.on_commit(lambda: _after_append(chain))
    return entry


def _after_append(chain: str) -> None:
    from signings.services import checkpoints

    checkpoints.schedule_after_activity(chain)


def verify_chain() -> tuple[int, AuditEntry | None]:
    """Hash links only, every chain: (entries checked, first broken entry or None).

    The full check (sequence gaps, checkpoints, signature rows) is
    signings.services.audit_verify.verify_audit().
    """
    from signings.services import audit_verify

    checked = 0
    for chain in audit_verify.chains_in_db():
        report, _hashes = audit_verify.walk_chain(chain)
        checked += report.entries
        if report.broken is not None:
            return checked, report.broken
    return checked, None

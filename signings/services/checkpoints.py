"""Signed checkpoints of the audit chains, kept outside the database.

The hash chain (signings/models/audit.py) shows a row edited in place, but not a log cut short,
emptied, or edited and re-hashed from that point on: nothing outside the database says what the
head was. A checkpoint says it: for one chain, "entry `seq` had hash `head_hash`", as canonical
JSON, signed with the seal key (detached CMS, `.p7s`) and timestamped by the TSA (RFC 3161
token over the JSON's SHA-256, `.tst`), written to Django storage as

    checkpoints/<chain>/<seq, 12 digits>.json / .p7s / .tst

and indexed in the database (AuditCheckpoint) for the pages that print it. `seq` is also the
number of entries the chain had: seq runs 1, 2, 3... without gaps.

When: after every commit that appended to a chain, a task is scheduled for when the chain's
last checkpoint is PAKTA_CHECKPOINT_INTERVAL minutes old (so the tail of any burst of activity
is anchored within that time, and a quiet chain costs nothing); and at every event close. Each
checkpoint is itself an audit entry ("audit.checkpoint.made") in the chain it covers; it
covers the chain up to the entry BEFORE it (others may slip in between: the checkpoint names
its seq). The frozen legacy chain's checkpoint is logged in the system chain.

`verify_audit_chain` (signings/services/audit_verify.py) reads the newest checkpoint of each
chain from storage, checks its signature and timestamp, and compares it with the database.
Storage should therefore not be writable by whoever can write the database (another host,
object storage with retention); checkpoints also travel in recaps and archives.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from signings.models import Agency, AuditCheckpoint, AuditEntry
from signings.models.audit import SYSTEM_CHAIN
from signings.pdf import detached, seal
from signings.services import audit, seal_certificates
from signings.services.checkpoint_schedule import interval  # noqa: F401 (re-exported)
from signings.services.context import AuditContext

logger = logging.getLogger(__name__)

ACTION_MADE = "audit.checkpoint.made"
FORMAT = "pakta-audit-checkpoint/1"
ROOT = "checkpoints"
MAKING_LOCK_KEY = 0x434B5054  # "CKPT": one maker per chain at a time (session lock)


class CheckpointExistsError(RuntimeError):
    """A checkpoint file is in the way: stored checkpoints are never overwritten."""


def prefix(chain: str, seq: int) -> str:
    return f"{ROOT}/{chain}/{seq:012d}"


def canonical_json(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def latest_checkpoint(chain: str) -> AuditCheckpoint | None:
    """The newest checkpoint of `chain` (the index row: chain, seq, head_hash, made_at,
    timestamped_at, and `storage_prefix` + .json/.p7s/.tst for the files), for recaps and
    archives."""
    return AuditCheckpoint.objects.filter(chain=chain).order_by("-seq").first()


def chain_of_agency(agency: Agency | None) -> str:
    return audit.chain_for(agency)


@contextlib.contextmanager
def _making(chain: str) -> Iterator[bool]:
    """Non-blocking: a second worker for the same chain gives up (the first one covers it).
    A different key from the append lock: appends never wait for the TSA."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = (MAKING_LOCK_KEY, audit.chain_lock_id(chain))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)


def _agency_of_chain(chain: str) -> Agency | None:
    if chain.startswith("agency-"):
        return Agency.objects.filter(pk=int(chain.removeprefix("agency-"))).first()
    return None


def _nothing_new(chain: str, head: Mapping[str, Any], latest: AuditCheckpoint | None) -> bool:
    if latest is None:
        return False
    if latest.seq >= head["seq"]:
        return True
    # Only the previous checkpoint's own entry since: anchoring it would never end.
    return bool(head["seq"] == latest.seq + 1 and head["action"] == ACTION_MADE)


def make_checkpoint(*, chain: str, context: AuditContext) -> AuditCheckpoint | None:
    """Sign, timestamp and store the current head of `chain`; None when there is nothing to
    anchor or another worker is at it. Returns the existing newest one when nothing changed."""
    with _making(chain) as acquired:
        if not acquired:
            return None
        # First, so the certificate that signs is in the register the verifier accepts.
        seal_certificates.register_in_use(certificate=seal.seal_certificate(), context=context)
        head = (AuditEntry.objects.filter(chain=chain).order_by("-seq")
                .values("seq", "entry_hash", "action").first())
        if head is None:
            return None
        latest = latest_checkpoint(chain)
        if _nothing_new(chain, head, latest):
            return latest
        now = timezone.now()
        payload = {
            "format": FORMAT,
            "chain": chain,
            "seq": head["seq"],
            "head_hash": head["entry_hash"],
            "made_at": now.isoformat(timespec="microseconds"),
            "installation": settings.PAKTA_PUBLIC_BASE_URL,
        }
        document = canonical_json(payload)
        signature = detached.sign(document)
        token = detached.timestamp(document)
        name = prefix(chain, head["seq"])
        # Files first (like the pacts): a crash leaves files without an index row, which the
        # verifier still reads; never a row pointing at nothing.
        files = ((".json", document), (".p7s", signature), (".tst", token))
        if any(default_storage.exists(name + suffix) for suffix, _content in files):
            # A checkpoint at this seq already exists without its index row: the chain was cut
            # back and has grown again (or an earlier attempt crashed). Never overwrite
            # evidence: the verifier reports the difference.
            raise CheckpointExistsError(
                f"{name}.json already exists in storage: not overwritten; run "
                "verify_audit_chain.")
        for suffix, content in files:
            default_storage.save(name + suffix, ContentFile(content))
        with transaction.atomic():
            checkpoint = AuditCheckpoint.objects.create(
                chain=chain, seq=head["seq"], head_hash=head["entry_hash"], made_at=now,
                timestamped_at=detached.token_time(token),
                json_sha256=hashlib.sha256(document).hexdigest(), storage_prefix=name,
            )
            audit.record(
                action=ACTION_MADE, obj=checkpoint, agency=_agency_of_chain(chain),
                context=context, details={
                    "chain": chain, "seq": head["seq"], "head_hash": head["entry_hash"],
                    "json_sha256": checkpoint.json_sha256,
                    "timestamped_at": checkpoint.timestamped_at, "files": name,
                },
            )
    return checkpoint


def make_all(*, context: AuditContext) -> list[AuditCheckpoint]:
    """A checkpoint of every chain with something new (management command, after migrating)."""
    made = []
    chains = list(AuditEntry.objects.exclude(chain=SYSTEM_CHAIN)
                  .values_list("chain", flat=True).distinct().order_by("chain"))
    # The system chain last: the legacy chain's checkpoint entry (and a first certificate
    # registration) are appended there.
    for chain in [*chains, SYSTEM_CHAIN]:
        checkpoint = make_checkpoint(chain=chain, context=context)
        if checkpoint is not None:
            made.append(checkpoint)
    return made


@dataclass(frozen=True)
class StoredCheckpoint:
    chain: str
    seq: int
    head_hash: str
    made_at: str
    document: bytes
    check: detached.DetachedCheck


def _listdir(path: str) -> tuple[list[str], list[str]]:
    """A folder's subfolders and files; none when it is missing. Not exists() first: a bucket
    has no folders, only names with slashes, so exists() of a folder is always False there."""
    try:
        return default_storage.listdir(path)
    except FileNotFoundError:
        return [], []


def stored_chains() -> list[str]:
    directories, _files = _listdir(ROOT)
    return sorted(directories)


def stored_seqs(chain: str) -> list[int]:
    _dirs, files = _listdir(f"{ROOT}/{chain}")
    # ASCII digits only: "²".isdigit() is true and int() refuses it, and a stray file dropped
    # in the bucket must not stop the chain check.
    return sorted(int(name[:-5]) for name in files
                  if name.endswith(".json") and name[:-5].isascii() and name[:-5].isdecimal())


def read_stored(chain: str, seq: int) -> StoredCheckpoint:
    """One checkpoint from storage, its signature and timestamp checked against the register
    of seal certificates. Raises OSError/ValueError when a file is missing or not JSON."""
    name = prefix(chain, seq)
    with default_storage.open(name + ".json", "rb") as handle:
        document = handle.read()
    parts = {}
    for suffix in (".p7s", ".tst"):
        with default_storage.open(name + suffix, "rb") as handle:
            parts[suffix] = handle.read()
    payload = json.loads(document)
    check = detached.check(document, parts[".p7s"], parts[".tst"],
                           seal_certificates.certificates())
    return StoredCheckpoint(chain=str(payload.get("chain")), seq=int(payload.get("seq", -1)),
                            head_hash=str(payload.get("head_hash")),
                            made_at=str(payload.get("made_at")), document=document,
                            check=check)

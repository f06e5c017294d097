"""Verifying the audit log: every chain, against its signed checkpoint, and every signature row
against what its audit entries recorded.

What each check catches:
- hash links (prev_hash, entry_hash): a row edited in place, or an entry removed mid-chain;
- seq without gaps, from 1: an entry removed, even with the next one re-linked;
- the newest checkpoint in storage (signature and timestamp checked; signings/services/
  checkpoints.py): the tail cut off (the chain is shorter than the checkpoint), the log emptied
  (a checkpointed chain with no entries), an edit followed by re-hashing every later entry (the
  hash at the checkpoint's seq differs);
- signature rows (signed_at, image and paper scan file hashes, pdf_sha256 and the PDF file,
  pdf_rendered_at, void state and time) against "signing.signature.recorded",
  "signing.pdf.rendered"/"rerendered"/"witnessed" and "signing.signature.voided" entries: a
  row changed (or a file swapped) behind the application's back, a row without entry, an
  entry without row.
Entries after the newest checkpoint are covered by the hash links only, until the next one.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from django.db.models.fields.files import FieldFile
from django.utils.dateparse import parse_datetime

from signings.models import AuditCheckpoint, AuditEntry, Signature
from signings.models.audit import GENESIS_HASH, LEGACY_CHAIN
from signings.services import checkpoints

ACTION_RECORDED = "signing.signature.recorded"
ACTION_VOIDED = "signing.signature.voided"
# The last one logged names the current file; "witnessed" issues the pact again once its
# witness has signed (services/pacts.py).
PDF_ACTIONS = ("signing.pdf.rendered", "signing.pdf.rerendered", "signing.pdf.witnessed")


@dataclass
class ChainReport:
    chain: str
    entries: int = 0  # intact entries walked (up to the first broken one)
    last_seq: int = 0
    broken: AuditEntry | None = None
    checkpoint_seq: int | None = None  # newest checkpoint found in storage
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class AuditReport:
    chains: list[ChainReport]
    signature_problems: list[str]
    signatures_checked: int

    @property
    def problems(self) -> list[str]:
        found = [problem for chain in self.chains for problem in chain.problems]
        return found + self.signature_problems

    @property
    def ok(self) -> bool:
        return not self.problems


def chains_in_db() -> list[str]:
    return list(AuditEntry.objects.values_list("chain", flat=True).distinct().order_by("chain"))


def _describe(entry: AuditEntry) -> str:
    return f"entry #{entry.pk} (seq {entry.seq}, {entry.action}, {entry.at:%Y-%m-%d %H:%M:%S})"


def walk_chain(chain: str, *, remember: AbstractSet[int] = frozenset()) -> tuple[ChainReport, dict]:
    """Links, hashes and seq of one chain; the hashes at the seqs in `remember`."""
    report = ChainReport(chain=chain)
    hashes: dict[int, str] = {}
    expected_prev, expected_seq = GENESIS_HASH, 1
    for entry in AuditEntry.objects.filter(chain=chain).order_by("seq").iterator(
            chunk_size=2000):
        report.last_seq = entry.seq
        if entry.seq in remember:
            hashes[entry.seq] = entry.entry_hash
        if report.broken is not None:
            continue
        where = f"Chain {chain}: {_describe(entry)}"
        if entry.seq != expected_seq:
            report.problems.append(
                f"{where}: expected seq {expected_seq}; {entry.seq - expected_seq} entries "
                "are missing before it.")
            report.broken = entry
        elif entry.prev_hash != expected_prev:
            report.problems.append(
                f"{where}: does not link to the entry before it (removed or changed "
                "outside the application).")
            report.broken = entry
        elif entry.compute_hash() != entry.entry_hash:
            report.problems.append(
                f"{where}: its content does not match its hash (changed outside the "
                "application).")
            report.broken = entry
        else:
            report.entries += 1
            expected_prev, expected_seq = entry.entry_hash, entry.seq + 1
    return report, hashes


def _newest_stored(chain: str, report: ChainReport) -> checkpoints.StoredCheckpoint | None:
    seqs = checkpoints.stored_seqs(chain)
    indexed = (AuditCheckpoint.objects.filter(chain=chain).order_by("-seq")
               .values_list("seq", flat=True).first())
    if indexed is not None and (not seqs or indexed > seqs[-1]):
        report.problems.append(
            f"Chain {chain}: the database lists a checkpoint at seq {indexed} whose files are "
            f"missing from storage ({checkpoints.prefix(chain, indexed)}.json).")
    if not seqs:
        report.warnings.append(f"Chain {chain}: no checkpoint yet; hash links only.")
        return None
    seq = seqs[-1]
    try:
        stored = checkpoints.read_stored(chain, seq)
    except (OSError, ValueError) as error:
        report.problems.append(
            f"Chain {chain}: checkpoint {checkpoints.prefix(chain, seq)} is unreadable or "
            f"incomplete ({error}).")
        return None
    if not stored.check.valid:
        report.problems.append(
            f"Chain {chain}: checkpoint {checkpoints.prefix(chain, seq)} fails its signature "
            f"or timestamp check ({stored.check.reason}).")
        return None
    if stored.chain != chain or stored.seq != seq:
        report.problems.append(
            f"Chain {chain}: checkpoint {checkpoints.prefix(chain, seq)} names chain "
            f"{stored.chain} seq {stored.seq}.")
        return None
    return stored


def verify_chain_against_checkpoint(chain: str) -> ChainReport:
    probe = ChainReport(chain=chain)
    stored = _newest_stored(chain, probe)
    report, hashes = walk_chain(chain, remember={stored.seq} if stored else set())
    report.problems[:0] = probe.problems
    report.warnings += probe.warnings
    if stored is None:
        return report
    report.checkpoint_seq = stored.seq
    stamped = f"{stored.check.timestamped_at:%Y-%m-%d %H:%M:%S} UTC"
    when = f"checkpoint of {stored.made_at} (timestamped {stamped})"
    if report.last_seq == 0:
        report.problems.append(
            f"Chain {chain}: no entries, but the {when} covers {stored.seq}: the log was "
            "emptied.")
    elif report.last_seq < stored.seq:
        report.problems.append(
            f"Chain {chain}: ends at seq {report.last_seq}, but the {when} covers "
            f"{stored.seq} entries: {stored.seq - report.last_seq} entries were removed "
            "from the tail.")
    elif hashes.get(stored.seq) != stored.head_hash:
        report.problems.append(
            f"Chain {chain}: the entry at seq {stored.seq} has hash "
            f"{(hashes.get(stored.seq) or 'none')[:16]}…, the {when} says "
            f"{stored.head_hash[:16]}…: the chain was rewritten up to there.")
    elif not _own_entry_exists(stored):
        report.problems.append(
            f"Chain {chain}: the {when} at seq {stored.seq} has no "
            f"'{checkpoints.ACTION_MADE}' entry after it: the tail was removed (or the "
            "checkpoint's making was interrupted before its entry was written).")
    return report


def _own_entry_exists(stored: checkpoints.StoredCheckpoint) -> bool:
    """Every checkpoint is followed by its own entry (in the system chain for the legacy
    chain): without this, cutting exactly that last entry would go unseen."""
    entries = AuditEntry.objects.filter(
        action=checkpoints.ACTION_MADE, details__chain=stored.chain, details__seq=stored.seq)
    if stored.chain != LEGACY_CHAIN:
        entries = entries.filter(chain=stored.chain, seq__gt=stored.seq)
    return entries.exists()


def file_sha256(file: FieldFile) -> str | None:
    name = file.name
    if not file or name is None or not file.storage.exists(name):
        return None
    digest = hashlib.sha256()
    with file.storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _same_time(recorded: object, value: datetime.datetime | None) -> bool:
    return value is not None and parse_datetime(str(recorded)) == value


def _entries_by_signature() -> dict[str, dict]:
    found: dict[str, dict] = defaultdict(dict)
    for object_id, action, details in (
            AuditEntry.objects.filter(object_type=Signature._meta.label_lower,
                                      action__in=[ACTION_RECORDED, ACTION_VOIDED, *PDF_ACTIONS])
            .order_by("id").values_list("object_id", "action", "details")):
        key = "pdf" if action in PDF_ACTIONS else action
        found[object_id][key] = details  # the last PDF entry wins: the current file
    return found


def _compare(signature: Signature, logged: dict, files: bool) -> list[str]:
    name = f"Signature #{signature.pk} ({signature.verification_code})"
    recorded = logged.get(ACTION_RECORDED)
    if recorded is None:
        return [f"{name}: no '{ACTION_RECORDED}' entry: the row was written outside the "
                "application."]
    problems = []
    if "signed_at" in recorded and not _same_time(recorded["signed_at"], signature.signed_at):
        problems.append(f"{name}: signed_at is {signature.signed_at.isoformat()}, the log "
                        f"recorded {recorded['signed_at']}.")
    for key, file in (("image_sha256", signature.image),
                      ("paper_scan_sha256", signature.paper_scan)):
        if key in recorded and files and file_sha256(file) != recorded[key]:
            problems.append(f"{name}: the {key.removesuffix('_sha256')} file is missing or "
                            "differs from the one recorded.")
    pdf = logged.get("pdf")
    if pdf is None and signature.pdf_sha256:
        problems.append(f"{name}: has a PDF hash but no PDF was ever logged as rendered.")
    elif pdf is not None:
        if pdf.get("sha256") != signature.pdf_sha256:
            problems.append(f"{name}: pdf_sha256 is {signature.pdf_sha256[:16] or 'empty'}…, "
                            f"the log recorded {str(pdf.get('sha256'))[:16]}….")
        elif "rendered_at" in pdf and not _same_time(pdf["rendered_at"],
                                                     signature.pdf_rendered_at):
            problems.append(f"{name}: pdf_rendered_at differs from the log.")
        elif files and signature.pdf and file_sha256(signature.pdf) not in (
                None, signature.pdf_sha256):
            problems.append(f"{name}: the PDF file in storage differs from pdf_sha256.")
    voided = logged.get(ACTION_VOIDED)
    if voided is None and signature.voided_at is not None:
        problems.append(f"{name}: marked void, but no void was ever logged.")
    elif voided is not None and signature.voided_at is None:
        problems.append(f"{name}: the log says it was voided, the row says it stands.")
    elif voided is not None and "voided_at" in voided and not _same_time(
            voided["voided_at"], signature.voided_at):
        problems.append(f"{name}: voided_at differs from the log.")
    return problems


def check_signatures(*, files: bool = True) -> tuple[int, list[str]]:
    logged = _entries_by_signature()
    problems: list[str] = []
    checked = 0
    for signature in Signature.objects.order_by("pk").iterator(chunk_size=1000):
        checked += 1
        problems += _compare(signature, logged.pop(str(signature.pk), {}), files)
    for object_id, entries in sorted(logged.items()):
        if ACTION_RECORDED in entries:
            problems.append(f"Signature #{object_id}: recorded in the log, but the row is gone.")
    return checked, problems


def verify_audit(*, files: bool = True) -> AuditReport:
    """Every chain in the database or in checkpoint storage, then every signature row."""
    chains = sorted(set(chains_in_db()) | set(checkpoints.stored_chains()))
    reports = [verify_chain_against_checkpoint(chain) for chain in chains]
    checked, signature_problems = check_signatures(files=files)
    return AuditReport(chains=reports, signature_problems=signature_problems,
                       signatures_checked=checked)


def verify_chain() -> tuple[int, AuditEntry | None]:
    """Hash links only, every chain: (entries checked, first broken entry or None).

    The full check (sequence gaps, checkpoints, signature rows) is
    signings.services.verify_audit().
    """
    checked = 0
    for chain in chains_in_db():
        report, _hashes = walk_chain(chain)
        checked += report.entries
        if report.broken is not None:
            return checked, report.broken
    return checked, None

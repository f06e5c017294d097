"""The audit chains anchored: per-government chains, signed checkpoints in storage, and the
tampering a database administrator could try, each caught by verify_audit_chain."""

import datetime
import hashlib
import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from signings.models import Agency, AuditCheckpoint, AuditEntry, Signature
from signings.models.audit import GENESIS_HASH, LEGACY_CHAIN, SYSTEM_CHAIN, agency_chain
from signings.pdf import detached
from signings.services import (
    audit,
    audit_verify,
    checkpoint_schedule,
    checkpoints,
    events,
    pacts,
    signatures,
)
from signings.services.audit_verify import verify_audit
from signings.services.context import AuditContext
from tests import factories

pytestmark = pytest.mark.django_db
CONTEXT = AuditContext.system("test")


@pytest.fixture(autouse=True)
def _no_schedule_left_over():
    checkpoint_schedule._scheduled.clear()
    yield
    checkpoint_schedule._scheduled.clear()


def _behind_the_apps_back(*statements) -> None:
    """What someone with database rights can do: switch the audit triggers off and write."""
    with connection.cursor() as cursor:
        # Run the deferred foreign-key checks now: ALTER TABLE refuses pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE signings_auditentry DISABLE TRIGGER USER")
        for sql, params in statements:
            cursor.execute(sql, params)
        cursor.execute("ALTER TABLE signings_auditentry ENABLE TRIGGER USER")


def _chain_entries(chain):
    return list(AuditEntry.objects.filter(chain=chain).order_by("seq"))


@pytest.fixture
def signed_and_anchored(open_event, hr_a):
    """Three signatures with their PDFs and some downloads, then a checkpoint of agency A's
    chain (14 entries before it)."""
    people = [row.employee for row in open_event.expected.select_related("employee")][:3]
    for person in people:
        signature = factories.signature(open_event, person, officer=hr_a)
        pacts.render_and_store(signature_id=signature.pk, context=AuditContext.system("test"))
    for _ in range(6):
        with transaction.atomic():
            audit.record(action="audit.download.recap", obj=open_event,
                         agency=open_event.agency, context=AuditContext.for_user(hr_a))
    chain = agency_chain(open_event.agency_id)
    checkpoint = checkpoints.make_checkpoint(chain=chain, context=CONTEXT)
    return chain, checkpoint


def _problems():
    report = verify_audit()
    return report.problems


def test_each_government_has_its_own_chain_and_sequence(agency_a, unit_a, agency_b):
    with transaction.atomic():
        first = audit.record(action="template.created", agency=agency_a, context=CONTEXT)
        in_unit = audit.record(action="template.created", agency=unit_a, context=CONTEXT)
        other = audit.record(action="template.created", agency=agency_b, context=CONTEXT)
        system = audit.record(action="template.created", context=CONTEXT)
    assert (first.chain, first.seq) == (agency_chain(agency_a.pk), 1)
    assert (in_unit.chain, in_unit.seq, in_unit.prev_hash) == (first.chain, 2, first.entry_hash)
    assert (other.chain, other.seq) == (agency_chain(agency_b.pk), 1)
    assert (system.chain, system.seq) == (SYSTEM_CHAIN, 1)
    assert verify_audit().ok


def test_truncate_of_the_audit_log_is_refused(open_event):
    with pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"), \
            transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE signings_auditentry")
    assert AuditEntry.objects.exists()


def test_checkpoint_is_signed_timestamped_and_stored_outside_the_database(signed_and_anchored):
    chain, checkpoint = signed_and_anchored
    own_entry = _chain_entries(chain)[-1]
    # It covers the chain up to the entry before its own.
    assert own_entry.action == checkpoints.ACTION_MADE and own_entry.seq == checkpoint.seq + 1
    assert checkpoint.head_hash == _chain_entries(chain)[-2].entry_hash
    document = default_storage.open(checkpoint.storage_prefix + ".json").read()
    payload = json.loads(document)
    assert (payload["chain"], payload["seq"], payload["head_hash"]) == (
        chain, checkpoint.seq, checkpoint.head_hash)
    result = checkpoints.read_stored(chain, checkpoint.seq)
    assert result.check.valid and result.check.reason == "ok"
    assert abs(result.check.timestamped_at - timezone.now()) < datetime.timedelta(minutes=1)
    assert checkpoints.latest_checkpoint(chain) == checkpoint
    # Nothing new since (only its own entry): no second checkpoint.
    assert checkpoints.make_checkpoint(chain=chain, context=CONTEXT) == checkpoint
    assert AuditCheckpoint.objects.count() == 1


def test_intact_chains_pass_the_verifier(signed_and_anchored, capsys):
    chain, checkpoint = signed_and_anchored
    report = verify_audit()
    assert report.ok, report.problems
    assert report.signatures_checked == 3
    assert next(c for c in report.chains if c.chain == chain).checkpoint_seq == checkpoint.seq
    call_command("verify_audit_chain")
    out = capsys.readouterr().out
    assert "Audit chain intact" in out and f"anchored at seq {checkpoint.seq}" in out


def test_deleting_the_last_entry_is_caught(signed_and_anchored):
    chain, checkpoint = signed_and_anchored
    last = _chain_entries(chain)[-1]
    _behind_the_apps_back(("DELETE FROM signings_auditentry WHERE id = %s", [last.pk]))
    # The hash links alone cannot see it.
    assert audit_verify.verify_chain()[1] is None
    problems = _problems()
    assert any(f"Chain {chain}" in p and "tail was removed" in p for p in problems), problems
    with pytest.raises(CommandError, match=f"Chain {chain}"):
        call_command("verify_audit_chain")


def test_deleting_the_last_ten_entries_is_caught(signed_and_anchored):
    chain, checkpoint = signed_and_anchored
    doomed = [entry.pk for entry in _chain_entries(chain)[-10:]]
    _behind_the_apps_back(("DELETE FROM signings_auditentry WHERE id = ANY(%s)", [doomed]))
    assert audit_verify.verify_chain()[1] is None
    problems = _problems()
    expected = (f"Chain {chain}: ends at seq {checkpoint.seq - 9}, but the checkpoint of "
                f"{checkpoint.made_at.isoformat(timespec='microseconds')}")
    assert any(p.startswith(expected) and "9 entries were removed from the tail" in p
               for p in problems), problems


def test_an_emptied_log_is_caught(signed_and_anchored):
    chain, _checkpoint = signed_and_anchored
    _behind_the_apps_back(("TRUNCATE signings_auditentry", []))
    assert not AuditEntry.objects.exists()
    problems = _problems()
    assert any(f"Chain {chain}: no entries" in p and "emptied" in p for p in problems), problems


def test_an_edit_with_every_later_hash_recomputed_is_caught(signed_and_anchored):
    chain, checkpoint = signed_and_anchored
    entries = _chain_entries(chain)
    target = next(e for e in entries if e.action == pacts.ACTION_RENDERED)
    # The forger swaps the PDF fingerprint, then re-hashes the rest of the chain.
    statements, prev = [], None
    for entry in entries[entries.index(target):]:
        if entry.pk == target.pk:
            entry.details = {**entry.details, "sha256": "f" * 64}
        if prev is not None:
            entry.prev_hash = prev
        entry.entry_hash = entry.compute_hash()
        prev = entry.entry_hash
        statements.append(("UPDATE signings_auditentry SET details = %s::jsonb, prev_hash = %s, "
                            "entry_hash = %s WHERE id = %s",
                            [json.dumps(entry.details), entry.prev_hash, entry.entry_hash,
                             entry.pk]))
    _behind_the_apps_back(*statements)
    assert audit_verify.verify_chain()[1] is None  # consistent links: invisible without the anchor
    problems = _problems()
    assert any(f"Chain {chain}: the entry at seq {checkpoint.seq} has hash" in p
               and "rewritten" in p for p in problems), problems


def test_stray_files_beside_the_checkpoints_are_passed_over(signed_and_anchored):
    chain, checkpoint = signed_and_anchored
    folder = checkpoint.storage_prefix.rsplit("/", 1)[0]
    for stray in ("\u00b2.json", "\u0663.json", "catatan.json", "7.txt"):
        default_storage.save(f"{folder}/{stray}", io.BytesIO(b"{}"))
    assert checkpoints.stored_seqs(chain) == [checkpoint.seq]
    assert verify_audit().ok


def test_a_forged_checkpoint_file_is_refused(signed_and_anchored):
    chain, checkpoint = signed_and_anchored
    name = checkpoint.storage_prefix + ".json"
    forged = default_storage.open(name).read().replace(b'"seq":', b'"seq": ')
    default_storage.delete(name)
    default_storage.save(name, io.BytesIO(forged))
    problems = _problems()
    assert any("fails its signature or timestamp check" in p for p in problems), problems


@pytest.mark.parametrize(("change", "message"), [
    ({"signed_at": timezone.now() - datetime.timedelta(days=3)}, "signed_at is"),
    ({"pdf_sha256": "e" * 64}, "pdf_sha256 is eeeeeeeeeeeeeeee"),
])
def test_a_signature_row_changed_behind_the_apps_back_is_caught(
        signed_and_anchored, change, message):
    signature = Signature.objects.order_by("pk").first()
    Signature.objects.filter(pk=signature.pk).update(**change)
    problems = _problems()
    assert any(p.startswith(f"Signature #{signature.pk} ({signature.verification_code})")
               and message in p for p in problems), problems


def test_a_void_undone_or_a_swapped_image_is_caught(signed_and_anchored, hr_a):
    voided, swapped = Signature.objects.order_by("pk")[:2]
    signatures.void_signature(signature=voided, context=AuditContext.for_user(hr_a),
                              reason="Salah orang")
    assert verify_audit().ok
    Signature.objects.filter(pk=voided.pk).update(voided_at=None, voided_by=None, void_reason="")
    with swapped.image.storage.open(swapped.image.name, "wb") as handle:
        handle.write(b"another picture")
    problems = _problems()
    assert any(f"Signature #{voided.pk}" in p and "log says it was voided" in p
               for p in problems), problems
    assert any(f"Signature #{swapped.pk}" in p and "image file" in p for p in problems), problems


def test_closing_an_event_anchors_its_chain(open_event, hr_a, settings,
                                            django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    factories.signature(open_event, open_event.expected.first().employee, officer=hr_a)
    with django_capture_on_commit_callbacks(execute=True):
        events.close_event(event=open_event, context=AuditContext.for_user(hr_a))
    chain = agency_chain(open_event.agency_id)
    checkpoint = checkpoints.latest_checkpoint(chain)
    closed = AuditEntry.objects.get(action="signing.event.closed")
    assert checkpoint is not None and checkpoint.seq == closed.seq
    assert verify_audit().ok


def test_activity_schedules_a_checkpoint_one_interval_after_the_last(
        open_event, hr_a, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    settings.PAKTA_CHECKPOINT_INTERVAL = 10
    from signings import tasks

    backend = tasks.make_audit_checkpoint.get_backend()
    backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        factories.signature(open_event, open_event.expected.first().employee, officer=hr_a)
    with django_capture_on_commit_callbacks(execute=True):  # a second commit: already pending
        factories.signature(open_event, open_event.expected.last().employee, officer=hr_a)
    chain = agency_chain(open_event.agency_id)
    queued = [r for r in backend.results if r.task.name == "make_audit_checkpoint"]
    assert [r.args for r in queued] == [[chain]]
    delay = queued[0].task.run_after - timezone.now()
    assert datetime.timedelta(minutes=9) < delay <= datetime.timedelta(minutes=10)


def test_checkpoint_token_and_signature_cover_exactly_the_json(signed_and_anchored):
    _chain, checkpoint = signed_and_anchored
    document = default_storage.open(checkpoint.storage_prefix + ".json").read()
    token = default_storage.open(checkpoint.storage_prefix + ".tst").read()
    assert detached.check_timestamp(document, token) is not None
    assert detached.check_timestamp(document + b" ", token) is None


def _legacy_entries(count):
    """Entries as written before chains existed: one global chain, hashed without chain/seq
    (the formula of migration 0001), labelled "legacy" by migration 0007."""
    prev = GENESIS_HASH
    for n in range(1, count + 1):
        data = {"at": f"2026-01-01T08:0{n}:00.000000+00:00", "actor": None, "actor_label": "old",
                "action": "template.created", "object_type": "", "object_id": "",
                "object_repr": "", "agency": None, "ip": None, "details": {"n": n}}
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        entry_hash = hashlib.sha256((prev + canonical).encode()).hexdigest()
        AuditEntry(at=datetime.datetime.fromisoformat(data["at"]), actor_label="old",
                   action="template.created", details={"n": n}, chain=LEGACY_CHAIN, seq=n,
                   prev_hash=prev, entry_hash=entry_hash).save()
        prev = entry_hash


def test_legacy_entries_keep_their_hashes_and_are_anchored_from_the_system_chain(db, capsys):
    _legacy_entries(4)
    assert verify_audit().ok
    call_command("make_audit_checkpoint", "--all")
    assert "legacy: seq 4" in capsys.readouterr().out
    checkpoint = checkpoints.latest_checkpoint(LEGACY_CHAIN)
    assert checkpoint.seq == 4
    own = AuditEntry.objects.get(action=checkpoints.ACTION_MADE, details__chain=LEGACY_CHAIN)
    assert own.chain == SYSTEM_CHAIN
    assert verify_audit().ok
    last = AuditEntry.objects.get(chain=LEGACY_CHAIN, seq=4)
    _behind_the_apps_back(("DELETE FROM signings_auditentry WHERE id = %s", [last.pk]))
    assert any("Chain legacy: ends at seq 3" in p for p in _problems())


def test_a_stored_checkpoint_is_never_overwritten(signed_and_anchored):
    chain, checkpoint = signed_and_anchored
    doomed = [entry.pk for entry in _chain_entries(chain)[-3:]]
    _behind_the_apps_back(("DELETE FROM signings_auditentry WHERE id = ANY(%s)", [doomed]))
    AuditCheckpoint.objects.all().delete()  # the index is in the database: it goes too
    before = default_storage.open(checkpoint.storage_prefix + ".json").read()
    with transaction.atomic():  # the chain grows back to the checkpoint's seq
        for _ in range(2):
            audit.record(action="audit.download.recap", agency=Agency.objects.get(code="A"),
                         context=CONTEXT)
    with pytest.raises(checkpoints.CheckpointExistsError, match="not overwritten"):
        checkpoints.make_checkpoint(chain=chain, context=CONTEXT)
    assert default_storage.open(checkpoint.storage_prefix + ".json").read() == before
    assert any("the chain was rewritten" in p for p in _problems())

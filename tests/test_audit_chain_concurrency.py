"""Governments sharing an installation never wait for each other's audit chain lock."""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from signings.models import AuditEntry
from signings.models.audit import agency_chain
from signings.services import audit, audit_verify, checkpoint_schedule
from signings.services.context import AuditContext

CONTEXT = AuditContext.system("test")


def _append(agency, *, lock_timeout_ms: int) -> AuditEntry:
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Fail instead of hanging the test run if the append had to wait.
            cursor.execute("SET LOCAL lock_timeout = %s", [f"{lock_timeout_ms}ms"])
        return audit.record(action="template.created", agency=agency, context=CONTEXT)


@pytest.mark.django_db(transaction=True)
def test_two_chains_append_at_once_while_one_chain_lock_is_held(agency_a, agency_b):
    checkpoint_schedule._scheduled.clear()
    holding, release = threading.Event(), threading.Event()
    outcome = {}

    def hold_chain_a():
        try:
            with transaction.atomic():
                outcome["held"] = audit.record(action="template.created", agency=agency_a,
                                               context=CONTEXT)
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def other_thread(agency, key):
        try:
            outcome[key] = _append(agency, lock_timeout_ms=500)
        except OperationalError as error:
            outcome[key] = error
        finally:
            connection.close()

    holder = threading.Thread(target=hold_chain_a)
    holder.start()
    assert holding.wait(timeout=30)
    try:
        for agency, key in ((agency_b, "b"), (agency_a, "a")):
            worker = threading.Thread(target=other_thread, args=(agency, key))
            worker.start()
            worker.join(timeout=30)
    finally:
        release.set()
        holder.join(timeout=30)
    # Government B committed while A's chain was locked; a second append to A had to wait.
    assert isinstance(outcome["b"], AuditEntry), outcome["b"]
    assert (outcome["b"].chain, outcome["b"].seq) == (agency_chain(agency_b.pk), 1)
    assert isinstance(outcome["a"], OperationalError)
    assert "lock timeout" in str(outcome["a"])
    assert AuditEntry.objects.filter(chain=agency_chain(agency_b.pk)).count() == 1
    assert AuditEntry.objects.filter(chain=agency_chain(agency_a.pk)).count() == 1
    # Once A's lock is released the same append goes through, next in A's sequence.
    entry = _append(agency_a, lock_timeout_ms=5000)
    assert entry.seq == 2 and entry.prev_hash == outcome["held"].entry_hash
    assert audit_verify.verify_chain() == (3, None)

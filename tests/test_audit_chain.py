"""The hash-chained audit log: a row edited behind the application's back is caught."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from signings.models import AuditEntry
from signings.services import pacts
from signings.services.audit_verify import verify_chain
from signings.services.context import AuditContext
from tests import factories

pytestmark = pytest.mark.django_db


def _edit_behind_the_apps_back(entry_id: int, sql_set: str, params: list) -> None:
    with connection.cursor() as cursor:
        # Run the deferred foreign-key checks now: ALTER TABLE refuses pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE signings_auditentry "
                       "DISABLE TRIGGER signings_auditentry_append_only")
        cursor.execute(f"UPDATE signings_auditentry SET {sql_set} WHERE id = %s",  # noqa: S608
                       [*params, entry_id])
        cursor.execute("ALTER TABLE signings_auditentry "
                       "ENABLE TRIGGER signings_auditentry_append_only")


def test_chain_of_a_real_signing_verifies(open_event, hr_a, capsys):
    signature = factories.signature(open_event, open_event.expected.first().employee, officer=hr_a)
    pacts.render_and_store(signature_id=signature.pk, context=AuditContext.system("test"))
    checked, broken = verify_chain()
    assert broken is None and checked == AuditEntry.objects.count() >= 3
    call_command("verify_audit_chain")
    assert "Audit chain intact" in capsys.readouterr().out


def test_the_trigger_refuses_a_plain_update(open_event):
    from django.db import DatabaseError, transaction
    entry = AuditEntry.objects.order_by("id").first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE signings_auditentry SET action = 'x' WHERE id = %s", [entry.pk])


def test_verifier_reports_the_first_edited_entry(open_event, hr_a):
    signature = factories.signature(open_event, open_event.expected.first().employee, officer=hr_a)
    pacts.render_and_store(signature_id=signature.pk, context=AuditContext.system("test"))
    target = AuditEntry.objects.get(action=pacts.ACTION_RENDERED)
    # Someone with database access swaps the recorded fingerprint of the PDF.
    _edit_behind_the_apps_back(target.pk, "details = %s::jsonb",
                               ['{"sha256": "' + "f" * 64 + '"}'])
    checked, broken = verify_chain()
    assert broken is not None and broken.pk == target.pk
    with pytest.raises(CommandError, match=f"entry #{target.pk}"):
        call_command("verify_audit_chain")


def test_verifier_catches_a_recomputed_hash_through_the_next_link(open_event, hr_a):
    factories.signature(open_event, open_event.expected.first().employee, officer=hr_a)
    entries = list(AuditEntry.objects.order_by("id"))
    target = entries[-2]
    target.action = "forged"
    # A careful forger recomputes this entry's own hash; the next entry still points at the
    # old one.
    _edit_behind_the_apps_back(target.pk, "action = %s, entry_hash = %s",
                               ["forged", target.compute_hash()])
    checked, broken = verify_chain()
    assert broken is not None and broken.pk == entries[-1].pk

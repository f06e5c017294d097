import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from signings.models import AppendOnlyError, AuditEntry
from signings.models.audit import GENESIS_HASH
from signings.services import audit, audit_verify
from signings.services.context import AuditContext


def three_entries(agency):
    with transaction.atomic():
        for n in range(3):
            audit.record(action="signing.event.updated", obj=agency, agency=agency,
                         details={"n": n}, context=AuditContext.system("test"))


@pytest.mark.django_db(transaction=True)
def test_record_needs_the_transaction_of_the_change(agency_a):
    with pytest.raises(RuntimeError):
        audit.record(
            action="signing.event.updated",
            obj=agency_a,
            context=AuditContext.system("test"),
        )


@pytest.mark.django_db
def test_entries_form_a_hash_chain(agency_a):
    three_entries(agency_a)
    entries = list(AuditEntry.objects.order_by("id"))
    assert entries[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in entries[1:]] == [e.entry_hash for e in entries[:-1]]
    assert audit_verify.verify_chain() == (3, None)


@pytest.mark.django_db
def test_no_code_path_updates_or_deletes_entries(agency_a):
    three_entries(agency_a)
    entry = AuditEntry.objects.first()
    entry.action = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


@pytest.mark.django_db
def test_database_refuses_raw_updates(agency_a):
    three_entries(agency_a)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE signings_auditentry SET action = 'x'")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM signings_auditentry")
    assert AuditEntry.objects.count() == 3


@pytest.mark.django_db
def test_verify_command_reports_an_intact_chain(agency_a, capsys):
    three_entries(agency_a)
    call_command("verify_audit_chain")
    assert "3 entries verified" in capsys.readouterr().out

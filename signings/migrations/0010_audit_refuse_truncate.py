"""On PostgreSQL, refuse TRUNCATE on the audit log: the row triggers of 0002 never see it.

A statement-level BEFORE TRUNCATE trigger raising the same error. It also stops `manage.py
flush` (the tests switch it off around their own flushes, tests/conftest.py). Someone allowed
to drop triggers can still empty the table: the signed checkpoints in storage expose that.
"""

from django.db import migrations

CREATE = """
CREATE TRIGGER signings_auditentry_no_truncate
    BEFORE TRUNCATE ON signings_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION signings_auditentry_append_only();
"""

DROP = "DROP TRIGGER IF EXISTS signings_auditentry_no_truncate ON signings_auditentry;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("signings", "0009_audit_chains")]
    operations = [migrations.RunPython(forwards, backwards)]

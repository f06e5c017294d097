"""On PostgreSQL, refuse UPDATE and DELETE on the audit log at the database itself.

The model layer already refuses them; the trigger also stops raw SQL and other clients. Someone
with the rights to drop the trigger can still edit rows: the hash chain exposes that.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION signings_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'signings_auditentry is append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER signings_auditentry_append_only
    BEFORE UPDATE OR DELETE ON signings_auditentry
    FOR EACH ROW EXECUTE FUNCTION signings_auditentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS signings_auditentry_append_only ON signings_auditentry;
DROP FUNCTION IF EXISTS signings_auditentry_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("signings", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

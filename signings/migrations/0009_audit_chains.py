"""One audit chain per government: every entry gets a chain key and a sequence number.

The entries already written were hashed as ONE global chain, with a formula that covers neither
the chain nor the sequence. Recomputing them into per-government chains would rewrite their
hashes, i.e. destroy exactly the evidence the chain exists for. So they stay as they are, as the
"legacy" chain (seq 1..n in id order, hashes untouched; AuditEntry.canonical leaves chain and
seq out of the hash for that chain only) and nothing is appended to it again. New entries start
fresh chains from the genesis hash, with chain and seq inside the hash. Anchor the legacy chain
once after migrating: `manage.py make_audit_checkpoint --all`.

Filling the two new columns is the only UPDATE ever made on this table; the append-only trigger
is switched off around it, inside this migration's transaction.
"""

from django.db import migrations, models

FILL_LEGACY = """
SET CONSTRAINTS ALL IMMEDIATE;
ALTER TABLE signings_auditentry DISABLE TRIGGER signings_auditentry_append_only;
UPDATE signings_auditentry AS entry SET chain = 'legacy', seq = numbered.n
    FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM signings_auditentry) AS numbered
    WHERE entry.id = numbered.id;
ALTER TABLE signings_auditentry ENABLE TRIGGER signings_auditentry_append_only;
"""


def fill_legacy(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL_LEGACY)
        return
    entries = apps.get_model("signings", "AuditEntry")
    for n, pk in enumerate(entries.objects.order_by("id").values_list("id", flat=True), 1):
        entries.objects.filter(pk=pk).update(chain="legacy", seq=n)


class Migration(migrations.Migration):
    dependencies = [("signings", "0008_event_recap")]

    operations = [
        migrations.AddField(
            model_name="auditentry", name="chain",
            field=models.CharField(default="", max_length=32, verbose_name="rantai"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry", name="seq",
            field=models.PositiveBigIntegerField(null=True, verbose_name="urutan dalam rantai"),
        ),
        migrations.RunPython(fill_legacy, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditentry", name="seq",
            field=models.PositiveBigIntegerField(verbose_name="urutan dalam rantai"),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(fields=("chain", "seq"),
                                               name="audit_chain_seq_unique"),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.CheckConstraint(condition=models.Q(seq__gte=1),
                                              name="audit_seq_positive"),
        ),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("chain", models.CharField(max_length=32, verbose_name="rantai")),
                ("seq", models.PositiveBigIntegerField(
                    verbose_name="entri terakhir yang dicakup")),
                ("head_hash", models.CharField(max_length=64)),
                ("made_at", models.DateTimeField(verbose_name="dibuat pada")),
                ("timestamped_at", models.DateTimeField(blank=True, null=True,
                                                        verbose_name="waktu TSA")),
                ("json_sha256", models.CharField(max_length=64)),
                ("storage_prefix", models.CharField(max_length=200)),
            ],
            options={
                "verbose_name": "checkpoint audit",
                "verbose_name_plural": "checkpoint audit",
                "ordering": ["chain", "seq"],
                "constraints": [models.UniqueConstraint(fields=("chain", "seq"),
                                                        name="checkpoint_chain_seq_unique")],
            },
        ),
    ]

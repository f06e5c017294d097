from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from signings import audit_actions

GENESIS_HASH = "0" * 64
SYSTEM_CHAIN = "system"
# Entries written before the log had chains (migration 0007): one global chain, hashed without
# chain and seq. It is frozen: nothing is appended to it any more.
LEGACY_CHAIN = "legacy"


def agency_chain(root_id: int) -> str:
    return f"agency-{root_id}"


class AppendOnlyError(Exception):
    """Audit entries are never changed or removed."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only.")

    def for_object(self, obj) -> AuditEntryQuerySet:
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))

    def history(self, limit: int = 50) -> AuditEntryQuerySet:
        """The newest entries first, actor joined in the same query: a history panel's rows."""
        return self.select_related("actor").order_by("-at", "-id")[:limit]


class AuditEntry(models.Model):
    """Who did what to which object, when and from where; hash-chained, append-only.

    Written only by `signings.services.audit.record` inside the transaction of the change.
    On PostgreSQL triggers refuse UPDATE and DELETE (migration 0002) and TRUNCATE (0008).

    There is one chain per government (the root of the agency tree of the entry's agency,
    "agency-<id>"), one "system" chain for entries without an agency, and the frozen "legacy"
    chain of the entries written before chains existed. Within a chain `seq` counts 1, 2, 3...
    without gaps and each entry's `prev_hash` is the previous entry's `entry_hash`. The hash
    covers the chain and seq too (except in the legacy chain, whose hashes were computed before
    these fields existed and are kept exactly as they were).
    """

    at = models.DateTimeField(_("waktu"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("pengguna"),
    )
    actor_label = models.CharField(_("pelaku"), max_length=150, blank=True)
    action = models.CharField(_("tindakan"), max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("objek"), max_length=250, blank=True)
    agency = models.ForeignKey(
        "signings.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    chain = models.CharField(_("rantai"), max_length=32)
    seq = models.PositiveBigIntegerField(_("urutan dalam rantai"))
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("catatan audit")
        verbose_name_plural = _("catatan audit")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique"),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="audit_seq_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_repr}"

    @property
    def action_label(self) -> str:
        return audit_actions.label(self.action)

    @property
    def actor_name(self) -> str:
        """The actor's full name when there is one, else the stored label (a tablet, a task)."""
        if self.actor is not None:
            return self.actor.get_full_name() or self.actor.get_username()
        return self.actor_label

    @property
    def summary(self) -> str:
        """The details in one short line, for people: "changes: name, city; reason: ..."."""
        parts = []
        for key, value in self.details.items():
            if isinstance(value, dict):
                value = ", ".join(str(k) for k in value)
            elif isinstance(value, list):
                value = ", ".join(str(v) for v in value[:5]) + (" …" if len(value) > 5 else "")
            if value not in ("", None):
                parts.append(f"{key}: {value}")
        return "; ".join(parts)

    def canonical(self) -> str:
        data = {
            "at": self.at.isoformat(timespec="microseconds"),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "agency": self.agency_id,
            "ip": self.ip_address,
            "details": self.details,
        }
        if self.chain != LEGACY_CHAIN:
            data["chain"] = self.chain
            data["seq"] = self.seq
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          default=str)

    def compute_hash(self) -> str:
        return hashlib.sha256((self.prev_hash + self.canonical()).encode("utf-8")).hexdigest()

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")


class AuditCheckpoint(models.Model):
    """Index of a signed checkpoint of one chain: its head at `seq` was `head_hash`.

    The evidence itself is in storage, outside the database (`storage_prefix` + .json, .p7s,
    .tst): the canonical JSON, its detached CMS signature by the seal key and an RFC 3161
    timestamp token over its SHA-256. `verify_audit_chain` reads the files, not these rows.
    See signings/services/checkpoints.py.
    """

    chain = models.CharField(_("rantai"), max_length=32)
    seq = models.PositiveBigIntegerField(_("entri terakhir yang dicakup"))
    head_hash = models.CharField(max_length=64)
    made_at = models.DateTimeField(_("dibuat pada"))
    timestamped_at = models.DateTimeField(_("waktu TSA"), null=True, blank=True)
    json_sha256 = models.CharField(max_length=64)
    storage_prefix = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("checkpoint audit")
        verbose_name_plural = _("checkpoint audit")
        ordering = ["chain", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="checkpoint_chain_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.chain} #{self.seq} {self.head_hash[:12]}"

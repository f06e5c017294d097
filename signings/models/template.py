from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from signings.models.fields import CleanTextModel


class ImmutableVersionError(Exception):
    """Raised on any attempt to change or delete a template version someone has signed."""


# The fields whose text the signer sees; the content hash covers exactly these. The one list:
# the hash, the versioning comparison, the template form and the kiosk API all read it.
CONTENT_FIELDS = ("title", "opening", "points", "closing", "sanctions", "legal_basis", "election")
LIST_FIELDS = frozenset({"points", "legal_basis"})


class PactTemplate(CleanTextModel, models.Model):
    name = models.CharField(_("nama templat"), max_length=200)
    description = models.TextField(_("keterangan"), blank=True)
    agency = models.ForeignKey(
        "signings.Agency",
        verbose_name=_("instansi pemilik"),
        on_delete=models.PROTECT,
        related_name="pact_templates",
        help_text=_("Templat dapat dipakai oleh instansi ini dan seluruh unit di bawahnya."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("templat pakta")
        verbose_name_plural = _("templat pakta")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="template_name_per_agency"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def latest_version(self) -> PactTemplateVersion | None:
        return self.versions.order_by("-number").first()


class PactTemplateVersionQuerySet(models.QuerySet):
    def signed(self) -> PactTemplateVersionQuerySet:
        return self.filter(events__signatures__isnull=False).distinct()

    def update(self, **kwargs):
        # QuerySet.update() bypasses save(); refuse it for versions anyone has signed.
        if self.filter(events__signatures__isnull=False).exists():
            raise ImmutableVersionError("A signed template version cannot be changed.")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(events__signatures__isnull=False).exists():
            raise ImmutableVersionError("A signed template version cannot be deleted.")
        return super().delete()


class PactTemplateVersion(CleanTextModel, models.Model):
    template = models.ForeignKey(
        PactTemplate, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("versi"))
    title = models.CharField(_("judul"), max_length=250)
    opening = models.TextField(
        _("pembuka"), help_text=_("Misalnya “Saya yang bertanda tangan di bawah ini:”.")
    )
    points = models.JSONField(_("butir-butir pernyataan"), default=list)
    closing = models.TextField(_("penutup"), blank=True)
    sanctions = models.TextField(_("klausul sanksi"), blank=True)
    legal_basis = models.JSONField(_("dasar hukum"), default=list, blank=True)
    election = models.CharField(
        _("pemilu/pemilihan"), max_length=150, blank=True,
        help_text=_("Misalnya “Pemilu 2024”."),
    )
    # Not part of the text's hash (the words read are unchanged): it decides whether the pact
    # carries a "Menyaksikan" block that the signer's direct superior signs. Frozen with the
    # version once anyone has signed it, like the text (save() below).
    witness_required = models.BooleanField(
        _("disaksikan atasan (Menyaksikan)"), default=False,
        help_text=_("Pakta ditandatangani juga oleh atasan langsung sebagai saksi, seperti "
                    "format Permenpan RB 49/2011."),
    )
    content_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PactTemplateVersionQuerySet.as_manager()

    CONTENT_FIELDS = CONTENT_FIELDS

    class Meta:
        verbose_name = _("versi templat pakta")
        verbose_name_plural = _("versi templat pakta")
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="template_version_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="version_number_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.template.name} — v{self.number}"

    def content(self) -> dict:
        """What the signer reads, field by field, without insignificant surrounding space."""
        return {
            name: [str(item).strip() for item in getattr(self, name)] if name in LIST_FIELDS
            else getattr(self, name).strip()
            for name in CONTENT_FIELDS
        }

    def canonical_content(self) -> str:
        """Stable text form of what the signer reads: sorted keys, no insignificant space."""
        return json.dumps(self.content(), ensure_ascii=False, sort_keys=True,
                          separators=(",", ":"))

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical_content().encode("utf-8")).hexdigest()

    @property
    def is_signed(self) -> bool:
        if not self.pk:
            return False
        from signings.models.signature import Signature

        return Signature.objects.filter(event__template_version=self).exists()

    def save(self, *args, **kwargs) -> None:
        # Immutability is the legal core (a signed text never changes), so it is enforced at
        # the model layer where every code path passes, not in a form.
        if self.pk and self.is_signed:
            raise ImmutableVersionError(
                f"Template version {self.pk} has signatures and cannot be changed; "
                "create a new version instead."
            )
        self.content_hash = self.compute_hash()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_signed:
            raise ImmutableVersionError(f"Template version {self.pk} has signatures.")
        return super().delete(*args, **kwargs)

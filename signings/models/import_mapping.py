"""What an agency told the roster import once, so it need not ask again: which of its units a
unit name in a SIASN export means, and which columns of a regional SIMPEG export hold what."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from signings.models.employee import EmployeeCategory
from signings.models.fields import CleanTextModel


class UnitMapping(CleanTextModel, models.Model):
    """A unit name as an export spells it (SIASN's `UNOR NAMA`) → a unit of the agency tree."""

    agency = models.ForeignKey(
        "signings.Agency", verbose_name=_("instansi"), on_delete=models.CASCADE,
        related_name="unit_mappings",
    )
    # The name normalised the way the import compares names (signings/services/imports/units.py).
    source_key = models.CharField(_("kunci nama sumber"), max_length=200)
    source_name = models.CharField(_("nama unit di berkas"), max_length=200)
    unit = models.ForeignKey(
        "signings.Agency", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pemetaan unit impor")
        verbose_name_plural = _("pemetaan unit impor")
        ordering = ["agency", "source_key"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "source_key"],
                                    name="unit_mapping_one_per_name"),
            models.CheckConstraint(condition=~models.Q(source_key=""),
                                   name="unit_mapping_source_key_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.source_name} → {self.unit_id}"


class ColumnMapping(CleanTextModel, models.Model):
    """For one header (the exact column names of a regional export), which column holds each
    field Pakta reads. Columns not named here are read past and never kept."""

    agency = models.ForeignKey(
        "signings.Agency", verbose_name=_("instansi"), on_delete=models.CASCADE,
        related_name="column_mappings",
    )
    # SHA-256 of the normalised header (signings/services/imports/formats.py).
    signature = models.CharField(_("sidik kepala kolom"), max_length=64)
    header = models.JSONField(_("nama kolom"), default=list)
    # {field key: column index in `header`}
    columns = models.JSONField(_("kolom yang dibaca"), default=dict)
    default_category = models.CharField(
        _("kategori bila kosong"), max_length=8, choices=EmployeeCategory.choices, blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pemetaan kolom impor")
        verbose_name_plural = _("pemetaan kolom impor")
        ordering = ["agency", "-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "signature"],
                                    name="column_mapping_one_per_header"),
            models.CheckConstraint(condition=models.Q(signature__regex=r"^[0-9a-f]{64}$"),
                                   name="column_mapping_signature_sha256"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}: {len(self.header)} kolom"

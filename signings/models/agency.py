from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from signings.models.fields import CleanTextModel

# Materialised path: each agency's path is its parent's path plus its own zero-padded id and a
# slash, so "this agency and everything under it" is one indexed prefix query at any depth.
PATH_SEGMENT_WIDTH = 8


class AgencyKind(models.TextChoices):
    PROVINCE = "province", _("Pemerintah Provinsi")
    REGENCY = "regency", _("Pemerintah Kabupaten")
    CITY = "city", _("Pemerintah Kota")
    DEPARTMENT = "department", _("Perangkat Daerah (OPD)")
    UNIT = "unit", _("Unit kerja (bidang/bagian/seksi)")


class IndonesianTimeZone(models.TextChoices):
    WIB = "Asia/Jakarta", _("WIB (UTC+7)")
    WITA = "Asia/Makassar", _("WITA (UTC+8)")
    WIT = "Asia/Jayapura", _("WIT (UTC+9)")


class AgencyQuerySet(models.QuerySet):
    def subtree_of(self, agency: Agency) -> AgencyQuerySet:
        """The agency itself and every agency below it, in one query."""
        return self.filter(path__startswith=agency.path)


class Agency(CleanTextModel, models.Model):
    code = models.CharField(_("kode"), max_length=32, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    short_name = models.CharField(_("nama singkat"), max_length=80, blank=True)
    kind = models.CharField(_("jenis"), max_length=16, choices=AgencyKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("induk"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # db_index on PostgreSQL also creates a varchar_pattern_ops index, used by LIKE 'prefix%'.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    head = models.ForeignKey(
        "signings.Employee",
        verbose_name=_("kepala"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_agencies",
    )
    address = models.CharField(_("alamat"), max_length=300, blank=True)
    city = models.CharField(
        _("kota tempat penandatanganan"),
        max_length=100,
        help_text=_("Dicetak sebagai tempat pada pakta, misalnya “Sampit”."),
    )
    timezone = models.CharField(
        _("zona waktu"),
        max_length=32,
        choices=IndonesianTimeZone.choices,
        default=IndonesianTimeZone.WIB,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("instansi")
        verbose_name_plural = _("instansi")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="agency_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The path is derived data that must exist for every row, so it is kept here rather
        # than in a service: the admin, fixtures and services all create agencies.
        super().save(*args, **kwargs)
        expected = self._computed_path()
        if self.path != expected:
            self._move_subtree(expected)

    def _computed_path(self) -> str:
        prefix = self.parent.path if self.parent_id else ""
        return f"{prefix}{self.pk:0{PATH_SEGMENT_WIDTH}d}/"

    def _move_subtree(self, new_path: str) -> None:
        old_path = self.path
        new_depth = new_path.count("/") - 1
        if old_path:
            if new_path.startswith(old_path):
                raise ValueError("An agency cannot be moved under its own subtree.")
            depth_change = new_depth - self.depth
            # Rewrite every descendant's prefix in one statement.
            Agency.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=models.functions.Concat(
                    models.Value(new_path),
                    models.functions.Substr("path", len(old_path) + 1),
                    output_field=models.CharField(),
                ),
                depth=models.F("depth") + depth_change,
            )
        Agency.objects.filter(pk=self.pk).update(path=new_path, depth=new_depth)
        self.path = new_path
        self.depth = new_depth

    def ancestors(self) -> AgencyQuerySet:
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        return Agency.objects.filter(pk__in=ids).order_by("depth")

    def is_within(self, other: Agency) -> bool:
        return self.path.startswith(other.path)

    @property
    def government(self) -> Agency:
        """The top of this agency's tree (Pemerintah Provinsi/Kabupaten/Kota)."""
        if not self.parent_id:
            return self
        return self.ancestors().first()

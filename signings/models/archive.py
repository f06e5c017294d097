from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from signings.models.job_liveness import HeartbeatJob, HeartbeatJobQuerySet


class ArchiveStatus(models.TextChoices):
    QUEUED = "queued", _("Menunggu")
    RUNNING = "running", _("Sedang dibuat")
    READY = "ready", _("Siap diunduh")
    FAILED = "failed", _("Gagal")


class ArchiveJobQuerySet(HeartbeatJobQuerySet):
    def ready(self) -> ArchiveJobQuerySet:
        return self.filter(status=ArchiveStatus.READY)


class ArchiveJob(HeartbeatJob):
    """A ZIP of signed PDFs, recap(s) and a manifest, built by a background task.

    The job covers one event, or (event empty) every event of an agency's subtree.
    """

    agency = models.ForeignKey(
        "signings.Agency", verbose_name=_("instansi"), on_delete=models.PROTECT,
        related_name="archive_jobs",
    )
    event = models.ForeignKey(
        "signings.SigningEvent", verbose_name=_("acara"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="archive_jobs",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ArchiveStatus.choices, default=ArchiveStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="archives/", blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ArchiveJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("arsip unduhan")
        verbose_name_plural = _("arsip unduhan")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=models.F("total")) | Q(total=0),
                                   name="archive_progress_bounded"),
            models.CheckConstraint(
                condition=~Q(status=ArchiveStatus.READY) | (~Q(file="") & ~Q(file_sha256="")),
                name="archive_ready_has_file",
            ),
        ]

    def __str__(self) -> str:
        scope = self.event.title if self.event_id else self.agency.name
        return f"Arsip {scope} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == ArchiveStatus.READY:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

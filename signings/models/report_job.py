from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from signings.models.job_liveness import HeartbeatJob, HeartbeatJobQuerySet


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Menunggu")
    RUNNING = "running", _("Sedang dibuat")
    READY = "ready", _("Siap diunduh")
    FAILED = "failed", _("Gagal")


class BknReportJob(HeartbeatJob):
    """A sealed PDF of the neutrality-pledge report for BKN, built by a background task.

    WeasyPrint takes tens of seconds over an agency's thousand non-signers
    (bench/bkn_report.py), too long for a request, so the report is built like an archive:
    requested, queued, then ready to download. One event, or (event empty) the held events of
    the agency's subtree within the period and election (`readmodels.bkn_report.Period`),
    those the requester may see. Rows are written by signings/services/bkn_reports.py only.
    Run in numbered attempts with a heartbeat, like the archive: a job whose worker died is
    queued again by the sweep (signings/services/stalled_jobs.py).
    """

    agency = models.ForeignKey(
        "signings.Agency", verbose_name=_("instansi"), on_delete=models.PROTECT,
        related_name="bkn_report_jobs",
    )
    event = models.ForeignKey(
        "signings.SigningEvent", verbose_name=_("acara"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="bkn_report_jobs",
    )
    period_start = models.DateField(_("dari tanggal"), null=True, blank=True)
    period_end = models.DateField(_("sampai tanggal"), null=True, blank=True)
    election = models.CharField(_("pemilu/pemilihan"), max_length=150, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    file = models.FileField(upload_to="bkn/%Y/%m/", blank=True, max_length=200)
    file_sha256 = models.CharField(max_length=64, blank=True)
    expected = models.PositiveIntegerField(default=0)
    non_signers = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = HeartbeatJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("laporan BKN")
        verbose_name_plural = _("laporan BKN")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.READY) | (~Q(file="") & ~Q(file_sha256="")),
                name="bkn_report_ready_has_file",
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True) | Q(period_end__isnull=True)
                | Q(period_start__lte=models.F("period_end")),
                name="bkn_report_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        scope = self.event.title if self.event_id else self.agency.name
        return f"Laporan BKN {scope} ({self.get_status_display()})"

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A queued job no worker has taken for this long: probably no worker runs at all.
QUEUE_STALL_AFTER = datetime.timedelta(minutes=10)
# A worker that dies on the same job this many times in a row (out of memory on a huge
# archive, say) is not given it again by the sweep: the job fails and a person decides.
MAX_AUTOMATIC_REQUEUES = 3


def stall_after() -> datetime.timedelta:
    """A running attempt silent this long lost its worker (PAKTA_JOB_STALL_SECONDS)."""
    return datetime.timedelta(seconds=settings.PAKTA_JOB_STALL_SECONDS)


class ArchiveStatus(models.TextChoices):
    QUEUED = "queued", _("Menunggu")
    RUNNING = "running", _("Sedang dibuat")
    READY = "ready", _("Siap diunduh")
    FAILED = "failed", _("Gagal")


class ArchiveJobQuerySet(models.QuerySet):
    def ready(self) -> ArchiveJobQuerySet:
        return self.filter(status=ArchiveStatus.READY)

    def stalled(self, now: datetime.datetime | None = None) -> ArchiveJobQuerySet:
        """Running with a silent heartbeat, or queued with no worker taking it (see is_stalled)."""
        now = now or timezone.now()
        last = Coalesce("heartbeat_at", "started_at", "created_at")
        return self.alias(last_sign=last).filter(
            Q(status=ArchiveStatus.RUNNING, last_sign__lt=now - stall_after())
            | Q(status=ArchiveStatus.QUEUED, last_sign__lt=now - QUEUE_STALL_AFTER))


class ArchiveJob(models.Model):
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
    # Numbers the runs of the job: a run writes only while the row still carries its number,
    # so a worker thought dead that wakes up cannot overwrite the run that replaced it.
    attempts = models.PositiveSmallIntegerField(default=0)
    # Times the sweep queued the job again after its worker died, since it was last requested.
    requeues = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="archives/", blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Running: written every PAKTA_JOB_HEARTBEAT_SECONDS by the attempt (signings/services/
    # heartbeat.py); it stops when the worker dies. Queued: when it was queued.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
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

    @property
    def last_sign_of_life(self) -> datetime.datetime | None:
        return self.heartbeat_at or self.started_at or self.created_at

    def stalled_at(self, now: datetime.datetime) -> bool:
        last = self.last_sign_of_life
        if last is None:
            return False
        if self.status == ArchiveStatus.RUNNING:
            return now - last > stall_after()
        if self.status == ArchiveStatus.QUEUED:
            return now - last > QUEUE_STALL_AFTER
        return False

    @property
    def is_stalled(self) -> bool:
        """Running with a silent heartbeat (its worker died), or queued with no worker taking it
        (none is running). The same rule as ArchiveJobQuerySet.stalled."""
        return self.stalled_at(timezone.now())

    @property
    def worker_died(self) -> bool:
        return self.status == ArchiveStatus.RUNNING and self.is_stalled

    @property
    def can_retry(self) -> bool:
        return self.status == ArchiveStatus.FAILED or self.is_stalled

    @property
    def is_finished(self) -> bool:
        return self.status in {ArchiveStatus.READY, ArchiveStatus.FAILED}

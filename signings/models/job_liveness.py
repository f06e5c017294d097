"""When a background job with a state of its own (ArchiveJob, BknReportJob) lost its worker.

One rule for every such job: a running attempt whose heartbeat (signings/services/heartbeat.py)
is older than PAKTA_JOB_STALL_SECONDS lost its worker; a queued job no worker took for
QUEUE_STALL_AFTER probably has none. The sweep (signings/services/stalled_jobs.py) acts on it.
The statuses are the same strings in every such job ("queued", "running", "ready", "failed").
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

QUEUED, RUNNING, READY, FAILED = "queued", "running", "ready", "failed"
# A queued job no worker has taken for this long: probably no worker runs at all.
QUEUE_STALL_AFTER = datetime.timedelta(minutes=10)
# A worker that dies on the same job this many times in a row (out of memory on a huge
# archive, say) is not given it again by the sweep: the job fails and a person decides.
MAX_AUTOMATIC_REQUEUES = 3


def stall_after() -> datetime.timedelta:
    """A running attempt silent this long lost its worker (PAKTA_JOB_STALL_SECONDS)."""
    return datetime.timedelta(seconds=settings.PAKTA_JOB_STALL_SECONDS)


class HeartbeatJobQuerySet(models.QuerySet):
    def stalled(self, now: datetime.datetime | None = None) -> HeartbeatJobQuerySet:
        """Running with a silent heartbeat, or queued with no worker taking it (see is_stalled)."""
        now = now or timezone.now()
        last = Coalesce("heartbeat_at", "started_at", "created_at")
        return self.alias(last_sign=last).filter(
            Q(status=RUNNING, last_sign__lt=now - stall_after())
            | Q(status=QUEUED, last_sign__lt=now - QUEUE_STALL_AFTER))


class HeartbeatJob(models.Model):
    """The fields and the stall rule of a job run in numbered attempts with a heartbeat. The
    concrete model has `status`, `created_at`, `started_at` and `finished_at`."""

    # Numbers the runs of the job: a run writes only while the row still carries its number,
    # so a worker thought dead that wakes up cannot overwrite the run that replaced it.
    attempts = models.PositiveSmallIntegerField(default=0)
    # Times the sweep queued the job again after its worker died, since it was last requested.
    requeues = models.PositiveSmallIntegerField(default=0)
    # Running: written every PAKTA_JOB_HEARTBEAT_SECONDS by the attempt (signings/services/
    # heartbeat.py); it stops when the worker dies. Queued: when it was queued.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    status: str
    created_at: datetime.datetime | None
    started_at: datetime.datetime | None

    class Meta:
        abstract = True

    @property
    def last_sign_of_life(self) -> datetime.datetime | None:
        return self.heartbeat_at or self.started_at or self.created_at

    def stalled_at(self, now: datetime.datetime) -> bool:
        last = self.last_sign_of_life
        if last is None:
            return False
        if self.status == RUNNING:
            return now - last > stall_after()
        if self.status == QUEUED:
            return now - last > QUEUE_STALL_AFTER
        return False

    @property
    def is_stalled(self) -> bool:
        """Running with a silent heartbeat (its worker died), or queued with no worker taking it
        (none is running). The same rule as HeartbeatJobQuerySet.stalled."""
        return self.stalled_at(timezone.now())

    @property
    def worker_died(self) -> bool:
        return self.status == RUNNING and self.is_stalled

    @property
    def can_retry(self) -> bool:
        return self.status == FAILED or self.is_stalled

    @property
    def is_finished(self) -> bool:
        return self.status in {READY, FAILED}

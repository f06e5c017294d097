"""The heartbeat of one attempt of a background job with a state of its own (ArchiveJob,
BknReportJob; signings/models/job_liveness.py).

While the attempt runs, a thread writes `heartbeat_at` on the job's row every
PAKTA_JOB_HEARTBEAT_SECONDS. A thread, not progress points: one step of an archive (the recap of
a 1,000-signatory event, a pact sealed through a slow TSA) can outlast the stall limit, and a
job must not be taken for dead because one step is long. The thread dies with its process, so
a heartbeat older than PAKTA_JOB_STALL_SECONDS means the worker is gone
(signings/services/stalled_jobs.py queues the job again).

Every write is conditional on the attempt's number and the running state: when the job was
queued again meanwhile (this worker was only frozen, or cut off from the database), the write
changes nothing, the attempt learns it was superseded and stops without touching the row.
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType

from django.conf import settings
from django.db import close_old_connections, connection, models
from django.utils import timezone

logger = logging.getLogger(__name__)


class Superseded(Exception):  # noqa: N818 - a state, not a failure: nothing went wrong here
    """The job was queued again while this attempt ran: another attempt owns the row now."""


class Heartbeat:
    """`with Heartbeat(ArchiveJob, pk, attempt=n, running="running") as beat:` around the work;
    the work calls `beat.progress(done=...)` where it stands and `beat.check()` between steps."""

    def __init__(self, model: type[models.Model], pk: int, *, attempt: int,
                 running: str) -> None:
        self.model = model
        self.pk = pk
        self.attempt = attempt
        self.running = running
        self.every = settings.PAKTA_JOB_HEARTBEAT_SECONDS
        self._superseded = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"heartbeat-{model._meta.model_name}-{pk}")

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        # Also on SystemExit (a second SIGTERM): the beats stop, so the job is soon seen as
        # stalled and queued again instead of looking alive forever.
        self._stop.set()
        self._thread.join()

    def _owned(self) -> models.QuerySet:
        return self.model._default_manager.filter(pk=self.pk, attempts=self.attempt,
                                                  status=self.running)

    def _write(self, **fields: object) -> None:
        if self._owned().update(heartbeat_at=timezone.now(), **fields):
            return
        current = (self.model._default_manager.filter(pk=self.pk)
                   .values_list("status", "attempts").first())
        # A row this connection cannot see is not proof of anything (the job's transaction
        # has not committed yet, in tests): only a row that says otherwise supersedes us.
        if current is not None:
            self._superseded.set()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.every):
                close_old_connections()
                try:
                    self._write()
                except Exception:  # noqa: BLE001 - a lost beat is retried; the work goes on
                    logger.exception("Heartbeat of %s %s failed", self.model.__name__, self.pk)
                if self._superseded.is_set():
                    return
        finally:
            connection.close()  # this thread's own connection

    def progress(self, **fields: object) -> None:
        """Record progress (with a beat); raises Superseded when the job is no longer ours."""
        self._write(**fields)
        self.check()

    def check(self) -> None:
        if self._superseded.is_set():
            raise Superseded(f"{self.model.__name__} {self.pk}: attempt {self.attempt}")

    @property
    def superseded(self) -> bool:
        return self._superseded.is_set()


__all__ = ["Heartbeat", "Superseded"]

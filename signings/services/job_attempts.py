"""The life of a job run in numbered attempts with a heartbeat (ArchiveJob, BknReportJob).

queued -> running (attempt n, heartbeat) -> ready or failed. One definition for every such job
of what the sweep does to a job whose worker died (requeue_stalled) and of how an attempt fails
(fail_attempt): both write only while the row is still theirs, and both leave an audit entry
of the job's kind (`JobKind.requeued`, `JobKind.failed`, named literally where the kind is).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from signings import jobs
from signings.models.job_liveness import FAILED, MAX_AUTOMATIC_REQUEUES, QUEUED, RUNNING
from signings.services import audit
from signings.services.context import AuditContext


@dataclass(frozen=True)
class JobKind:
    model: Any  # a concrete HeartbeatJob with an `agency`
    task: str  # the task that builds it (signings/tasks.py, by name)
    requeued: str  # audit action: queued again by the sweep
    failed: str  # audit action: failed (an attempt raised, or its worker died too often)

    def enqueue(self, pk: int) -> None:
        jobs.enqueue(self.task, pk)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def begin_attempt(kind: JobKind, job: Any) -> list[str]:
    """Turn a queued job (locked by the caller) into a running new attempt; returns the fields
    changed, for the caller's save."""
    job.status = RUNNING
    job.attempts += 1
    job.started_at = job.heartbeat_at = timezone.now()
    return ["status", "attempts", "started_at", "heartbeat_at"]


def fail_attempt(kind: JobKind, job: Any, attempt: int, exc: Exception,
                 context: AuditContext) -> None:
    """Mark the job failed, unless it was queued again meanwhile: then the newer attempt owns
    the row and this one's failure is nobody's business."""
    error = f"{type(exc).__name__}: {exc}"[:300]
    with transaction.atomic():
        if not kind.model.objects.filter(pk=job.pk, attempts=attempt, status=RUNNING).update(
                status=FAILED, error=error, finished_at=timezone.now()):
            return
        audit.record(action=kind.failed, obj=job, agency=job.agency,
                     context=context, details={"attempt": attempt, "error": error})


def requeue_stalled(kind: JobKind, *, context: AuditContext) -> list[int]:
    """Every job of this kind whose worker died is queued again, or failed after
    MAX_AUTOMATIC_REQUEUES deaths in a row; a queued job no worker took for QUEUE_STALL_AFTER
    is queued once more (its task may have been lost with a worker that died between taking it
    and starting). Returns the ids queued again.

    Exactly once however many sweeps run: each job is locked, skipping a job that another sweep
    or a person holds, and checked again under the lock before it changes.
    """
    requeued = []
    for pk in kind.model.objects.stalled().values_list("pk", flat=True):
        with transaction.atomic():
            job = (kind.model.objects.select_for_update(skip_locked=True, of=("self",))
                   .select_related("agency").filter(pk=pk).first())
            if job is None or not job.is_stalled:
                continue  # taken by another sweep or a person, or alive after all
            if _requeue_or_fail(kind, job, context):
                requeued.append(job.pk)
    return requeued


def _requeue_or_fail(kind: JobKind, job: Any, context: AuditContext) -> bool:
    now = timezone.now()
    details = {"from": job.status, "attempt": job.attempts, "last_heartbeat": job.last_sign_of_life,
               "requeues": job.requeues}
    if job.status == RUNNING and job.requeues >= MAX_AUTOMATIC_REQUEUES:
        job.status = FAILED
        job.error = (f"Worker stopped {job.requeues + 1} times during this job "
                     f"(last heartbeat {job.last_sign_of_life:%Y-%m-%d %H:%M:%S %Z}).")[:300]
        job.finished_at = now
        job.save(update_fields=["status", "error", "finished_at"])
        audit.record(action=kind.failed, obj=job, agency=job.agency,
                     context=context, details={**details, "error": job.error})
        return False
    if job.status == RUNNING:
        job.requeues += 1
    job.status = QUEUED
    job.heartbeat_at = now
    job.save(update_fields=["status", "requeues", "heartbeat_at"])
    audit.record(action=kind.requeued, obj=job, agency=job.agency,
                 context=context, details=details)
    pk = job.pk
    transaction.on_commit(lambda: kind.enqueue(pk))
    return True


__all__ = ["JobKind", "begin_attempt", "fail_attempt", "requeue_stalled", "worker_name"]

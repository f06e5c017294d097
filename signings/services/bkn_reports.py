"""The BKN report as a sealed PDF: requested, built by a background task, downloaded.

Rendered from the same read model as the XLSX (`readmodels.bkn_report`), sealed under a
registered certificate like the recap, its hash in the audit log. Unlike the recap it goes
through a task, like the archive: an agency's report lists every non-signer, and WeasyPrint
took 20–56 s for 1,000 of them on the shared 2-core test machine (bench/bkn_report.py), past
a web worker's timeout. The XLSX of the same report takes under a second: a direct download.

A job runs in numbered attempts with a heartbeat, like the archive (signings/services/
job_attempts.py, heartbeat.py): a job whose worker died is queued again by the sweep every
worker runs, and an attempt that finds the job queued again meanwhile stores nothing, so an
older attempt's file never replaces a newer one's.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from signings import access
from signings.access import Ability
from signings.models import Agency, BknReportJob, ReportStatus, SigningEvent
from signings.pdf import bkn as bkn_pdf
from signings.readmodels import bkn_report
from signings.readmodels.bkn_report import BknReport, Period
from signings.services import audit, job_attempts, seal_certificates
from signings.services.context import AuditContext
from signings.services.heartbeat import Heartbeat, Superseded

logger = logging.getLogger(__name__)

KIND = job_attempts.JobKind(model=BknReportJob, task="build_bkn_report",
                            requeued="audit.bkn_report.requeued",
                            failed="audit.bkn_report.failed")


def job_period(job: BknReportJob) -> Period:
    if job.event is not None:
        return Period(start=job.event.date, end=job.event.date)
    return Period(start=job.period_start, end=job.period_end, election=job.election)


def job_report(job: BknReportJob) -> BknReport:
    """The report the job prints: its event, or the agency's events its requester may see."""
    if job.event is not None:
        return bkn_report.bkn_report(job.event)
    visible = access.scoped(SigningEvent.objects.all(), job.requested_by, Ability.AUDIT)
    return bkn_report.agency_report(job.agency,
                                    list(job_period(job).events(visible, job.agency)))


def log_details(report: BknReport, period: Period | None = None) -> dict:
    """What an audit entry says a report counted."""
    details: dict = {
        "events": [event.pk for event in report.events],
        "expected": report.total.expected, "signed": report.total.signed,
        "non_signers": len(report.non_signers),
    }
    if period is not None:
        details["period"] = [str(period.start or ""), str(period.end or ""), period.election]
    return details


def request_report(*, agency: Agency, event: SigningEvent | None = None,
                   period: Period | None = None, context: AuditContext) -> BknReportJob:
    """Queue the sealed PDF of one event's report, or of the agency's over `period`."""
    period = period or Period()
    with transaction.atomic():
        job = BknReportJob.objects.create(
            agency=agency, event=event, requested_by=context.actor,
            period_start=None if event else period.start,
            period_end=None if event else period.end,
            election="" if event else period.election, heartbeat_at=timezone.now())
        audit.record(action="audit.bkn_report.requested", obj=job, agency=agency,
                     context=context, details={
                         "event": event.pk if event else None,
                         "period": [str(period.start or ""), str(period.end or ""),
                                    period.election]})
        transaction.on_commit(lambda: KIND.enqueue(job.pk))
    return job


def _officer_name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def render_sealed(*, report: BknReport, period: Period | None, officer_name: str,
                  context: AuditContext) -> bytes:
    """The report rendered and sealed (the responsible official: who asked for it)."""
    agency = report.agency
    issue = bkn_pdf.Issue(officer_name=officer_name, made_at=timezone.now())
    unsealed = bkn_pdf.render_bkn_report(report, issue=issue, period=period)
    return seal_certificates.seal_document(
        unsealed, title=bkn_pdf.TITLE, signer=agency.name, location=agency.city,
        context=context)


def requeue_stalled(*, context: AuditContext) -> list[int]:
    """The sweep's pass over BKN reports (signings/services/job_attempts.requeue_stalled)."""
    return job_attempts.requeue_stalled(KIND, context=context)


def _start(job_id: int, context: AuditContext) -> BknReportJob | None:
    with transaction.atomic():
        job = BknReportJob.objects.select_for_update(of=("self",)).select_related(
            "agency", "event__agency", "requested_by").get(pk=job_id)
        if job.status != ReportStatus.QUEUED:
            return None  # a duplicate task, already built, or failed and waiting for a person
        job.save(update_fields=job_attempts.begin_attempt(KIND, job))
        audit.record(action="audit.bkn_report.started", obj=job, agency=job.agency,
                     context=context, details={"attempt": job.attempts,
                                               "worker": job_attempts.worker_name()})
    return job


def build_report(*, job_id: int, context: AuditContext) -> BknReportJob:
    """The task's work: count, render, seal, store, and mark the job ready (or failed)."""
    job = _start(job_id, context)
    if job is None:
        return BknReportJob.objects.get(pk=job_id)
    attempt = job.attempts
    try:
        with Heartbeat(BknReportJob, job.pk, attempt=attempt,
                       running=ReportStatus.RUNNING) as beat:
            report = job_report(job)
            period = job_period(job)
            beat.check()
            sealed = render_sealed(report=report, period=period,
                                   officer_name=_officer_name(job.requested_by),
                                   context=context)
            beat.check()
            return _finish(job, attempt, sealed, (report, period), context)
    except Superseded:
        logger.warning("BKN report job %s: attempt %s was superseded by a newer one; dropped.",
                       job.pk, attempt)
        return BknReportJob.objects.get(pk=job.pk)
    except Exception as exc:
        job_attempts.fail_attempt(KIND, job, attempt, exc, context)
        logger.exception("BKN report job %s failed", job.pk)
        raise


def _finish(job: BknReportJob, attempt: int, sealed: bytes,
            printed: tuple[BknReport, Period], context: AuditContext) -> BknReportJob:
    """Store the PDF and mark the job ready, if this attempt still owns the job: checked under
    the row's lock before the file is stored, so a superseded attempt stores nothing."""
    report, period = printed
    sha = hashlib.sha256(sealed).hexdigest()
    with transaction.atomic():
        job = BknReportJob.objects.select_for_update(of=("self",)).select_related(
            "agency", "event").get(pk=job.pk)
        if job.attempts != attempt or job.status != ReportStatus.RUNNING:
            raise Superseded(f"BknReportJob {job.pk}: attempt {attempt}")
        # The storage gives another name when one is taken: never over an earlier file.
        job.file.save(f"laporan-bkn-{job.pk}.pdf", ContentFile(sealed), save=False)
        job.status, job.file_sha256 = ReportStatus.READY, sha
        job.expected, job.non_signers = report.total.expected, len(report.non_signers)
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "file", "file_sha256", "expected", "non_signers",
                                "finished_at"])
        audit.record(action="audit.bkn_report.ready", obj=job, agency=job.agency,
                     context=context, details={"sha256": sha, "attempt": attempt,
                                               **log_details(report, period)})
    return job

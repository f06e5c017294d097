"""The BKN report as a sealed PDF: requested, built by a background task, downloaded.

Rendered from the same read model as the XLSX (`readmodels.bkn_report`), sealed under a
registered certificate like the recap, its hash in the audit log. Unlike the recap it goes
through a task, like the archive: an agency's report lists every non-signer, and WeasyPrint
took 20–56 s for 1,000 of them on the shared 2-core test machine (bench/bkn_report.py), past
a web worker's timeout. The XLSX of the same report takes under a second: a direct download.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from signings import access, jobs
from signings.access import Ability
from signings.models import Agency, BknReportJob, ReportStatus, SigningEvent
from signings.pdf import bkn as bkn_pdf
from signings.readmodels import bkn_report
from signings.readmodels.bkn_report import BknReport, Period
from signings.services import audit, seal_certificates
from signings.services.context import AuditContext

logger = logging.getLogger(__name__)


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
            election="" if event else period.election)
        audit.record(action="audit.bkn_report.requested", obj=job, agency=agency,
                     context=context, details={
                         "event": event.pk if event else None,
                         "period": [str(period.start or ""), str(period.end or ""),
                                    period.election]})
        transaction.on_commit(lambda: jobs.enqueue("build_bkn_report", job.pk))
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


def _start(job_id: int, context: AuditContext) -> BknReportJob | None:
    with transaction.atomic():
        job = BknReportJob.objects.select_for_update(of=("self",)).select_related(
            "agency", "event__agency", "requested_by").get(pk=job_id)
        if job.status != ReportStatus.QUEUED:
            return None  # a duplicate task, or already built
        job.status, job.started_at = ReportStatus.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
        audit.record(action="audit.bkn_report.started", obj=job, agency=job.agency,
                     context=context, details={})
    return job


def build_report(*, job_id: int, context: AuditContext) -> BknReportJob:
    """The task's work: count, render, seal, store, and mark the job ready (or failed)."""
    job = _start(job_id, context)
    if job is None:
        return BknReportJob.objects.get(pk=job_id)
    try:
        report = job_report(job)
        period = job_period(job)
        sealed = render_sealed(report=report, period=period,
                               officer_name=_officer_name(job.requested_by), context=context)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
        with transaction.atomic():
            BknReportJob.objects.filter(pk=job.pk).update(
                status=ReportStatus.FAILED, error=error, finished_at=timezone.now())
            audit.record(action="audit.bkn_report.failed", obj=job, agency=job.agency,
                         context=context, details={"error": error})
        logger.exception("BKN report job %s failed", job.pk)
        raise
    sha = hashlib.sha256(sealed).hexdigest()
    name = f"laporan-bkn-{job.pk}.pdf"
    with transaction.atomic():
        job.file.save(name, ContentFile(sealed), save=False)
        job.status, job.file_sha256 = ReportStatus.READY, sha
        job.expected, job.non_signers = report.total.expected, len(report.non_signers)
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "file", "file_sha256", "expected", "non_signers",
                                "finished_at"])
        audit.record(action="audit.bkn_report.ready", obj=job, agency=job.agency,
                     context=context, details={"sha256": sha, **log_details(report, period)})
    return job

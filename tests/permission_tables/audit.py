"""Auditor pages and downloads (Ability.AUDIT: auditors and HR officers)."""

from django.core.files.base import ContentFile

from signings.models import ArchiveJob, ArchiveStatus, BknReportJob, ReportStatus
from tests import factories
from tests.permission_tables import READ_LIST_PAGE, READ_OBJECT_PAGE, Row, login_then

# A POST that succeeds redirects to the next page.
READ_OBJECT_POST = login_then(hr_a=302, hr_b=404, auditor_a=302, admin=302)


def _signature(world):
    """Created on first use so the shared world stays unsigned for the other tables."""
    if "audit_signature" not in world.extra:
        world.extra["audit_signature"] = factories.signature(
            world.event, world.employee, officer=world.extra["users"]["hr_a"])
    return world.extra["audit_signature"]


def _ready_job(world):
    if "audit_job" not in world.extra:
        job = ArchiveJob(agency=world.agency, event=world.event,
                         requested_by=world.extra["users"]["auditor_a"],
                         status=ArchiveStatus.READY, file_sha256="0" * 64)
        job.file.save("arsip-uji.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
        job.save()
        world.extra["audit_job"] = job
    return world.extra["audit_job"]


def _ready_bkn_job(world):
    if "bkn_job" not in world.extra:
        job = BknReportJob(agency=world.agency, requested_by=world.extra["users"]["auditor_a"],
                           status=ReportStatus.READY, file_sha256="0" * 64)
        job.file.save("laporan-uji.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"), save=False)
        job.save()
        world.extra["bkn_job"] = job
    return world.extra["bkn_job"]


ROWS = [
    Row("audit:event_list", expect=READ_LIST_PAGE),
    Row("audit:event_detail", expect=READ_OBJECT_PAGE, kwargs=lambda w: {"pk": w.event.pk}),
    Row("audit:event_recap", expect=READ_OBJECT_PAGE, kwargs=lambda w: {"pk": w.event.pk}),
    Row("audit:event_bkn_xlsx", expect=READ_OBJECT_PAGE, kwargs=lambda w: {"pk": w.event.pk}),
    Row("audit:event_bkn_pdf", expect=READ_OBJECT_POST, method="post",
        kwargs=lambda w: {"pk": w.event.pk}),
    Row("audit:agency_bkn", expect=READ_OBJECT_PAGE, kwargs=lambda w: {"pk": w.agency.pk}),
    Row("audit:agency_bkn_xlsx", expect=READ_OBJECT_PAGE, kwargs=lambda w: {"pk": w.agency.pk}),
    Row("audit:agency_bkn_pdf", expect=READ_OBJECT_POST, method="post",
        kwargs=lambda w: {"pk": w.agency.pk}),
    Row("audit:bkn_job_detail", expect=READ_OBJECT_PAGE,
        kwargs=lambda w: {"pk": _ready_bkn_job(w).pk}),
    Row("audit:bkn_job_download", expect=READ_OBJECT_PAGE,
        kwargs=lambda w: {"pk": _ready_bkn_job(w).pk}),
    Row("audit:event_archive", expect=READ_OBJECT_POST, method="post",
        kwargs=lambda w: {"pk": w.event.pk}),
    Row("audit:agency_archive", expect=READ_OBJECT_POST, method="post",
        kwargs=lambda w: {"pk": w.agency.pk}),
    Row("audit:compliance", expect=READ_OBJECT_PAGE, kwargs=lambda w: {"pk": w.agency.pk}),
    Row("audit:compliance_xlsx", expect=READ_OBJECT_PAGE, kwargs=lambda w: {"pk": w.agency.pk}),
    Row("audit:archive_detail", expect=READ_OBJECT_PAGE, kwargs=lambda w: {"pk": _ready_job(w).pk}),
    Row("audit:archive_retry", expect=READ_OBJECT_POST, method="post",
        kwargs=lambda w: {"pk": _ready_job(w).pk}),
    Row("audit:archive_download", expect=READ_OBJECT_PAGE,
        kwargs=lambda w: {"pk": _ready_job(w).pk}),
    Row("audit:signature_detail", expect=READ_OBJECT_PAGE,
        kwargs=lambda w: {"pk": _signature(w).pk}),
    Row("audit:signature_pdf", expect=READ_OBJECT_PAGE,
        kwargs=lambda w: {"pk": _signature(w).pk}),
]

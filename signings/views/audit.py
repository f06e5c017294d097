"""The auditor's read-only views and downloads (Inspektorat, Bawaslu; HR officers too).

Every download goes into the audit log. Objects outside the user's scope are a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from signings import access
from signings.access import Ability
from signings.models import (
    Agency,
    ArchiveJob,
    ArchiveStatus,
    AuditEntry,
    SealStatus,
    Signature,
    SigningEvent,
)
from signings.pdf import bsre
from signings.readmodels import compliance
from signings.readmodels.event_record import event_record
from signings.services import archives, bsre_queue, downloads, pacts, recaps
from signings.services.context import AuditContext
from signings.views.hr import id_param

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _event(request, pk) -> SigningEvent:
    return access.get_scoped_or_404(
        SigningEvent.objects.select_related("agency", "template_version__template"),
        request.user, Ability.AUDIT, pk=pk,
    )


def _agency(request, pk) -> Agency:
    return access.get_scoped_or_404(Agency.objects.all(), request.user, Ability.AUDIT,
                                    field="", pk=pk)


def _job(request, pk) -> ArchiveJob:
    return access.get_scoped_or_404(
        ArchiveJob.objects.select_related("agency", "event", "requested_by"),
        request.user, Ability.AUDIT, pk=pk,
    )


@access.role_required(Ability.AUDIT)
def event_list(request):
    user = request.user
    events = (
        access.scoped(SigningEvent.objects.all(), user, Ability.AUDIT)
        .select_related("agency", "template_version__template")
        .with_counts()
        .order_by("-date", "-pk")
    )
    roots = (access.agencies(user, Ability.AUDIT).filter(parent__isnull=True)
             if access.is_admin(user) else access.roots_for(user, Ability.AUDIT))
    jobs = (access.scoped(ArchiveJob.objects.filter(requested_by=user), user, Ability.AUDIT)
            .select_related("agency", "event")[:10])
    return render(request, "audit/event_list.html",
                  {"events": events, "roots": roots, "jobs": jobs})


@access.role_required(Ability.AUDIT)
def event_detail(request, pk):
    event = _event(request, pk)
    record = event_record(event)
    return render(request, "audit/event_detail.html", {
        "event": event, "record": record,
        "awaiting_seals": sum(1 for s in record.signed if s.seal_status == SealStatus.AWAITING)})


def _seal_pending(request, reason: str, *, back: str) -> HttpResponse:
    response = render(request, "audit/seal_pending.html", {"reason": reason, "back": back},
                      status=503)
    response["Retry-After"] = "60"
    return response


@access.role_required(Ability.AUDIT)
def signature_detail(request, pk):
    signature = access.get_scoped_or_404(
        Signature.objects.select_related("employee__agency", "event__agency", "officer",
                                         "device", "voided_by"),
        request.user, Ability.AUDIT, field="event__agency", pk=pk,
    )
    return render(request, "audit/signature_detail.html", {
        "signature": signature,
        "represented": signature.represented_employees.select_related("agency")
        .order_by("name")[:200],
        "history": AuditEntry.objects.for_object(signature).history(),
    })


@access.role_required(Ability.AUDIT)
def signature_pdf(request, pk):
    signature = access.get_scoped_or_404(
        Signature.objects.select_related("employee__agency", "event__agency",
                                         "event__template_version"),
        request.user, Ability.AUDIT, field="event__agency", pk=pk,
    )
    context = AuditContext.from_request(request)
    signature = pacts.ensure_pdf(signature, context=context)
    if not signature.pdf:
        # Never an unsealed pact in its place: BSrE's seal is still awaited (or refused).
        return _seal_pending(request, signature.get_seal_status_display(),
                             back=reverse("audit:signature_detail", args=[signature.pk]))
    downloads.log_download(kind="signature_pdf", obj=signature, agency=signature.event.agency,
                           context=context,
                           details={"sha256": signature.pdf_sha256})
    filename = f"pakta-{slugify(signature.employee.name)}-{signature.verification_code}.pdf"
    return FileResponse(signature.pdf.open("rb"), as_attachment=True, filename=filename,
                        content_type=PDF)


@access.role_required(Ability.AUDIT)
def event_recap(request, pk):
    event = _event(request, pk)
    context = AuditContext.from_request(request)
    back = reverse("audit:event_detail", args=[event.pk])
    stored = recaps.stored_recap(event)
    if stored is None and bsre_queue.known_down():
        return _seal_pending(request, "", back=back)
    try:
        issued = stored or recaps.issue_recap(event=event, context=context)
    except bsre.BsreError as error:
        return _seal_pending(request, error.message, back=back)
    downloads.log_download(kind="recap", obj=event, agency=event.agency, context=context,
                           details={"sha256": issued.recap.sha256,
                                    "verification_code": issued.recap.verification_code})
    response = HttpResponse(issued.data, content_type=PDF)
    response["Content-Disposition"] = (
        f'attachment; filename="rekap-{event.pk}-{slugify(event.title)[:60]}.pdf"')
    return response


@require_POST
@access.role_required(Ability.AUDIT)
def event_archive(request, pk):
    event = _event(request, pk)
    job = archives.request_archive(agency=event.agency, event=event,
                                   context=AuditContext.from_request(request))
    return redirect("audit:archive_detail", pk=job.pk)


@require_POST
@access.role_required(Ability.AUDIT)
def agency_archive(request, pk):
    agency = _agency(request, pk)
    job = archives.request_archive(agency=agency, context=AuditContext.from_request(request))
    return redirect("audit:archive_detail", pk=job.pk)


@access.role_required(Ability.AUDIT)
def archive_detail(request, pk):
    job = _job(request, pk)
    template = "audit/_archive_progress.html" if request.htmx else "audit/archive_detail.html"
    return render(request, template, {"job": job, "ArchiveStatus": ArchiveStatus})


@require_POST
@access.role_required(Ability.AUDIT)
def archive_retry(request, pk):
    job = _job(request, pk)
    try:
        archives.retry_archive(job=job, context=AuditContext.from_request(request))
    except archives.ArchiveError as exc:
        messages.info(request, exc.message)
    return redirect("audit:archive_detail", pk=job.pk)


@access.role_required(Ability.AUDIT)
def archive_download(request, pk):
    job = _job(request, pk)
    if job.status != ArchiveStatus.READY or not job.file.storage.exists(job.file.name):
        raise Http404
    downloads.log_download(kind="archive", obj=job, agency=job.agency,
                           details={"sha256": job.file_sha256},
                           context=AuditContext.from_request(request))
    return FileResponse(job.file.open("rb"), as_attachment=True,
                        filename=job.file.name.rsplit("/", 1)[-1], content_type="application/zip")


def _compliance_data(request, pk):
    agency = _agency(request, pk)
    event = None
    event_id = id_param(request, "acara")
    if event_id is not None:
        event = access.scoped(SigningEvent.objects.in_agency(agency), request.user,
                              Ability.AUDIT).filter(pk=event_id).first()
    rows = compliance.compliance_rows(agency, event)
    return agency, event, rows


@access.role_required(Ability.AUDIT)
def compliance_report(request, pk):
    agency, event, rows = _compliance_data(request, pk)
    events = SigningEvent.objects.in_agency(agency).order_by("-date", "-pk")
    return render(request, "audit/compliance.html", {
        "agency": agency, "event": event, "rows": rows, "events": events,
        "total": compliance.totals(rows, agency),
    })


@access.role_required(Ability.AUDIT)
def compliance_xlsx(request, pk):
    agency, event, rows = _compliance_data(request, pk)
    title = _("Kepatuhan penandatanganan — %(agency)s") % {"agency": agency.name}
    if event is not None:
        title += f" — {event.title}"
    data = compliance.compliance_xlsx(agency, rows, title=title)
    downloads.log_download(kind="compliance_xlsx", obj=agency, agency=agency,
                           context=AuditContext.from_request(request),
                           details={"event": event.pk if event else None})
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="kepatuhan-{slugify(agency.short_name or agency.name)}.xlsx"')
    return response

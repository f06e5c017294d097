"""The neutrality-pledge report for BKN (HR officers and auditors): per event, and per agency
over the events of a period or an election; XLSX and a sealed PDF of the same read model.

The XLSX is a direct download; the PDF is built by a background task (services/bkn_reports.py)
and downloaded from its job page. Every download goes into the audit log. Objects outside the
user's scope are a 404.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from signings import access
from signings.access import Ability
from signings.forms.reports import BknPeriodForm
from signings.models import BknReportJob, ReportStatus, SigningEvent, Tally
from signings.pdf.bkn import period_text
from signings.readmodels import bkn_report, bkn_xlsx
from signings.readmodels.bkn_report import BknReport, Period
from signings.services import bkn_reports, downloads
from signings.services.context import AuditContext
from signings.views.audit import PDF, XLSX, _agency, _event

# The page shows the first non-signers; the XLSX and the PDF list them all.
SHOWN_NON_SIGNERS = 100


def _attachment(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# The titles are the document's, in Indonesian whatever the reader's language.
def _event_title(event: SigningEvent) -> str:
    return f"Laporan ikrar netralitas ASN untuk BKN — {event.agency.name} — {event}"


def _agency_title(agency, period: Period) -> str:
    title = f"Laporan ikrar netralitas ASN untuk BKN — {agency.name} — {period_text(period)}"
    return f"{title} — {period.election}" if period.election else title


@access.role_required(Ability.AUDIT)
def event_bkn_xlsx(request, pk):
    event = _event(request, pk)
    report = bkn_report.bkn_report(event)
    data = bkn_xlsx.bkn_report_xlsx(report, title=_event_title(event))
    downloads.log_download(kind="bkn_report_xlsx", obj=event, agency=event.agency,
                           context=AuditContext.from_request(request),
                           details=bkn_reports.log_details(report))
    return _attachment(data, XLSX, f"laporan-bkn-{event.pk}-{slugify(event.title)[:60]}.xlsx")


@require_POST
@access.role_required(Ability.AUDIT)
def event_bkn_pdf(request, pk):
    event = _event(request, pk)
    job = bkn_reports.request_report(agency=event.agency, event=event,
                                     context=AuditContext.from_request(request))
    return redirect("audit:bkn_job_detail", pk=job.pk)


def _visible(request):
    return access.scoped(SigningEvent.objects.all(), request.user, Ability.AUDIT)


def _form(request, agency, data) -> BknPeriodForm:
    """Bound to `data` (None: unbound, the page's first showing)."""
    elections = sorted(set(Period().events(_visible(request), agency)
                           .values_list("template_version__election", flat=True)))
    return BknPeriodForm(data, elections=elections)


def _agency_report(request, pk) -> tuple:
    """The agency, the bound period form, the period and the report when the form is valid."""
    agency = _agency(request, pk)
    form = _form(request, agency, request.GET or None)
    if request.GET and not form.is_valid():
        return agency, form, None, None
    period = form.period() if request.GET else Period()
    return agency, form, period, bkn_report.agency_report(
        agency, list(period.events(_visible(request), agency)))


def _page(request, agency, form, report: BknReport | None) -> HttpResponse:
    # An invalid period shows the form with its error and downloads nothing.
    return render(request, "audit/bkn_report.html", {
        "agency": agency, "form": form, "report": report, "Tally": Tally,
        "shown": report.non_signers[:SHOWN_NON_SIGNERS] if report else [],
        "query": request.GET.urlencode(),
        "jobs": BknReportJob.objects.filter(agency=agency, event=None,
                                            requested_by=request.user)[:5],
    }, status=200 if report is not None else 400)


@access.role_required(Ability.AUDIT)
def agency_bkn(request, pk):
    agency, form, _period, report = _agency_report(request, pk)
    return _page(request, agency, form, report)


@access.role_required(Ability.AUDIT)
def agency_bkn_xlsx(request, pk):
    agency, form, period, report = _agency_report(request, pk)
    if report is None:
        return _page(request, agency, form, report)
    data = bkn_xlsx.bkn_report_xlsx(report, title=_agency_title(agency, period))
    downloads.log_download(kind="bkn_report_xlsx", obj=agency, agency=agency,
                           context=AuditContext.from_request(request),
                           details=bkn_reports.log_details(report, period))
    return _attachment(data, XLSX,
                       f"laporan-bkn-{slugify(agency.short_name or agency.name)[:60]}.xlsx")


@require_POST
@access.role_required(Ability.AUDIT)
def agency_bkn_pdf(request, pk):
    agency = _agency(request, pk)
    form = _form(request, agency, request.POST)
    if not form.is_valid():
        return _page(request, agency, form, None)
    job = bkn_reports.request_report(agency=agency, period=form.period(),
                                     context=AuditContext.from_request(request))
    return redirect("audit:bkn_job_detail", pk=job.pk)


def _job(request, pk) -> BknReportJob:
    return access.get_scoped_or_404(
        BknReportJob.objects.select_related("agency", "event", "requested_by"),
        request.user, Ability.AUDIT, pk=pk)


@access.role_required(Ability.AUDIT)
def bkn_job_detail(request, pk):
    job = _job(request, pk)
    template = "audit/_bkn_job.html" if request.htmx else "audit/bkn_job.html"
    return render(request, template, {"job": job, "ReportStatus": ReportStatus, "Tally": Tally,
                                      "period": period_text(bkn_reports.job_period(job))})


@access.role_required(Ability.AUDIT)
def bkn_job_download(request, pk):
    job = _job(request, pk)
    if job.status != ReportStatus.READY or not job.file.storage.exists(job.file.name):
        raise Http404
    downloads.log_download(kind="bkn_report_pdf", obj=job, agency=job.agency,
                           context=AuditContext.from_request(request),
                           details={"sha256": job.file_sha256, "expected": job.expected,
                                    "non_signers": job.non_signers})
    scope = job.event.title if job.event else (job.agency.short_name or job.agency.name)
    return FileResponse(job.file.open("rb"), as_attachment=True, content_type=PDF,
                        filename=f"laporan-bkn-{job.pk}-{slugify(scope)[:60]}.pdf")

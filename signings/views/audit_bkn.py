"""The neutrality-pledge report for BKN (HR officers and auditors): per event, and per agency
over the events of a period or an election; XLSX and a sealed PDF of the same read model.

Every download goes into the audit log. Objects outside the user's scope are a 404.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from signings import access
from signings.access import Ability
from signings.forms.reports import BknPeriodForm
from signings.models import SigningEvent, Tally
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


@access.role_required(Ability.AUDIT)
def event_bkn_xlsx(request, pk):
    event = _event(request, pk)
    report = bkn_report.bkn_report(event)
    data = bkn_xlsx.bkn_report_xlsx(report, title=_event_title(event))
    downloads.log_download(kind="bkn_report_xlsx", obj=event, agency=event.agency,
                           context=AuditContext.from_request(request),
                           details=bkn_reports.log_details(report))
    return _attachment(data, XLSX, f"laporan-bkn-{event.pk}-{slugify(event.title)[:60]}.xlsx")


@access.role_required(Ability.AUDIT)
def event_bkn_pdf(request, pk):
    event = _event(request, pk)
    report = bkn_report.bkn_report(event)
    context = AuditContext.from_request(request)
    period = Period(start=event.date, end=event.date)
    issued = bkn_reports.issue_pdf(report=report, period=period, context=context)
    downloads.log_download(kind="bkn_report_pdf", obj=event, agency=event.agency,
                           context=context,
                           details=bkn_reports.log_details(report, issued, period))
    return _attachment(issued.data, PDF,
                       f"laporan-bkn-{event.pk}-{slugify(event.title)[:60]}.pdf")


def _agency_report(request, pk) -> tuple:
    """The agency, the bound period form, and the report when the form is valid."""
    agency = _agency(request, pk)
    visible = access.scoped(SigningEvent.objects.all(), request.user, Ability.AUDIT)
    elections = sorted(set(
        Period().events(visible, agency).values_list("template_version__election", flat=True)))
    form = BknPeriodForm(request.GET or None, elections=elections)
    report: BknReport | None = None
    period: Period | None = None
    if not request.GET or form.is_valid():
        period = form.period() if request.GET else Period()
        report = bkn_report.agency_report(agency, list(period.events(visible, agency)))
    return agency, form, period, report


def _agency_title(agency, period: Period) -> str:
    title = f"Laporan ikrar netralitas ASN untuk BKN — {agency.name} — {period_text(period)}"
    return f"{title} — {period.election}" if period.election else title


def _page(request, agency, form, report: BknReport | None) -> HttpResponse:
    # An invalid period shows the form with its error and downloads nothing.
    return render(request, "audit/bkn_report.html", {
        "agency": agency, "form": form, "report": report, "Tally": Tally,
        "shown": report.non_signers[:SHOWN_NON_SIGNERS] if report else [],
        "query": request.GET.urlencode(),
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
                           details=bkn_reports.log_details(report, period=period))
    return _attachment(data, XLSX,
                       f"laporan-bkn-{slugify(agency.short_name or agency.name)[:60]}.xlsx")


@access.role_required(Ability.AUDIT)
def agency_bkn_pdf(request, pk):
    agency, form, period, report = _agency_report(request, pk)
    if report is None:
        return _page(request, agency, form, report)
    context = AuditContext.from_request(request)
    issued = bkn_reports.issue_pdf(report=report, period=period, context=context)
    downloads.log_download(kind="bkn_report_pdf", obj=agency, agency=agency, context=context,
                           details=bkn_reports.log_details(report, issued, period))
    return _attachment(issued.data, PDF,
                       f"laporan-bkn-{slugify(agency.short_name or agency.name)[:60]}.pdf")

"""Issuing the BKN report as a sealed PDF: rendered from the same read model as the XLSX,
sealed under a registered certificate like the recap, its hash written to the audit log.

Rendered on request, like the recap (signings/services/recaps.py): the report is text only, no
signature images, so even a large agency's renders in seconds (bench/bkn_report.py), and it is
never stored: each download is the state at that moment, and its hash is in the download's
audit entry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.utils import timezone

from signings.pdf import bkn as bkn_pdf
from signings.readmodels.bkn_report import BknReport, Period
from signings.services import seal_certificates
from signings.services.context import AuditContext


@dataclass(frozen=True)
class IssuedReport:
    data: bytes
    sha256: str


def _officer_name(context: AuditContext) -> str:
    user = context.actor
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def issue_pdf(*, report: BknReport, period: Period | None, context: AuditContext
              ) -> IssuedReport:
    """Render and seal the report (the view logs its download, with `log_details`)."""
    agency = report.agency
    issue = bkn_pdf.Issue(officer_name=_officer_name(context), made_at=timezone.now())
    unsealed = bkn_pdf.render_bkn_report(report, issue=issue, period=period)
    sealed = seal_certificates.seal_document(
        unsealed, title=bkn_pdf.TITLE, signer=agency.name, location=agency.city,
        context=context)
    return IssuedReport(sealed, hashlib.sha256(sealed).hexdigest())


def log_details(report: BknReport, issued: IssuedReport | None = None,
                period: Period | None = None) -> dict:
    """What a download's audit entry says the report counted (and the PDF's hash)."""
    details: dict = {
        "events": [event.pk for event in report.events],
        "expected": report.total.expected, "signed": report.total.signed,
        "non_signers": len(report.non_signers),
    }
    if period is not None:
        details["period"] = [str(period.start or ""), str(period.end or ""), period.election]
    if issued is not None:
        details["sha256"] = issued.sha256
    return details

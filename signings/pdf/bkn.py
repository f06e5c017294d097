"""The neutrality-pledge report for BKN as a letter-like PDF: the same `BknReport` the XLSX
holds (signings/readmodels/bkn_report.py), so every count is printed from one definition.

Sealed and logged by signings/services/bkn_reports.py.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation

from signings.models import Tally
from signings.pdf import dates, engine
from signings.pdf.fetcher import SafeURLFetcher
from signings.pdf.pact import letterhead_for
from signings.readmodels.bkn_report import BknReport, Period

TITLE = "Laporan Ikrar Netralitas ASN"


@dataclass(frozen=True)
class Issue:
    """Who answers for the report and when it was made (the place is the agency's city)."""

    officer_name: str
    made_at: datetime.datetime


def period_text(period: Period | None) -> str:
    """The period as printed: "1 Januari 2024 s.d. 31 Desember 2024", or an open end."""
    if period is None or not (period.start or period.end):
        return "seluruh acara yang tercatat"
    if period.start and period.start == period.end:
        return dates.indonesian_date(period.start)
    start = dates.indonesian_date(period.start) if period.start else "awal pencatatan"
    end = dates.indonesian_date(period.end) if period.end else "sekarang"
    return f"{start} s.d. {end}"


def bkn_context(report: BknReport, *, issue: Issue, period: Period | None) -> dict:
    agency = report.agency
    return {
        "title": TITLE,
        "report": report,
        "agency": agency,
        "letterhead": letterhead_for(agency),
        "period": period_text(period),
        "election": period.election if period else "",
        "events": [{"event": e, "date": dates.indonesian_date(e.date)} for e in report.events],
        "tally_labels": [str(label) for label in Tally.labels],
        "categories": [(label, [counts[t] for t in Tally.values])
                       for label, counts in report.by_category],
        "groups": [(label, [counts[t] for t in Tally.values]) for label, counts in report.groups],
        "total": [getattr(report.total, t) for t in Tally.values],
        "units": [{"name": row.agency.name, "indent": max(row.agency.depth - agency.depth, 0) * 4,
                   "counts": [getattr(row, t) for t in Tally.values], "percent": row.percent}
                  for row in report.by_unit],
        "officer_name": issue.officer_name,
        "place_and_date": dates.place_and_date(agency.city, issue.made_at, agency.timezone),
        "generated": dates.indonesian_datetime(issue.made_at, agency.timezone),
    }


def render_bkn_report(report: BknReport, *, issue: Issue, period: Period | None = None,
                      fetcher: SafeURLFetcher | None = None) -> bytes:
    """The unsealed report (user text escaped by the template's autoescaping)."""
    # A report to BKN is an Indonesian official document whatever the reader's language.
    with translation.override("id"):
        html = render_to_string("pdf/bkn_report.html",
                                bkn_context(report, issue=issue, period=period))
    return engine.render_pdf(html, stylesheet="bkn", fetcher=fetcher)

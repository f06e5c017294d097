"""The neutrality-pledge report for BKN: totals by employee category and by unit, and who did
not sign, with why. Per event, or per agency over all its events of a period or of one election.

Since August 2024 the oversight of ASN neutrality that KASN held sits with BKN, so agencies
report to BKN. One definition of the counts, `employee_states`: for one event it is
`ExpectedSigner.objects.with_state()`'s, so the report agrees with the live view, the recap and
the compliance report; over several events each employee counts once (docs/reports.md, "How each
employee is counted"). Four queries whatever the number of employees and events.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import IntegerField, Max, QuerySet
from django.db.models.functions import Cast
from django.utils import translation

from signings.models import (
    Agency,
    AttendanceOutcome,
    AttendanceStatus,
    Employee,
    EmployeeCategory,
    ExpectedSigner,
    SigningEvent,
    Tally,
)
from signings.readmodels.compliance import ComplianceRow


@dataclass
class NonSigner:
    name: str
    nip: str
    position: str
    unit: str
    category: str
    tally: str  # the label of Tally.ABSENT or Tally.MISSING
    reason: str
    note: str
    event: str  # the event whose outcome gives the reason ("" when none was recorded)


@dataclass
class BknReport:
    agency: Agency
    events: list[SigningEvent]
    by_category: list[tuple[str, dict[str, int]]]
    by_unit: list[ComplianceRow]
    total: ComplianceRow
    # ASN (PNS and PPPK) and non-ASN, the split BKN asks for.
    groups: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    non_signers: list[NonSigner] = field(default_factory=list)


def employee_states(agency: Agency, events: QuerySet[SigningEvent] | Sequence[SigningEvent]):
    """One row per employee of `agency`'s subtree expected at any of `events`:
    {"employee", "employee__category", "employee__agency", "signed", "absent"}.

    `signed`: a valid signature of their own at any of the events (the main apel or its
    follow-up: signing once is what the pledge asks). `absent`: recorded absent at one of them.
    With `tally_of` this is the one definition of the report's counts; for a single event it
    is exactly `ExpectedSignerQuerySet.with_state()` (an OR over one row).
    """
    return (
        ExpectedSigner.objects.filter(event__in=events,
                                      employee__agency__path__startswith=agency.path)
        .with_state()
        .values("employee", "employee__category", "employee__agency")
        # "Any of the events", as the largest 0/1: BOOL_OR is PostgreSQL's alone, and the demo
        # runs on SQLite.
        .annotate(signed=Max(Cast("has_signed", IntegerField())),
                  absent=Max(Cast("has_absence", IntegerField())))
        .order_by()
    )


def tally_of(state: dict) -> str:
    """The count a row of `employee_states` falls in besides "expected": signed wins, then a
    recorded absence, else still missing (expected = signed + absent + missing)."""
    if state["signed"]:
        return Tally.SIGNED
    return Tally.ABSENT if state["absent"] else Tally.MISSING


def _counts(tallies: Counter) -> dict[str, int]:
    counts = {t: tallies[t] for t in Tally.values}
    counts[Tally.EXPECTED] = sum(tallies[t] for t in (Tally.SIGNED, Tally.ABSENT, Tally.MISSING))
    return counts


def agency_report(agency: Agency, events: Sequence[SigningEvent]) -> BknReport:
    """The report of `agency`'s subtree over `events` (already scoped to the reader). An
    Indonesian document for BKN whatever the reader's language, like the pacts and the recap."""
    with translation.override("id"):
        return _report(agency, events)


def _report(agency: Agency, events: Sequence[SigningEvent]) -> BknReport:
    states = {row["employee"]: row for row in employee_states(agency, events)}
    per_category: dict[str, Counter] = defaultdict(Counter)
    per_unit: dict[int, Counter] = defaultdict(Counter)
    owing: dict[int, str] = {}
    for employee_id, state in states.items():
        tally = tally_of(state)
        per_category[state["employee__category"]][tally] += 1
        per_unit[state["employee__agency"]][tally] += 1
        if tally != Tally.SIGNED:
            owing[employee_id] = tally
    by_category = [(str(label), _counts(per_category[value]))
                   for value, label in EmployeeCategory.choices if value in per_category]
    by_unit = [ComplianceRow(agency=unit, **_counts(per_unit[unit.pk]))
               for unit in Agency.objects.subtree_of(agency).order_by("path")
               if unit.pk in per_unit]
    total = ComplianceRow(agency=agency, **_counts(sum(per_unit.values(), Counter())))
    groups = [
        (label, _counts(sum((per_category[c] for c in categories), Counter())))
        for label, categories in (("ASN (PNS dan PPPK)", EmployeeCategory.asn()),
                                  ("Non-ASN", EmployeeCategory.non_asn()))
    ]
    return BknReport(agency=agency, events=list(events), by_category=by_category,
                     by_unit=by_unit, total=total, groups=groups,
                     non_signers=_non_signers(events, owing))


def _non_signers(events: Sequence[SigningEvent], owing: dict[int, str]) -> list[NonSigner]:
    # The reason is the latest one recorded (by event date): for the absent, their latest
    # absence; for the missing, their latest "sign later" note, if any.
    latest: dict[int, AttendanceOutcome] = {}
    outcomes = (AttendanceOutcome.objects.filter(event__in=events, employee__in=list(owing))
                .select_related("event").order_by("event__date", "event__pk"))
    for outcome in outcomes:
        if owing[outcome.employee_id] == Tally.ABSENT and \
                outcome.status != AttendanceStatus.ABSENT:
            continue
        latest[outcome.employee_id] = outcome
    people = (Employee.objects.filter(pk__in=list(owing)).select_related("agency")
              .order_by("agency__path", "name", "pk"))
    rows = []
    for employee in people:
        outcome = latest.get(employee.pk)
        absent = owing[employee.pk] == Tally.ABSENT
        if outcome is None:
            reason = ""
        elif absent:
            reason = str(outcome.get_reason_display())
        else:
            reason = str(outcome.get_status_display())
        rows.append(NonSigner(
            name=str(employee), nip=employee.nip or "", position=employee.position,
            unit=employee.agency.name, category=str(employee.get_category_display()),
            tally=str(Tally(owing[employee.pk]).label), reason=reason,
            note=outcome.note if outcome else "",
            event=outcome.event.title if outcome else "",
        ))
    return rows


def bkn_report(event: SigningEvent) -> BknReport:
    """The report of one event."""
    return agency_report(event.agency, [event])


@dataclass(frozen=True)
class Period:
    """Which of an agency's events an agency report takes: held (not draft) events of its
    subtree dated within [start, end], of one election (the pact version's "pemilu/pemilihan")
    when chosen."""

    start: datetime.date | None = None
    end: datetime.date | None = None
    election: str = ""

    def events(self, queryset: QuerySet[SigningEvent], agency: Agency) -> QuerySet[SigningEvent]:
        from signings.models import EventStatus

        events = queryset.in_agency(agency).exclude(status=EventStatus.DRAFT)
        if self.start:
            events = events.filter(date__gte=self.start)
        if self.end:
            events = events.filter(date__lte=self.end)
        if self.election:
            events = events.filter(template_version__election=self.election)
        return events.select_related("agency", "template_version").order_by("date", "pk")

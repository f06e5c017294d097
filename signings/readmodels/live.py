"""Read-only figures for the live assembly view, aggregated in the database.

Every function here is a fixed number of queries whatever the number of expected signers, so
the view polled every few seconds stays fast with thousands of staff.
"""

from __future__ import annotations

from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, QuerySet

from signings.models import (
    Employee,
    EmployeeCategory,
    ExpectedSigner,
    IdentityLock,
    Signature,
    SigningEvent,
    Tally,
)
from signings.models.event import tally_counts
from signings.readmodels.tally import labelled

LIST_LIMIT = 50


def _with_percent(row: dict) -> dict:
    row["percent"] = round(100 * row[Tally.SIGNED] / row[Tally.EXPECTED]) if row[
        Tally.EXPECTED] else 0
    return row


def _outcome(event: SigningEvent) -> FilteredRelation:
    return FilteredRelation(
        "employee__attendance_outcomes",
        condition=Q(employee__attendance_outcomes__event=event.pk),
    )


def _cells(event: SigningEvent) -> list[dict]:
    """The counts per (unit, category) in one grouped query; everything else is summed from
    it. The counts are `ExpectedSigner.objects.with_state()`'s, like every other page's."""
    return list(
        ExpectedSigner.objects.filter(event=event.pk).with_state()
        .values("employee__agency_id", "employee__agency__name", "employee__agency__path",
                "employee__category")
        .annotate(**tally_counts())
        .order_by()
    )


def _sum(rows, key_fields: tuple[str, ...]) -> list[dict]:
    grouped: dict[tuple, dict] = {}
    for row in rows:
        key = tuple(row[f] for f in key_fields)
        target = grouped.setdefault(
            key, {**{f: row[f] for f in key_fields}, **dict.fromkeys(Tally.values, 0)})
        for count in Tally.values:
            target[count] += row[count]
    return [_with_percent(row) for _key, row in sorted(grouped.items())]


def breakdown(event: SigningEvent) -> dict:
    """Totals, per unit and per category: {"totals": {...}, "units": [...], "categories": [...]}
    with the four `Tally` counts and a percentage in each."""
    cells = _cells(event)
    totals = _sum(cells, ())
    categories = _sum(cells, ("employee__category",))
    for row in categories:
        row["label"] = EmployeeCategory(row["employee__category"]).label
    totals_row = totals[0] if totals else _with_percent(dict.fromkeys(Tally.values, 0))
    return {
        "totals": totals_row,
        "tallies": labelled(totals_row),
        "units": _sum(cells, ("employee__agency__path", "employee__agency_id",
                              "employee__agency__name")),
        "categories": categories,
    }


def totals(event: SigningEvent) -> dict:
    return breakdown(event)["totals"]


def tallies(event: SigningEvent) -> list[dict]:
    """The four counts with their words (`tally.labelled`), for the count cards."""
    return breakdown(event)["tallies"]


def _search(queryset: QuerySet, text: str, field: str = "employee") -> QuerySet:
    if not text.strip():
        return queryset
    return queryset.filter(**{f"{field}__in": Employee.objects.search(text).values("pk")})


def signed_list(event: SigningEvent, text: str = "") -> tuple[list[Signature], int]:
    queryset = _search(event.signatures.valid(), text)
    rows = list(queryset.select_related("employee__agency").order_by("-signed_at")[:LIST_LIMIT])
    return rows, queryset.count()


def unsigned_list(event: SigningEvent, text: str = "") -> tuple[list[ExpectedSigner], int]:
    """Who has not signed yet, in signing order, with any attendance note (absent etc.)."""
    # NOT EXISTS (an anti-join) finds the unsigned faster than filtering a LEFT JOIN.
    signed = Signature.objects.valid().filter(event=event.pk, employee=OuterRef("employee"))
    queryset = _search(
        ExpectedSigner.objects.filter(event=event.pk).filter(~Exists(signed))
        .annotate(note=_outcome(event)),
        text,
    )
    rows = list(
        queryset.select_related("employee__agency")
        .annotate(
            outcome_status=F("note__status"), outcome_reason=F("note__reason"),
            # Named in a representative signature: shown, but they still count as unsigned.
            represented=Exists(Signature.objects.valid().filter(
                event=event.pk, represented_employees=OuterRef("employee"))),
        )
        .in_signing_order()[:LIST_LIMIT]
    )
    return rows, queryset.count()


def locked_people(event: SigningEvent) -> list[IdentityLock]:
    """People locked after wrong birth dates at the kiosk, waiting for an officer."""
    return list(
        IdentityLock.objects.filter(event=event, locked_at__isnull=False)
        .select_related("employee__agency").order_by("locked_at")
    )

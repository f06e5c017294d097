"""Read-only figures for the live assembly view, aggregated in the database.

Every function here is a fixed number of queries whatever the number of expected signers, so
the view polled every few seconds stays fast with thousands of staff.
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet

from signings.models import (
    AttendanceStatus,
    Employee,
    EmployeeCategory,
    ExpectedSigner,
    Signature,
    SigningEvent,
)

LIST_LIMIT = 50


def _with_remaining(row: dict) -> dict:
    row["remaining"] = row["expected"] - row["signed"] - row["absent"]
    row["percent"] = round(100 * row["signed"] / row["expected"]) if row["expected"] else 0
    return row


def _valid_signature(event: SigningEvent) -> FilteredRelation:
    return FilteredRelation(
        "employee__signatures",
        condition=Q(employee__signatures__event=event.pk,
                    employee__signatures__voided_at__isnull=True),
    )


def _outcome(event: SigningEvent, status: str | None = None) -> FilteredRelation:
    condition = Q(employee__attendance_outcomes__event=event.pk)
    if status is not None:
        condition &= Q(employee__attendance_outcomes__status=status)
    return FilteredRelation("employee__attendance_outcomes", condition=condition)


def _cells(event: SigningEvent) -> list[dict]:
    """Counts per (unit, category) in one grouped query; everything else is summed from it.

    LEFT JOINs rather than EXISTS subqueries let PostgreSQL hash-join the few thousand rows
    once. They cannot multiply rows: there is at most one valid signature (a partial unique
    constraint) and one attendance outcome (unique) per event and employee.
    """
    return list(
        ExpectedSigner.objects.filter(event=event.pk)
        .annotate(valid_signature=_valid_signature(event),
                  absence=_outcome(event, status=AttendanceStatus.ABSENT))
        .values("employee__agency_id", "employee__agency__name", "employee__agency__path",
                "employee__category")
        .annotate(
            expected=Count("pk"),
            signed=Count("valid_signature__id"),
            # A signature settles an earlier absence, so only the unsigned count as absent.
            absent=Count("absence__id", filter=Q(valid_signature__id__isnull=True)),
        )
        .order_by()
    )


def _sum(rows, key_fields: tuple[str, ...]) -> list[dict]:
    grouped: dict[tuple, dict] = {}
    for row in rows:
        key = tuple(row[f] for f in key_fields)
        target = grouped.setdefault(
            key, {**{f: row[f] for f in key_fields}, "expected": 0, "signed": 0, "absent": 0})
        for count in ("expected", "signed", "absent"):
            target[count] += row[count]
    return [_with_remaining(row) for _key, row in sorted(grouped.items())]


def breakdown(event: SigningEvent) -> dict:
    """Totals, per unit and per category: {"totals": {...}, "units": [...], "categories": [...]}"""
    cells = _cells(event)
    totals = _sum(cells, ())
    categories = _sum(cells, ("employee__category",))
    for row in categories:
        row["label"] = EmployeeCategory(row["employee__category"]).label
    return {
        "totals": totals[0] if totals else _with_remaining(
            {"expected": 0, "signed": 0, "absent": 0}),
        "units": _sum(cells, ("employee__agency__path", "employee__agency_id",
                              "employee__agency__name")),
        "categories": categories,
    }


def totals(event: SigningEvent) -> dict:
    return breakdown(event)["totals"]


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

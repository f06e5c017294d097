"""Read-only figures for the live assembly view, aggregated in the database.

Every function here is a fixed number of queries whatever the number of expected signers, so
the view polled every few seconds stays fast with thousands of staff.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from signings.models import (
    AttendanceOutcome,
    AttendanceStatus,
    Employee,
    ExpectedSigner,
    Signature,
    SigningEvent,
)

LIST_LIMIT = 50


def _expected(event: SigningEvent) -> QuerySet:
    signed = Signature.objects.valid().filter(event=event.pk, employee=OuterRef("employee"))
    absent = AttendanceOutcome.objects.filter(event=event.pk, employee=OuterRef("employee"),
                                              status=AttendanceStatus.ABSENT)
    return ExpectedSigner.objects.filter(event=event.pk).annotate(
        is_signed=Exists(signed), is_absent=Exists(absent)
    )


_COUNTS = {
    "expected": Count("pk"),
    "signed": Count("pk", filter=Q(is_signed=True)),
    # A signature settles an earlier absence, so only the unsigned can count as absent.
    "absent": Count("pk", filter=Q(is_absent=True, is_signed=False)),
}


def _with_remaining(row: dict) -> dict:
    row["remaining"] = row["expected"] - row["signed"] - row["absent"]
    row["percent"] = round(100 * row["signed"] / row["expected"]) if row["expected"] else 0
    return row


def totals(event: SigningEvent) -> dict:
    return _with_remaining(_expected(event).aggregate(**_COUNTS))


def by_unit(event: SigningEvent) -> list[dict]:
    rows = (
        _expected(event)
        .values("employee__agency_id", "employee__agency__name", "employee__agency__path")
        .annotate(**_COUNTS)
        .order_by("employee__agency__path")
    )
    return [_with_remaining(dict(row)) for row in rows]


def by_category(event: SigningEvent) -> list[dict]:
    rows = _expected(event).values("employee__category").annotate(**_COUNTS).order_by(
        "employee__category")
    return [_with_remaining(dict(row)) for row in rows]


def _search(queryset: QuerySet, text: str, field: str = "employee") -> QuerySet:
    if not text.strip():
        return queryset
    return queryset.filter(**{f"{field}__in": Employee.objects.search(text).values("pk")})


def signed_list(event: SigningEvent, text: str = "") -> tuple[list[Signature], int]:
    queryset = _search(event.signatures.valid(), text)
    rows = list(queryset.select_related("employee__agency").order_by("-signed_at")[:LIST_LIMIT])
    return rows, queryset.count()


def unsigned_list(event: SigningEvent, text: str = "") -> tuple[list[ExpectedSigner], int]:
    outcomes = AttendanceOutcome.objects.filter(event=event.pk, employee=OuterRef("employee"))
    queryset = _search(_expected(event).filter(is_signed=False), text).annotate(
        outcome_status=Subquery(outcomes.values("status")[:1]),
        outcome_reason=Subquery(outcomes.values("reason")[:1]),
    )
    rows = list(
        queryset.select_related("employee__agency")
        .order_by("employee__echelon", "employee__agency__path", "employee__name")[:LIST_LIMIT]
    )
    return rows, queryset.count()

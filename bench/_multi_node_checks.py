"""The exactly-once check of bench/multi_node.py, apart so that tests can import it without the
benchmark: what the client sent and was told (the Ledger), what the database holds
(stored_signatures), and where the two disagree (exactly_once_problems). Plus how tablets are
spread over nodes. Tested in tests/test_bench_multi_node.py."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

ACKNOWLEDGED = (200, 201)


def spread(tablets: int, nodes: Sequence[int]) -> list[int]:
    """The node (port) of each tablet: round-robin, tablet i on node i mod N."""
    return [nodes[i % len(nodes)] for i in range(tablets)]


@dataclass
class Ledger:
    """What the client sent and was told: the truth the database is compared with."""

    employee: dict[str, int] = field(default_factory=dict)  # submission id -> person
    answers: dict[str, list[int]] = field(default_factory=dict)  # every HTTP status, in order
    kind: dict[str, str] = field(default_factory=dict)  # "single" or "race" (sent at once)

    def sent(self, submission_id: str, employee_id: int, kind: str = "single") -> None:
        self.employee[submission_id] = employee_id
        self.kind[submission_id] = kind
        self.answers.setdefault(submission_id, [])

    def answered(self, submission_id: str, status: int) -> None:
        self.answers[submission_id].append(status)


@dataclass(frozen=True)
class StoredSignature:
    submission_id: str
    employee_id: int
    voided: bool
    has_pdf: bool
    recorded_entries: int  # "signing.signature.recorded" audit entries of the signature
    rendered_entries: int  # "signing.pdf.rendered" ones


def exactly_once_problems(ledger: Ledger, stored: Iterable[StoredSignature], *,
                          rendered: bool = True) -> list[str]:
    """Where the database and what the client was told disagree; empty when every submission
    was acknowledged and stored once, no person twice, no replay or race stored again, and
    (with `rendered`) every pact rendered exactly once."""
    problems: list[str] = []
    rows = list(stored)
    by_id = Counter(row.submission_id for row in rows)
    for submission_id, count in by_id.items():
        if count > 1:
            problems.append(f"submission {submission_id} stored {count} times")
    for submission_id, statuses in ledger.answers.items():
        refused = [s for s in statuses if s not in ACKNOWLEDGED]
        if not statuses or refused:
            problems.append(f"submission {submission_id} not acknowledged: {statuses}")
            continue
        created = statuses.count(201)
        if created != 1:
            problems.append(f"submission {submission_id} answered 'recorded' (201) {created} "
                            f"times, expected once: {statuses}")
        if ledger.kind.get(submission_id) == "single" and statuses[0] != 201:
            problems.append(f"submission {submission_id}: its first send answered "
                            f"{statuses[0]}, not 201")
    stored_ids = set(by_id)
    acknowledged = {sid for sid, statuses in ledger.answers.items()
                    if statuses and set(statuses) <= set(ACKNOWLEDGED)}
    for submission_id in sorted(acknowledged - stored_ids):
        problems.append(f"submission {submission_id} acknowledged but not in the database")
    for submission_id in sorted(stored_ids - set(ledger.employee)):
        problems.append(f"signature {submission_id} in the database was never sent")
    people = Counter(row.employee_id for row in rows if not row.voided)
    for employee_id, count in people.items():
        if count > 1:
            problems.append(f"person {employee_id} has {count} standing signatures")
    for row in rows:
        sent_for = ledger.employee.get(row.submission_id)
        if sent_for is not None and sent_for != row.employee_id:
            problems.append(f"signature {row.submission_id} is for person {row.employee_id}, "
                            f"sent for {sent_for}")
        if row.recorded_entries != 1:
            problems.append(f"signature {row.submission_id} has {row.recorded_entries} "
                            "'recorded' audit entries")
        if rendered and (not row.has_pdf or row.rendered_entries != 1):
            problems.append(f"pact of {row.submission_id}: file {row.has_pdf}, "
                            f"{row.rendered_entries} 'rendered' audit entries")
    return problems


STORED_SQL = """
SELECT s.submission_id::text, s.employee_id, s.voided_at IS NOT NULL,
       s.pdf <> '' AND s.pdf_sha256 <> '',
       count(*) FILTER (WHERE a.action = 'signing.signature.recorded'),
       count(*) FILTER (WHERE a.action = 'signing.pdf.rendered')
FROM signings_signature s
LEFT JOIN signings_auditentry a
       ON a.object_type = 'signings.signature' AND a.object_id = s.id::text
WHERE s.event_id = %s
GROUP BY s.id
"""


def stored_signatures(cursor, event_id: int) -> list[StoredSignature]:
    """The event's signatures with their audit entries, through any DB-API cursor."""
    cursor.execute(STORED_SQL, [event_id])
    return [StoredSignature(str(sid), employee, bool(voided), bool(pdf), recorded, rendered)
            for sid, employee, voided, pdf, recorded, rendered in cursor.fetchall()]

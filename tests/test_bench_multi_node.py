"""The pure parts of bench/multi_node.py: how tablets are spread over nodes, and the exactly-once
check that compares what the client was told with what the database holds. The benchmark
itself (several gunicorn nodes and workers) is run by hand, never here."""

from __future__ import annotations

import uuid

from django.db import connection

from bench._multi_node_checks import (
    Ledger,
    StoredSignature,
    exactly_once_problems,
    spread,
    stored_signatures,
)
from tests import factories


def test_tablets_spread_round_robin_over_the_nodes():
    assert spread(5, [8001, 8002]) == [8001, 8002, 8001, 8002, 8001]
    assert spread(3, [8001]) == [8001, 8001, 8001]
    assert sorted(spread(50, [1, 2]).count(node) for node in (1, 2)) == [25, 25]


def _ledger(*sent: tuple[str, int, list[int]], kind: str = "single") -> Ledger:
    ledger = Ledger()
    for submission_id, employee, statuses in sent:
        ledger.sent(submission_id, employee, kind)
        for status in statuses:
            ledger.answered(submission_id, status)
    return ledger


def _row(submission_id: str, employee: int, **changes) -> StoredSignature:
    fields = {"voided": False, "has_pdf": True, "recorded_entries": 1, "rendered_entries": 1}
    return StoredSignature(submission_id, employee, **{**fields, **changes})


def test_a_database_that_holds_what_the_client_was_told_passes():
    ledger = _ledger(("a", 1, [201, 200, 200]), ("b", 2, [201]))
    race = _ledger(("c", 3, [200, 201]), kind="race")  # the other node answered first
    ledger.employee.update(race.employee)
    ledger.answers.update(race.answers)
    ledger.kind.update(race.kind)

    assert exactly_once_problems(ledger, [_row("a", 1), _row("b", 2), _row("c", 3)]) == []


def test_a_submission_stored_twice_or_recorded_twice_is_reported():
    ledger = _ledger(("a", 1, [201, 201]))

    problems = exactly_once_problems(ledger, [_row("a", 1), _row("a", 1)])

    assert "submission a stored 2 times" in problems
    assert any("answered 'recorded' (201) 2 times" in p for p in problems)
    assert "person 1 has 2 standing signatures" in problems


def test_a_refused_or_lost_submission_is_reported():
    ledger = _ledger(("a", 1, [201]), ("b", 2, [503]), ("c", 3, [201]))

    problems = exactly_once_problems(ledger, [_row("a", 1)])

    assert "submission b not acknowledged: [503]" in problems
    assert "submission c acknowledged but not in the database" in problems


def test_a_replay_answered_first_as_duplicate_is_reported_for_a_single_send():
    ledger = _ledger(("a", 1, [200, 201]))

    assert exactly_once_problems(ledger, [_row("a", 1)]) == [
        "submission a: its first send answered 200, not 201"]


def test_rows_nobody_sent_wrong_people_and_missing_pacts_are_reported():
    ledger = _ledger(("a", 1, [201]), ("b", 2, [201]))
    rows = [_row("a", 9), _row("b", 2, has_pdf=False, rendered_entries=0, recorded_entries=2),
            _row("z", 5)]

    problems = exactly_once_problems(ledger, rows)

    assert "signature z in the database was never sent" in problems
    assert "signature a is for person 9, sent for 1" in problems
    assert "signature b has 2 'recorded' audit entries" in problems
    assert "pact of b: file False, 0 'rendered' audit entries" in problems
    assert "pact of b: file False, 0 'rendered' audit entries" not in exactly_once_problems(
        ledger, rows, rendered=False)


def test_the_check_reads_the_event_s_signatures_and_their_audit_entries(open_event, people,
                                                                        hr_a):
    ids = [uuid.uuid4() for _ in people[:2]]
    for submission_id, person in zip(ids, people, strict=False):
        factories.record(open_event, person, officer=hr_a, submission_id=submission_id)
    other = factories.event(open_event.agency, officer=hr_a,
                            template_version=open_event.template_version)
    factories.record(other, people[2], officer=hr_a)

    with connection.cursor() as cursor:
        stored = stored_signatures(cursor, open_event.pk)

    assert sorted(row.submission_id for row in stored) == sorted(map(str, ids))
    assert all(row.recorded_entries == 1 and not row.voided for row in stored)
    ledger = _ledger(*((str(sid), person.pk, [201]) for sid, person in zip(ids, people,
                                                                             strict=False)))
    assert exactly_once_problems(ledger, stored, rendered=False) == []
    del ledger.employee[str(ids[0])], ledger.answers[str(ids[0])]
    assert exactly_once_problems(ledger, stored, rendered=False) == [
        f"signature {ids[0]} in the database was never sent"]

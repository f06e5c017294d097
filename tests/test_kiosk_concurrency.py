"""Tablets racing: two submissions for the same person at once, and a replay storm of one
outbox sent by several tablets at the same time. Real transactions, one connection per thread.
"""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from signings.models import AuditEntry, Signature
from tests.kiosk_support import auth, pair, submission


def _post_all(jobs):
    """Run (token, body) posts in parallel threads released together; return the responses."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index, token, body):
        client = Client()
        try:
            barrier.wait(timeout=10)
            results[index] = client.post(
                reverse("kiosk:api:submit"), json.dumps(body), content_type="application/json",
                headers=auth(token),
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, token, body))
               for i, (token, body) in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_tablets_signing_the_same_person_at_once_make_one_signature(open_event, hr_a):
    employee = open_event.expected.first().employee
    _one, token_1 = pair(open_event, hr_a, "Tablet 1")
    _two, token_2 = pair(open_event, hr_a, "Tablet 2")
    responses = _post_all([
        (token_1, submission(open_event, employee)),
        (token_2, submission(open_event, employee)),
    ])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json()["code"] == "signature.already_signed"
    assert Signature.objects.filter(event=open_event, employee=employee).count() == 1
    assert AuditEntry.objects.filter(action="signing.signature.recorded").count() == 1


@pytest.mark.django_db(transaction=True)
def test_replay_storm_of_one_outbox_from_several_tablets_records_each_once(open_event, hr_a):
    people = [row.employee for row in open_event.expected.select_related("employee")]
    tokens = [pair(open_event, hr_a, f"Tablet {n}")[1] for n in range(3)]
    outbox = [submission(open_event, person, submission_id=str(uuid.uuid4()))
              for person in people]
    # Every tablet sends the whole outbox, twice, all at the same time.
    jobs = [(token, body) for token in tokens for body in outbox for _ in range(2)]
    responses = _post_all(jobs)
    assert all(r is not None for r in responses)
    assert {r.status_code for r in responses} <= {200, 201}
    assert sum(r.status_code == 201 for r in responses) == len(outbox)
    assert Signature.objects.filter(event=open_event).count() == len(outbox)
    assert {str(s) for s in Signature.objects.values_list("submission_id", flat=True)} == {
        body["submission_id"] for body in outbox
    }
    assert AuditEntry.objects.filter(action="signing.signature.recorded").count() == len(outbox)


@pytest.mark.django_db(transaction=True)
def test_one_uuid_raced_for_two_people_records_one_and_refuses_the_other(open_event, hr_a):
    first, second = [row.employee for row in open_event.expected.select_related("employee")][:2]
    _device, token = pair(open_event, hr_a)
    shared = str(uuid.uuid4())
    responses = _post_all([
        (token, submission(open_event, first, submission_id=shared)),
        (token, submission(open_event, second, submission_id=shared)),
    ])
    assert sorted(r.status_code for r in responses) == [201, 422]
    refused = next(r for r in responses if r.status_code == 422)
    assert refused.json()["code"] == "submission.conflict"
    assert Signature.objects.filter(submission_id=shared).count() == 1

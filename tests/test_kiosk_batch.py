"""The outbox flush in one request: `POST /api/kios/v1/signatures/batch` (`kiosk:api:submit_batch`).

Each item must be answered exactly as `/signatures` would answer it alone, in its own
transaction; only the batch's size and the tablet's credentials refuse the whole request.
"""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse

from signings.api.schemas import BATCH_MAX_BYTES, BATCH_MAX_ITEMS
from signings.models import AuditEntry, Signature
from signings.services import events, kiosk
from signings.services.context import AuditContext
from tests import factories
from tests.kiosk_support import auth, blank_png, data_url, pair, submission, submit


@pytest.fixture
def people(open_event, unit_a, hr_a):
    """Six people expected at the event."""
    extra = [factories.employee(unit_a) for _ in range(3)]
    events.set_expected(event=open_event, add=extra, context=AuditContext.for_user(hr_a))
    people = [row.employee for row in
              open_event.expected.select_related("employee__agency").order_by("employee_id")]
    assert len(people) >= 6
    return people


def send_batch(client, token: str, items: list | str, **extra):
    body = items if isinstance(items, str) else json.dumps({"items": items})
    return client.post(reverse("kiosk:api:submit_batch"), body,
                       content_type="application/json", headers=auth(token), **extra)


def recorded_entries() -> int:
    return AuditEntry.objects.filter(action="signing.signature.recorded").count()


def outcome(result: dict) -> tuple[int, str]:
    body = result["body"]
    return result["http_status"], body.get("status") or body["code"]


def test_mixed_outcomes_are_answered_per_item_as_each_would_be_alone(
    client, open_event, tablet, people, hr_a, agency_b
):
    _device, token = tablet
    _other, other_token = pair(open_event, hr_a, "Tablet Barat")
    already_sent = submission(open_event, people[0])
    assert submit(client, token, already_sent).status_code == 201
    assert submit(client, other_token, submission(open_event, people[1])).status_code == 201
    items = [
        submission(open_event, people[2]),  # new
        already_sent,  # a resend: the answer was lost on the way back
        submission(open_event, people[1]),  # signed on the other tablet meanwhile
        submission(open_event, people[3], image=data_url(blank_png())),
        submission(open_event, factories.employee(agency_b)),  # not expected here
        submission(open_event, people[4], agreed=False),
        submission(open_event, people[5]),  # new, after the refusals
    ]

    response = send_batch(client, token, items)

    assert response.status_code == 200
    results = response.json()["results"]
    assert [outcome(r) for r in results] == [
        (201, "recorded"),
        (200, "duplicate"),
        (409, "signature.already_signed"),
        (422, "image.blank"),
        (422, "employee.not_expected"),
        (422, "agreement.missing"),
        (201, "recorded"),
    ]
    assert [r["submission_id"] for r in results] == [i["submission_id"] for i in items]
    # Exactly one standing signature per person, and only for those accepted.
    signed = sorted(Signature.objects.values_list("employee_id", flat=True))
    assert signed == sorted([people[0].pk, people[1].pk, people[2].pk, people[5].pk])
    assert recorded_entries() == 4  # two before, one per new signature of the batch
    # The same JSON the single endpoint gives for the same item.
    assert submit(client, token, already_sent).json() == results[1]["body"]
    alone = submit(client, token, items[2])
    assert (alone.status_code, alone.json()) == (409, results[2]["body"])
    assert "Tablet Barat" in results[2]["body"]["message"]
    assert results[3]["body"]["message"]


def test_resending_a_whole_batch_records_nothing_twice(client, open_event, tablet, people):
    _device, token = tablet
    items = [submission(open_event, person) for person in people[:3]]
    first = send_batch(client, token, items).json()["results"]
    again = send_batch(client, token, items).json()["results"]
    assert [outcome(r) for r in first] == [(201, "recorded")] * 3
    assert [outcome(r) for r in again] == [(200, "duplicate")] * 3
    assert [r["body"]["verification_code"] for r in again] == \
        [r["body"]["verification_code"] for r in first]
    assert Signature.objects.count() == 3 and recorded_entries() == 3


def test_the_same_submission_twice_in_one_batch_is_recorded_once(
    client, open_event, tablet, people
):
    _device, token = tablet
    item = submission(open_event, people[0])
    conflicting = {**item, "employee_id": people[1].pk}
    results = send_batch(client, token, [item, item, conflicting]).json()["results"]
    assert [outcome(r) for r in results] == [
        (201, "recorded"), (200, "duplicate"), (422, "submission.conflict")]
    assert Signature.objects.count() == 1 and recorded_entries() == 1


def test_a_malformed_item_is_refused_alone(client, open_event, tablet, people):
    _device, token = tablet
    good = submission(open_event, people[0])
    bad_id = submission(open_event, people[1], submission_id="not-a-uuid")
    naive = submission(open_event, people[2], client_signed_at="2024-01-17T08:30:00")
    results = send_batch(client, token, [bad_id, 7, good, naive]).json()["results"]
    assert [outcome(r) for r in results] == [
        (422, "request.invalid"), (422, "request.invalid"), (201, "recorded"),
        (422, "request.naive_time")]
    assert results[0]["submission_id"] is None and results[1]["submission_id"] is None
    assert results[0]["body"]["detail"]["errors"][0]["loc"] == ["submission_id"]
    # The refusal does not echo the item back (an image can be a megabyte).
    assert "input" not in results[0]["body"]["detail"]["errors"][0]
    assert list(Signature.objects.values_list("employee_id", flat=True)) == [people[0].pk]


def test_a_hidden_character_is_refused_in_its_item_only(client, open_event, tablet, people):
    _device, token = tablet
    hidden = submission(open_event, people[0], template_hash="abc\u202e")
    good = submission(open_event, people[1])
    results = send_batch(client, token, [hidden, good]).json()["results"]
    assert [outcome(r) for r in results] == [
        (422, "text.forbidden_character"), (201, "recorded")]
    assert "template_hash" in results[0]["body"]["message"]
    alone = submit(client, token, hidden)
    assert (alone.status_code, alone.json()["code"]) == (422, "text.forbidden_character")
    assert list(Signature.objects.values_list("employee_id", flat=True)) == [people[1].pk]


def test_a_number_json_cannot_hold_refuses_the_whole_batch(client, open_event, tablet, people):
    _device, token = tablet
    body = json.dumps({"items": [submission(open_event, people[0])]})
    body = body.replace('"agreed": true', '"agreed": true, "identity_wrong_attempts": NaN')
    response = send_batch(client, token, body)
    assert (response.status_code, response.json()["code"]) == (422, "request.bad_number")
    assert Signature.objects.count() == 0


def test_more_items_than_the_limit_are_refused_as_a_whole(client, open_event, tablet, people):
    _device, token = tablet
    items = [submission(open_event, people[i % len(people)]) for i in range(BATCH_MAX_ITEMS + 1)]
    response = send_batch(client, token, items)
    assert response.status_code == 413
    data = response.json()
    assert data["code"] == "batch.too_many"
    assert data["detail"]["max_items"] == BATCH_MAX_ITEMS
    assert str(BATCH_MAX_ITEMS) in data["message"]
    assert Signature.objects.count() == 0 and recorded_entries() == 0


def test_body_over_the_batch_limit_is_a_json_413_before_parsing(client, open_event, tablet,
                                                                people):
    _device, token = tablet
    huge = "data:image/png;base64," + "A" * (BATCH_MAX_BYTES // 2)
    items = [submission(open_event, person, image=huge) for person in people[:3]]
    response = send_batch(client, token, items)
    assert response.status_code == 413
    assert response.json()["code"] == "request.too_large"
    assert response.json()["detail"] == {"max_bytes": BATCH_MAX_BYTES}
    assert Signature.objects.count() == 0


@pytest.mark.parametrize("body", ['{"items": []}', '{"items": {}}', "[]", "not json"])
def test_an_empty_or_unreadable_batch_is_refused(client, tablet, body):
    _device, token = tablet
    response = send_batch(client, token, body)
    assert response.status_code in {400, 422}
    assert response.json()["code"] == "request.invalid"


@pytest.mark.parametrize("headers", [
    {"Authorization": "Device not-a-real-token"},
    {"Authorization": "Bearer something"},
    {},
])
def test_unknown_or_missing_token_is_401(client, open_event, people, headers):
    response = client.post(reverse("kiosk:api:submit_batch"),
                           json.dumps({"items": [submission(open_event, people[0])]}),
                           content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "device.unknown"
    assert Signature.objects.count() == 0


def test_another_events_tablet_cannot_sign_for_this_event(
    client, open_event, people, agency_b, hr_b
):
    other_event = factories.event(agency_b, officer=hr_b,
                                  expected=[factories.employee(agency_b)])
    _device, other_token = pair(other_event, hr_b, "Tablet Instansi B")
    results = send_batch(client, other_token,
                         [submission(open_event, people[0]),
                          submission(other_event, people[1])]).json()["results"]
    assert [outcome(r) for r in results] == [
        (422, "employee.not_expected"), (422, "employee.not_expected")]
    assert Signature.objects.count() == 0


def test_a_revoked_tablets_batch_is_403(client, open_event, tablet, people, hr_a):
    device, token = tablet
    items = [submission(open_event, person) for person in people[:2]]
    kiosk.revoke_device(device=device, context=AuditContext.for_user(hr_a))
    response = send_batch(client, token, items)
    assert response.status_code == 403
    assert response.json()["code"] == "device.revoked"
    assert Signature.objects.count() == 0 and recorded_entries() == 0


def test_a_closed_event_refuses_every_item(client, open_event, tablet, people, hr_a):
    _device, token = tablet
    events.close_event(event=open_event, context=AuditContext.for_user(hr_a))
    results = send_batch(client, token, [submission(open_event, p) for p in people[:2]])
    assert [outcome(r) for r in results.json()["results"]] == [(409, "event.not_open")] * 2
    assert Signature.objects.count() == 0


def test_the_device_is_checked_once_and_each_item_costs_a_bounded_number_of_queries(
    client, open_event, tablet, people, unit_a, hr_a, django_assert_max_num_queries
):
    _device, token = tablet
    crowd = [factories.employee(unit_a) for _ in range(8)]
    events.set_expected(event=open_event, add=crowd, context=AuditContext.for_user(hr_a))
    # Warm up what is loaded once per process (content types, the template version).
    assert submit(client, token, submission(open_event, people[0])).status_code == 201
    # Once a request: the device (and its touch, when due). Each item: its signer and its
    # transaction (10 statements today, as /signatures without the device).
    once, per_item = 2, 10
    for group in (crowd[:1], crowd[1:]):
        with django_assert_max_num_queries(once + per_item * len(group)):
            results = send_batch(client, token,
                                 [submission(open_event, p) for p in group]).json()["results"]
        assert [r["http_status"] for r in results] == [201] * len(group)
    assert Signature.objects.count() == 9


def test_openapi_schema_documents_the_batch(client):
    schema = client.get(reverse("kiosk:api:openapi-json")).json()
    operation = schema["paths"]["/api/kios/v1/signatures/batch"]["post"]
    assert {"200", "401", "403", "413"} <= set(operation["responses"])
    assert "SubmissionIn" in json.dumps(schema["components"]["schemas"]["BatchIn"])


def test_the_kiosk_app_is_told_the_batch_limits(client):
    page = client.get(reverse("kiosk:app"))
    config = page.context["config"]
    assert config["batch"] == {"url": reverse("kiosk:api:submit_batch"),
                               "maxItems": BATCH_MAX_ITEMS, "maxBytes": BATCH_MAX_BYTES}


def test_the_tablets_clock_is_measured_against_the_batchs_arrival(
    client, open_event, tablet, people, monkeypatch
):
    """Items wait for the ones before them; that wait must not read as clock skew."""
    from django.utils import timezone as real_timezone

    from signings.api import kiosk as kiosk_api
    from signings.services import signatures

    _device, token = tablet
    clock = {"now": real_timezone.now()}

    class Timezone:
        def __getattr__(self, name):
            return getattr(real_timezone, name)

        def now(self):
            return clock["now"]

    for module in (kiosk_api, signatures, kiosk):
        monkeypatch.setattr(module, "timezone", Timezone())
    record = signatures.record_signature

    def slow_record(**kwargs):
        result = record(**kwargs)
        clock["now"] += datetime.timedelta(seconds=200)  # each item "takes" 200 s
        return result

    monkeypatch.setattr(signatures, "record_signature", slow_record)
    sent = clock["now"].isoformat()
    items = [submission(open_event, p, client_signed_at=sent, client_sent_at=sent)
             for p in people[:3]]
    results = send_batch(client, token, items).json()["results"]
    assert [r["http_status"] for r in results] == [201] * 3
    offsets = list(Signature.objects.order_by("pk").values_list("clock_offset_seconds",
                                                               "clock_suspect"))
    assert offsets == [(0, False)] * 3

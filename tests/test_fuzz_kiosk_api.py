"""Fuzzing the kiosk API as a paired tablet: no 5xx, answers as the OpenAPI schema says, every
refusal in the JSON error shape with a documented code, and a refusal writes nothing.

Two targets: Schemathesis over the published schema (every operation, valid and invalid
bodies), and Hypothesis around a valid request to each POST endpoint with a few fields (and
the X-Kiosk-* headers) swapped for odd values: impossible or far-away times, NaN and 1e999
in the strokes, control characters, huge numbers. An accepted request stores no hidden
character, and the event stays readable: the tablet's status, the live view, the event and
auditor pages, the pact's public page.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from signings.models import Role
from tests import factories
from tests.fuzz import (
    InProcessApp,
    Raw,
    changed,
    database_state,
    date_text,
    datetime_text,
    fuzz_settings,
    hidden_characters_stored,
    import_schemathesis,
    module_data,
    mutated,
    nasty_text,
    number_text,
    other_regency,
    raw_number,
    regency,
    rolled_back,
    to_json,
)
from tests.kiosk_support import auth, data_url, pair, submission

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]
schemathesis = import_schemathesis()

DOCUMENTED_CODES = set(re.findall(r"`([a-z0-9_]+\.[a-z0-9_.]+)`",
                                  (Path(__file__).parents[1] / "docs" / "signing.md").read_text()))
# The tablet's device row notes every contact (last seen, outbox size, clock offset): a
# refused request may touch it, and nothing else.
TOUCHED_BY_EVERY_REQUEST = ("signings_kioskdevice",)


def assert_error_shape(status: int, body: bytes) -> None:
    data = json.loads(body)
    assert set(data) == {"code", "message", "detail"}, data
    assert isinstance(data["code"], str) and isinstance(data["message"], str), data
    assert data["message"].strip(), data
    assert data["detail"] is None or isinstance(data["detail"], dict), data
    assert data["code"] in DOCUMENTED_CODES, f"{status} {data['code']} not in docs/signing.md"


def build_world() -> SimpleNamespace:
    """An open event with three people expected and a paired tablet; someone of another
    agency exists too."""
    agency = regency("KF", "Kios")
    other = other_regency("KX")
    officer = factories.user("fuzz_kiosk", role=Role.HR_OFFICER, agency=agency)
    auditor = factories.user("fuzz_kiosk_audit", role=Role.AUDITOR, agency=agency)
    people = [factories.employee(agency) for _ in range(3)]
    stranger = factories.employee(other)
    event = factories.event(agency, officer=officer)
    _device, token = pair(event, officer)
    return SimpleNamespace(event=event, people=people, stranger=stranger, officer=officer,
                           auditor=auditor, token=token)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("fuzz-kiosk-media")
    yield from module_data(django_db_blocker, build_world, MEDIA_ROOT=media)


# --- Schemathesis over the OpenAPI schema ----------------------------------------------------


OPERATIONS = {
    # operation: examples per run (a GET without parameters has one distinct request)
    "POST /api/kios/v1/pair": 25,
    "GET /api/kios/v1/roster": 5,
    "GET /api/kios/v1/status": 5,
    "POST /api/kios/v1/identity": 30,
    "POST /api/kios/v1/identity-attempts": 30,
    "POST /api/kios/v1/signatures": 40,
    "POST /api/kios/v1/signatures/batch": 30,
}


def load_schema(client):
    schema = schemathesis.openapi.from_dict(client.get(reverse("kiosk:api:openapi-json")).json())
    # The token is ours to send (or not, see `signed_in`): Schemathesis would otherwise spend
    # most negative cases on leaving out the Authorization header.
    schema.config.generation.update(with_security_parameters=False)
    return schema


def test_every_operation_of_the_schema_is_fuzzed(client, world):
    schema = load_schema(client)
    labels = {result.ok().label for result in schema.get_all_operations()}
    assert labels == set(OPERATIONS)


@pytest.mark.parametrize("label", OPERATIONS)
def test_schema_fuzz_answers_without_5xx_and_as_documented(client, world, label):
    token = world.token
    method, path = label.split(" ")
    operation = load_schema(client)[path][method]
    app = InProcessApp()
    cases = st.one_of(operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                      operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

    @fuzz_settings(OPERATIONS[label])
    @given(case=cases, signed_in=st.sampled_from([True, True, True, False]))
    def run(case, signed_in):
        with rolled_back():
            before = database_state(exclude=TOUCHED_BY_EVERY_REQUEST)
            # A fresh dict each time: Schemathesis takes the token out of the one it is given.
            headers = {**(auth(token) if signed_in else {}), "Accept-Encoding": "identity"}
            response = case.call(base_url="http://testserver", app=app, headers=headers)
            assert response.status_code < 500, response.content[:2000]
            case.validate_response(response, checks=[
                status_code_conformance, content_type_conformance, response_schema_conformance,
            ])
            if response.status_code >= 400:
                assert_error_shape(response.status_code, response.content)
                assert changed(before, database_state(exclude=TOUCHED_BY_EVERY_REQUEST)) == []

    run()


# --- Hypothesis around valid requests --------------------------------------------------------

point = st.one_of(
    st.tuples(st.floats(0, 600), st.floats(0, 200), st.floats(0, 5000)).map(list),
    st.lists(st.one_of(st.floats(allow_nan=False, allow_infinity=False), raw_number,
                       st.integers(-(10**30), 10**30), st.none(), st.text(max_size=3)),
             max_size=4),
)
strokes = st.one_of(
    st.lists(st.lists(point, max_size=6), max_size=4),
    st.sampled_from([[[[Raw("NaN"), 1, 2]]], [[[Raw("Infinity"), 1, 2]]], [[[1, Raw("1e999"), 2]]],
                     [[[1, 2, Raw("-1e999")]]], "", {}, [[]], [[[]]]]),
)
json_value = st.one_of(st.none(), st.booleans(), nasty_text, raw_number,
                       st.integers(min_value=-(2**70), max_value=2**70),
                       st.floats(allow_nan=False), number_text)
odd_datetime = st.one_of(datetime_text, json_value)
odd_date = st.one_of(date_text, json_value)
odd_image = st.one_of(
    json_value,
    st.sampled_from(["data:image/png;base64,", "data:image/png;base64,!!!!",
                     "data:image/png;base64," + "A" * 10_000, "data:text/html,<b>x</b>",
                     "data:image/png;base64,iVBORw0KGgo=", data_url(b"\x89PNG\r\n\x1a\n" * 3)]),
    st.binary(max_size=200).map(data_url),
)
odd_headers = st.fixed_dictionaries({}, optional={
    "X-Kiosk-Clock": datetime_text,
    "X-Kiosk-Pending": st.one_of(number_text, nasty_text),
})


def _header_safe(headers: dict) -> dict:
    # A header value is sent as Latin-1 on the wire; anything else never reaches Django.
    return {k: v for k, v in headers.items()
            if v.isprintable() and all(ord(c) < 256 for c in v)}


def endpoint_bodies(event, people, stranger):
    """Per POST endpoint: a valid body and the odd values to swap in."""
    person = people[0]
    ids = st.one_of(st.sampled_from([p.pk for p in people] + [stranger.pk]), json_value,
                    st.integers(min_value=-(2**64), max_value=2**64))
    uuids = st.one_of(st.uuids().map(str), json_value, st.just(str(uuid.uuid4()).upper()))
    sign_body = submission(event, person)
    return {
        "kiosk:api:submit": (sign_body, {
            "submission_id": uuids, "employee_id": ids, "image": odd_image, "strokes": strokes,
            "template_hash": json_value, "client_signed_at": odd_datetime,
            "client_sent_at": odd_datetime, "birth_date": odd_date, "agreed": json_value,
            "consent_hash": st.one_of(json_value, st.just("a" * 64), st.just("G" * 64)),
            "consent_at": odd_datetime,
            "identity_method": st.one_of(json_value, st.sampled_from(
                ["birth_date_offline", "birth_date_online"])),
            "identity_wrong_attempts": json_value,
        }),
        "kiosk:api:identity": ({"employee_id": person.pk, "birth_date": "1980-01-01"},
                               {"employee_id": ids, "birth_date": odd_date}),
        "kiosk:api:identity_attempts": (
            {"attempt_id": str(uuid.uuid4()), "employee_id": person.pk, "wrong": 1,
             "client_at": sign_body["client_signed_at"]},
            {"attempt_id": uuids, "employee_id": ids, "wrong": json_value,
             "client_at": odd_datetime}),
    }


def assert_event_still_readable(client, staff, event, token, response) -> None:
    """What one bad row breaks for everyone: the tablets' status, the officer's and the
    auditor's pages, and the public page of the pact just recorded."""
    status = client.get(reverse("kiosk:api:status"), headers=auth(token))
    assert status.status_code == 200, status.content[:500]
    for name in ("hr:event_live", "hr:event_detail", "hr:event_live_panel"):
        assert staff.officer.get(reverse(name, args=[event.pk])).status_code == 200, name
    assert staff.auditor.get(reverse("audit:event_detail", args=[event.pk])).status_code == 200
    code = response.json().get("verification_code")
    if code:
        assert client.get(reverse("verify:signature", args=[code])).status_code == 200


def known_cases(body: dict) -> list[tuple[tuple[str, dict], dict]]:
    """Issue 11's findings, always tried: times Python or PostgreSQL cannot hold (stored, they
    break the event's pages), numbers JSON has no place for, an impossible tablet clock."""
    submit = "kiosk:api:submit"
    return [
        ((submit, {**body, "client_signed_at": "9999-12-31T23:59:59-14:00"}), {}),
        ((submit, {**body, "client_signed_at": "0001-01-01T00:00+14:00"}), {}),
        ((submit, {**body, "client_sent_at": "1900-01-01T00:00:00+07:00"}), {}),
        ((submit, {**body, "strokes": [[[Raw("NaN"), 1, 2]]]}), {}),
        ((submit, {**body, "strokes": [[[Raw("Infinity"), 1, 2]]]}), {}),
        ((submit, {**body, "strokes": [[[1, Raw("1e999"), 2]]]}), {}),
        ((submit, body), {"X-Kiosk-Clock": "2024-02-30T10:00:00+07:00"}),
        ((submit, body), {"X-Kiosk-Clock": "1900-01-01T00:00:00+07:00"}),
    ]


def test_odd_values_in_valid_requests_give_a_coded_refusal_or_a_readable_record(
        client, world):
    event, token = world.event, world.token
    bodies = endpoint_bodies(event, world.people, world.stranger)
    staff = SimpleNamespace(officer=Client(), auditor=Client())
    staff.officer.force_login(world.officer)
    staff.auditor.force_login(world.auditor)
    requests = st.sampled_from(sorted(bodies)).flatmap(
        lambda name: st.tuples(st.just(name), mutated(bodies[name][0], bodies[name][1])))

    @fuzz_settings(150)
    @given(request=requests, headers=odd_headers)
    def run(request, headers):
        name, body = request
        with rolled_back():
            before = database_state(exclude=TOUCHED_BY_EVERY_REQUEST)
            response = client.post(reverse(name), to_json(body), content_type="application/json",
                                   headers={**auth(token), **_header_safe(headers)})
            assert response.status_code < 500
            if response.status_code >= 400:
                assert_error_shape(response.status_code, response.content)
                assert changed(before, database_state(exclude=TOUCHED_BY_EVERY_REQUEST)) == []
            else:
                assert hidden_characters_stored() == []
                assert_event_still_readable(client, staff, event, token, response)

    for request, headers in known_cases(bodies["kiosk:api:submit"][0]):
        run = example(request=request, headers=headers)(run)
    run()


def test_a_batch_item_is_answered_as_the_same_request_alone(client, world):
    """The batch's promise, for odd values too: one item in /signatures/batch gets the status
    and code /signatures gives the same body, and a whole-batch refusal is the same refusal."""
    event, token = world.event, world.token
    body, odd = endpoint_bodies(event, world.people, world.stranger)["kiosk:api:submit"]

    def answer(name: str, payload: str) -> tuple[int, str | None]:
        with rolled_back():
            response = client.post(reverse(name), payload, content_type="application/json",
                                   headers=auth(token))
        assert response.status_code < 500, response.content[:2000]
        data = response.json()
        if name == "kiosk:api:submit_batch" and response.status_code == 200:
            (result,) = data["results"]
            data, status = result["body"], result["http_status"]
        else:
            status = response.status_code
        return status, data.get("code") or data.get("status")

    @fuzz_settings(60)
    @given(item=mutated(body, odd))
    def run(item):
        alone = answer("kiosk:api:submit", to_json(item))
        batched = answer("kiosk:api:submit_batch", '{"items": [' + to_json(item) + "]}")
        assert batched == alone

    for case in known_cases(body):
        run = example(item=case[0][1])(run)
    run()

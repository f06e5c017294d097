"""The kiosk JSON API: pairing, roster, status, and every rule of the submit endpoint."""

from __future__ import annotations

import datetime
import hashlib
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from signings.models import (
    AuditEntry,
    KioskDevice,
    Signature,
    SignatureMethod,
)
from signings.services import events, identity_checks, kiosk
from signings.services.context import AuditContext
from tests import factories
from tests.kiosk_support import (
    animated_png,
    auth,
    blank_png,
    bomb_png,
    data_url,
    dot_png,
    jpeg_bytes,
    minutes_ago,
    pair,
    png_with_text_chunk,
    submission,
    submit,
)


def recorded_entries() -> int:
    return AuditEntry.objects.filter(action="signing.signature.recorded").count()


# --- pairing ---------------------------------------------------------------------------------


def test_pairing_code_gives_a_token_stored_only_as_its_hash(client, open_event, hr_a):
    pairing = kiosk.add_device(
        event=open_event,
        name="Tablet A",
        context=AuditContext.for_user(hr_a),
    )
    response = client.post(reverse("kiosk:api:pair"),
                           {"code": pairing.display.lower()}, content_type="application/json")
    assert response.status_code == 200
    data = response.json()
    device = KioskDevice.objects.get(pk=data["device"]["id"])
    assert device.token_hash == hashlib.sha256(data["token"].encode()).hexdigest()
    assert data["token"] not in json.dumps(list(KioskDevice.objects.values()), default=str)
    assert device.paired_at is not None and device.pairing_code_hash == ""
    assert data["event"]["template"]["hash"] == open_event.template_version.content_hash


def test_pairing_code_works_only_once(client, open_event, hr_a):
    code = kiosk.add_device(
        event=open_event,
        name="Tablet A",
        context=AuditContext.for_user(hr_a),
    ).code
    url = reverse("kiosk:api:pair")
    assert client.post(url, {"code": code}, content_type="application/json").status_code == 200
    second = client.post(url, {"code": code}, content_type="application/json")
    assert second.status_code == 400
    assert second.json()["code"] == "pairing.invalid"


def test_expired_pairing_code_is_refused(client, open_event, hr_a):
    pairing = kiosk.add_device(
        event=open_event,
        name="Tablet A",
        context=AuditContext.for_user(hr_a),
    )
    KioskDevice.objects.filter(pk=pairing.device.pk).update(
        pairing_expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.post(reverse("kiosk:api:pair"), {"code": pairing.code},
                           content_type="application/json")
    assert response.status_code == 400
    assert KioskDevice.objects.get(pk=pairing.device.pk).token_hash is None


def test_revoked_device_cannot_pair_with_its_code(client, open_event, hr_a):
    pairing = kiosk.add_device(
        event=open_event,
        name="Tablet A",
        context=AuditContext.for_user(hr_a),
    )
    kiosk.revoke_device(device=pairing.device, context=AuditContext.for_user(hr_a))
    response = client.post(reverse("kiosk:api:pair"), {"code": pairing.code},
                           content_type="application/json")
    assert response.status_code == 400


# --- roster and status -----------------------------------------------------------------------


def test_roster_never_carries_full_numbers_or_birth_dates(client, open_event, tablet, people):
    _device, token = tablet
    response = client.get(reverse("kiosk:api:roster"), headers=auth(token))
    assert response.status_code == 200
    text = response.content.decode()
    data = response.json()
    assert len(data["employees"]) == len(people)
    for person in people:
        assert person.nip not in text
        assert person.birth_date.isoformat() not in text
    entry = next(e for e in data["employees"] if e["id"] == people[0].pk)
    assert entry["masked"] == "*" * 14 + people[0].nip[-4:]
    assert entry["birth_verifier"] == identity_checks.birth_verifier(
        entry["birth_salt"], people[0].birth_date, params=data["kdf"])


def test_roster_queries_stay_constant_as_the_roster_grows(
    client, open_event, tablet, unit_a, hr_a, django_assert_max_num_queries
):
    _device, token = tablet
    with django_assert_max_num_queries(12):
        small = client.get(reverse("kiosk:api:roster"), headers=auth(token))
    extra = [factories.employee(unit_a) for _ in range(40)]
    events.set_expected(event=open_event, add=extra, context=AuditContext.for_user(hr_a))
    with django_assert_max_num_queries(12):
        large = client.get(reverse("kiosk:api:roster"), headers=auth(token))
    assert len(large.json()["employees"]) == len(small.json()["employees"]) + 40


def test_status_lists_who_signed_where(client, open_event, tablet, people):
    device, token = tablet
    assert submit(client, token, submission(open_event, people[0])).status_code == 201
    response = client.get(reverse("kiosk:api:status"), headers=auth(token))
    data = response.json()
    assert data["event_status"] == "open"
    assert [(s["employee_id"], s["where"]) for s in data["signed"]] == [(people[0].pk, device.name)]


def test_tablet_reports_pending_count_and_clock(client, tablet):
    device, token = tablet
    ahead = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    client.get(reverse("kiosk:api:status"),
               headers={**auth(token), "X-Kiosk-Pending": "7", "X-Kiosk-Clock": ahead})
    device.refresh_from_db()
    assert device.reported_pending == 7
    assert 3590 <= device.clock_offset_seconds <= 3600


def status_updates(client, token, **headers) -> int:
    """UPDATEs of the tablet row a status request makes."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("kiosk:api:status"),
                          headers={**auth(token), **headers}).status_code == 200
    return sum(q["sql"].startswith('UPDATE "signings_kioskdevice"')
               for q in queries.captured_queries)


def seen_long_ago(device):
    KioskDevice.objects.filter(pk=device.pk).update(
        last_seen_at=timezone.now() - kiosk.LAST_SEEN_RESOLUTION - datetime.timedelta(seconds=1))


@pytest.mark.parametrize(("employee_id", "code"), [
    (0, "employee.not_expected"), (-1, "employee.not_expected"),
    # Past a 64-bit integer the JSON parser refuses the number itself (signings/api/parser.py).
    (2**63, "request.bad_number"), (2**80, "request.bad_number")])
def test_an_unknown_employee_id_is_not_expected(client, open_event, tablet, people, employee_id,
                                                code):
    _device, token = tablet
    response = submit(client, token, submission(open_event, people[0], employee_id=employee_id))
    assert (response.status_code, response.json()["code"]) == (422, code)
    assert Signature.objects.count() == 0


def test_last_seen_is_written_at_most_every_few_seconds(client, tablet):
    device, token = tablet  # just paired: seen now
    assert status_updates(client, token) == 0
    seen_long_ago(device)
    assert status_updates(client, token) == 1
    assert status_updates(client, token) == 0
    device.refresh_from_db()
    assert timezone.now() - device.last_seen_at < kiosk.LAST_SEEN_RESOLUTION


def test_sending_one_at_a_time_waits_for_the_regular_write(client, tablet):
    device, token = tablet
    # Submitting reports the item in flight (1), the next poll an empty outbox (0).
    assert status_updates(client, token, **{"X-Kiosk-Pending": "1"}) == 0
    assert status_updates(client, token, **{"X-Kiosk-Pending": "0"}) == 0
    seen_long_ago(device)
    assert status_updates(client, token, **{"X-Kiosk-Pending": "1"}) == 1
    device.refresh_from_db()
    assert device.reported_pending == 1


def test_a_growing_outbox_is_written_at_once(client, tablet):
    device, token = tablet
    assert status_updates(client, token, **{"X-Kiosk-Pending": "3"}) == 1
    device.refresh_from_db()
    assert device.reported_pending == 3
    # Draining it waits for the regular write.
    assert status_updates(client, token, **{"X-Kiosk-Pending": "2"}) == 0


def test_concurrent_requests_of_one_tablet_write_last_seen_once(tablet):
    device, _token = tablet
    seen_long_ago(device)
    # Two workers authenticated the same tablet before either wrote.
    first, second = (KioskDevice.objects.get(pk=device.pk) for _ in range(2))
    kiosk.touch(first)
    kiosk.touch(second)
    assert first.last_seen_at != second.last_seen_at  # the second UPDATE matched no row
    assert KioskDevice.objects.get(pk=device.pk).last_seen_at == first.last_seen_at


def test_a_submission_makes_at_most_eleven_statements(client, open_event, tablet, people,
                                                     django_assert_max_num_queries):
    """Device, employee, BEGIN, locks, standing, signature, task row, chain lock, chain head,
    audit entry, COMMIT (bench/kiosk_profile.py lists them; in the test's own transaction
    BEGIN and COMMIT are a savepoint and its release)."""
    _device, token = tablet
    submit(client, token, submission(open_event, people[0]))
    with django_assert_max_num_queries(11):
        assert submit(client, token, submission(open_event, people[1])).status_code == 201


def test_openapi_schema_documents_the_kiosk_api(client):
    response = client.get(reverse("kiosk:api:openapi-json"))
    assert response.status_code == 200
    schema = response.json()
    assert {"/api/kios/v1/pair", "/api/kios/v1/roster", "/api/kios/v1/status",
            "/api/kios/v1/signatures"} <= set(schema["paths"])
    assert "DeviceAuth" in schema["components"]["securitySchemes"]
    assert "409" in schema["paths"]["/api/kios/v1/signatures"]["post"]["responses"]


@pytest.mark.parametrize("name", ["kiosk:api:pair", "kiosk:api:identity",
                                  "kiosk:api:identity_attempts", "kiosk:api:submit"])
def test_refusals_before_the_endpoint_runs_are_in_the_schema(client, tablet, name):
    """A body that is not JSON (400) or not the schema (422) is refused by the API itself on
    every endpoint with a body; the schema says so, so generated clients expect it."""
    _device, token = tablet
    schema = client.get(reverse("kiosk:api:openapi-json")).json()
    path = reverse(name)
    documented = schema["paths"][path]["post"]["responses"]
    assert {"400", "413", "422"} <= set(documented)
    for body, status in (("\x00", 400), ("{}", 422)):
        response = client.post(path, body, content_type="application/json",
                               headers=auth(token))
        assert response.status_code == status
        assert response.json()["code"] == "request.invalid"


# --- submitting ------------------------------------------------------------------------------


def test_submission_records_a_tablet_signature(client, open_event, tablet, people):
    device, token = tablet
    body = submission(open_event, people[0], client_signed_at=minutes_ago(2).isoformat())
    response = submit(client, token, body)
    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "recorded"
    signature = Signature.objects.get()
    assert str(signature.submission_id) == body["submission_id"]
    assert signature.method == SignatureMethod.TABLET
    assert signature.device == device
    assert signature.received_at is not None and signature.client_signed_at is not None
    assert signature.payload_hash
    assert signature.verification_code == data["verification_code"]
    assert recorded_entries() == 1


def test_stored_image_is_re_encoded_without_smuggled_bytes(client, open_event, tablet, people):
    _device, token = tablet
    body = submission(open_event, people[0], image=data_url(png_with_text_chunk()))
    assert submit(client, token, body).status_code == 201
    stored = Signature.objects.get().image.read()
    assert stored.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"smuggled" not in stored and b"TRAILING" not in stored


def test_same_uuid_and_payload_returns_the_original(client, open_event, tablet, people):
    _device, token = tablet
    body = submission(open_event, people[0])
    first = submit(client, token, body)
    again = submit(client, token, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["status"] == "duplicate"
    assert again.json()["verification_code"] == first.json()["verification_code"]
    assert Signature.objects.count() == 1 and recorded_entries() == 1


def test_same_uuid_with_another_payload_is_refused(client, open_event, tablet, people):
    _device, token = tablet
    body = submission(open_event, people[0])
    assert submit(client, token, body).status_code == 201
    other = {**body, "employee_id": people[1].pk}
    response = submit(client, token, other)
    assert response.status_code == 422
    assert response.json()["code"] == "submission.conflict"
    assert Signature.objects.count() == 1


def test_already_signed_on_another_tablet_is_409_with_when_and_where(
    client, open_event, hr_a, people
):
    _first, token_1 = pair(open_event, hr_a, "Tablet Timur")
    _second, token_2 = pair(open_event, hr_a, "Tablet Barat")
    assert submit(client, token_1, submission(open_event, people[0])).status_code == 201
    response = submit(client, token_2, submission(open_event, people[0]))
    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "signature.already_signed"
    assert data["detail"]["where"] == "Tablet Timur"
    signed_at = datetime.datetime.fromisoformat(data["detail"]["signed_at"])
    assert signed_at == Signature.objects.get().signed_at
    assert "Tablet Timur" in data["message"]
    assert Signature.objects.count() == 1


def test_closed_event_refuses_with_a_clear_message(client, open_event, tablet, people, hr_a):
    _device, token = tablet
    events.close_event(event=open_event, context=AuditContext.for_user(hr_a))
    response = submit(client, token, submission(open_event, people[0]))
    assert response.status_code == 409
    assert response.json()["code"] == "event.not_open"
    assert "tidak sedang dibuka" in response.json()["message"]
    assert Signature.objects.count() == 0 and recorded_entries() == 0


def test_revoked_token_is_refused_and_says_so(client, open_event, tablet, people, hr_a):
    device, token = tablet
    kiosk.revoke_device(device=device, context=AuditContext.for_user(hr_a))
    response = submit(client, token, submission(open_event, people[0]))
    assert response.status_code == 403
    assert response.json()["code"] == "device.revoked"
    assert client.get(reverse("kiosk:api:status"), headers=auth(token)).status_code == 403
    assert Signature.objects.count() == 0


@pytest.mark.parametrize("headers", [
    {"Authorization": "Device not-a-real-token"},
    {"Authorization": "Bearer something"},
    {},
])
def test_unknown_or_missing_token_is_401(client, open_event, people, headers):
    response = client.post(reverse("kiosk:api:submit"),
                           json.dumps(submission(open_event, people[0])),
                           content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "device.unknown"
    assert Signature.objects.count() == 0


def test_an_officer_session_is_no_kiosk_credential(client, open_event, hr_a, people):
    client.force_login(hr_a)
    response = client.post(reverse("kiosk:api:submit"),
                           json.dumps(submission(open_event, people[0])),
                           content_type="application/json")
    assert response.status_code == 401


BAD_IMAGES = {
    "svg": ("data:image/svg+xml;base64,PHN2Zy8+", 422, "image.not_png"),
    "jpeg_claiming_png": (data_url(jpeg_bytes()), 422, "image.not_png"),
    "bad_base64": ("data:image/png;base64,@@not*base64@@", 422, "image.bad_base64"),
    "decompression_bomb": (data_url(bomb_png()), 422, "image.dimensions"),
    "animated_png": (data_url(animated_png()), 422, "image.animated"),
    "blank": (data_url(blank_png()), 422, "image.blank"),
    "a_dot": (data_url(dot_png()), 422, "image.too_small"),
    "truncated_png": (data_url(factories.signature_png()[:60]), 422, "image.corrupt"),
}


@pytest.mark.parametrize("name", list(BAD_IMAGES))
def test_bad_images_are_refused_without_a_row(client, open_event, tablet, people, name):
    _device, token = tablet
    image, status, code = BAD_IMAGES[name]
    response = submit(client, token, submission(open_event, people[0], image=image))
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert Signature.objects.count() == 0 and recorded_entries() == 0


def test_image_over_the_size_limit_is_413(client, open_event, tablet, people, settings):
    _device, token = tablet
    settings.PAKTA_SIGNATURE_MAX_BYTES = 2000
    big = data_url(factories.signature_png(1200, 400) + b"\0" * 3000)
    response = submit(client, token, submission(open_event, people[0], image=big))
    assert response.status_code == 413
    assert response.json()["code"] in {"image.too_large", "request.too_large"}
    assert Signature.objects.count() == 0


def test_body_over_the_api_limit_is_a_json_413_before_parsing(client, open_event, tablet,
                                                             people):
    _device, token = tablet
    huge = "data:image/png;base64," + "A" * (3 * 1024 * 1024)
    response = submit(client, token, submission(open_event, people[0], image=huge))
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "request.too_large"
    assert Signature.objects.count() == 0


def test_body_over_djangos_upload_limit_is_413_not_400(client, open_event, tablet, people,
                                                      settings):
    _device, token = tablet
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000  # below our own limit: Django refuses first
    response = submit(client, token, submission(open_event, people[0]))
    assert response.status_code == 413
    assert response.json()["code"] == "request.too_large"
    assert Signature.objects.count() == 0


def test_unknown_employee_is_refused(client, open_event, tablet):
    _device, token = tablet
    body = submission_for_id(open_event, 999_999)
    response = submit(client, token, body)
    assert response.status_code == 422
    assert response.json()["code"] == "employee.not_expected"
    assert Signature.objects.count() == 0


def submission_for_id(event, employee_id: int) -> dict:
    class Stub:
        pk = employee_id

    return submission(event, Stub)


def test_another_events_employee_is_refused(client, open_event, tablet, agency_b):
    _device, token = tablet
    outsider = factories.employee(agency_b)
    response = submit(client, token, submission(open_event, outsider))
    assert response.status_code == 422
    assert response.json()["code"] == "employee.not_expected"
    assert Signature.objects.count() == 0


def test_unticked_agreement_is_refused(client, open_event, tablet, people):
    _device, token = tablet
    response = submit(client, token, submission(open_event, people[0], agreed=False))
    assert response.status_code == 422
    assert response.json()["code"] == "agreement.missing"
    assert Signature.objects.count() == 0


def test_text_other_than_the_events_is_refused(client, open_event, tablet, people):
    _device, token = tablet
    response = submit(client, token, submission(open_event, people[0], template_hash="0" * 64))
    assert response.status_code == 409
    assert response.json()["code"] == "template.mismatch"
    assert Signature.objects.count() == 0


def test_malformed_fields_are_a_json_422(client, open_event, tablet, people):
    _device, token = tablet
    body = submission(open_event, people[0], submission_id="not-a-uuid")
    response = submit(client, token, body)
    assert response.status_code == 422
    assert response.json()["code"] == "request.invalid"


def test_time_without_zone_is_refused(client, open_event, tablet, people):
    _device, token = tablet
    body = submission(open_event, people[0], client_signed_at="2024-01-17T08:30:00")
    assert submit(client, token, body).status_code == 422
    assert Signature.objects.count() == 0


def test_pairing_for_a_closed_event_is_refused(client, open_event, hr_a):
    code = kiosk.add_device(
        event=open_event,
        name="Tablet A",
        context=AuditContext.for_user(hr_a),
    ).code
    events.close_event(event=open_event, context=AuditContext.for_user(hr_a))
    response = client.post(reverse("kiosk:api:pair"), {"code": code},
                           content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "event.closed"
    assert KioskDevice.objects.get(name="Tablet A").token_hash is None


def test_status_tells_a_tablet_its_event_closed(client, open_event, tablet, hr_a):
    _device, token = tablet
    events.close_event(event=open_event, context=AuditContext.for_user(hr_a))
    data = client.get(reverse("kiosk:api:status"), headers=auth(token)).json()
    assert data["event_status"] == "closed"

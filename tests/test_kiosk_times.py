"""Every time a tablet sends is read defensively and bounded: an impossible, absurd or
overflowing clock never breaks a request, a page or an archive, and never silently sets the
signing time. Numbers that JSON allows but a database does not (NaN, Infinity, 1e999) are
refused with their own code."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from signings import clock
from signings.models import (
    AuditEntry,
    IdentityAttempt,
    KioskDevice,
    Signature,
)
from signings.services import archives, pacts
from signings.services.context import AuditContext
from tests.kiosk_support import auth, minutes_ago, submission, submit

pytestmark = pytest.mark.django_db

ABSURD_TIMES = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00+14:00"]


def nothing_written() -> bool:
    return (not Signature.objects.exists()
            and not AuditEntry.objects.filter(action="signing.signature.recorded").exists())


def close_to(a: datetime.datetime, b: datetime.datetime, seconds: float = 2) -> bool:
    return abs((a - b).total_seconds()) < seconds


# --- signing time -----------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ABSURD_TIMES)
def test_an_absurd_signing_time_is_kept_as_text_and_the_receipt_time_is_used(
        client, open_event, tablet, people, raw):
    _device, token = tablet
    response = submit(client, token, submission(open_event, people[0], client_signed_at=raw))
    assert response.status_code == 201
    assert response.json()["clock_suspect"] is True
    signature = Signature.objects.get()
    assert signature.clock_suspect is True
    assert signature.client_signed_at is None
    assert signature.untrusted_times == {"client_signed_at": raw}
    assert close_to(signature.signed_at, signature.received_at)


@pytest.mark.parametrize("raw", ABSURD_TIMES)
def test_the_event_still_opens_everywhere_after_an_absurd_signing_time(
        client, open_event, tablet, people, raw, hr_a, auditor_a, admin_user):
    _device, token = tablet
    assert submit(client, token, submission(open_event, people[0],
                                            client_signed_at=raw)).status_code == 201
    signature = Signature.objects.get()
    pacts.render_and_store(signature_id=signature.pk, context=AuditContext.system("test"))
    client.force_login(hr_a)
    for name in ("hr:event_detail", "hr:event_live", "hr:event_live_panel"):
        assert client.get(reverse(name, args=[open_event.pk])).status_code == 200, name
    client.force_login(auditor_a)
    for name in ("audit:event_detail", "audit:event_recap"):
        assert client.get(reverse(name, args=[open_event.pk])).status_code == 200, name
    page = client.get(reverse("audit:signature_detail", args=[signature.pk]))
    assert page.status_code == 200 and raw in page.content.decode()
    job = archives.request_archive(agency=open_event.agency, event=open_event,
                                   context=AuditContext.for_user(auditor_a))
    job = archives.build_archive(job_id=job.pk, context=AuditContext.system("test"))
    assert job.status == "ready"
    client.force_login(admin_user)
    change = reverse("admin:signings_signature_change", args=[signature.pk])
    assert client.get(change).status_code == 200


def test_an_impossible_date_in_the_signing_time_is_kept_as_text(client, open_event, tablet,
                                                                 people):
    _device, token = tablet
    raw = "2024-02-30T08:00:00+07:00"
    response = submit(client, token, submission(open_event, people[0], client_signed_at=raw))
    assert response.status_code == 201 and response.json()["clock_suspect"] is True
    assert Signature.objects.get().untrusted_times == {"client_signed_at": raw}


def test_a_signing_time_that_is_no_date_at_all_is_refused(client, open_event, tablet, people):
    _device, token = tablet
    response = submit(client, token, submission(open_event, people[0],
                                                client_signed_at="kemarin sore"))
    assert (response.status_code, response.json()["code"]) == (422, "request.invalid")
    assert nothing_written()


@pytest.mark.parametrize("days", [-2, 2])
def test_a_signing_time_days_away_from_the_event_is_not_trusted(client, open_event, tablet,
                                                                people, days):
    device, token = tablet
    raw = (timezone.now() + datetime.timedelta(days=days)).isoformat()
    body = submission(open_event, people[0], client_signed_at=raw)
    del body["client_sent_at"]  # no offset to measure: only the bounds can catch it
    assert submit(client, token, body).json()["clock_suspect"] is True
    signature = Signature.objects.get()
    assert signature.client_signed_at is None
    assert signature.untrusted_times == {"client_signed_at": raw}
    assert close_to(signature.signed_at, signature.received_at)


def test_a_very_old_tablet_clock_does_not_silently_become_the_pairing_time(
        client, open_event, tablet, people):
    device, token = tablet
    KioskDevice.objects.filter(pk=device.pk).update(paired_at=minutes_ago(60))
    # Its clock says three hours before pairing, and it says "now" is now: no offset to see.
    body = submission(open_event, people[0], client_signed_at=minutes_ago(240).isoformat())
    data = submit(client, token, body).json()
    signature = Signature.objects.get()
    assert data["clock_suspect"] is True and signature.clock_suspect is True
    assert close_to(signature.signed_at, signature.received_at)
    assert not close_to(signature.signed_at, minutes_ago(60), seconds=60)


def test_a_few_seconds_before_pairing_is_still_the_pairing_time(client, open_event, tablet,
                                                               people):
    device, token = tablet
    paired = minutes_ago(60)
    KioskDevice.objects.filter(pk=device.pk).update(paired_at=paired)
    body = submission(open_event, people[0],
                      client_signed_at=(paired - datetime.timedelta(seconds=20)).isoformat())
    data = submit(client, token, body).json()
    signature = Signature.objects.get()
    assert data["clock_suspect"] is False
    assert signature.signed_at == paired


# --- the other times of a submission ----------------------------------------------------------


@pytest.mark.parametrize("raw", ["1900-01-01T00:00:00+00:00", "0001-01-01T00:00:00Z",
                                 "9999-12-31T23:59:59-14:00", "2024-13-01T00:00:00Z"])
def test_an_absurd_sending_time_flags_the_clock_instead_of_failing(client, open_event, tablet,
                                                                  people, raw):
    _device, token = tablet
    response = submit(client, token, submission(open_event, people[0], client_sent_at=raw))
    assert response.status_code == 201
    signature = Signature.objects.get()
    assert signature.clock_suspect is True and signature.clock_offset_seconds is None
    assert signature.untrusted_times == {"client_sent_at": raw}
    assert close_to(signature.signed_at, signature.received_at)
    entry = AuditEntry.objects.get(action="signing.signature.recorded")
    assert entry.details["untrusted_times"] == {"client_sent_at": raw}


@pytest.mark.parametrize("raw", ABSURD_TIMES)
def test_an_absurd_consent_time_is_kept_as_text(client, open_event, tablet, people, raw):
    _device, token = tablet
    body = submission(open_event, people[0], consent_at=raw, consent_hash="a" * 64)
    assert submit(client, token, body).status_code == 201
    signature = Signature.objects.get()
    assert signature.consent_at is None and signature.clock_suspect is True
    assert signature.untrusted_times == {"consent_at": raw}


def test_a_resend_with_the_same_absurd_time_is_recognised(client, open_event, tablet, people):
    _device, token = tablet
    body = submission(open_event, people[0], client_signed_at="2024-02-30T08:00:00+07:00")
    assert submit(client, token, body).status_code == 201
    again = submit(client, token, body)
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    other = dict(body, client_signed_at="2024-02-31T08:00:00+07:00")
    assert submit(client, token, other).json()["code"] == "submission.conflict"


def test_a_time_without_a_zone_is_still_refused(client, open_event, tablet, people):
    _device, token = tablet
    body = submission(open_event, people[0], client_signed_at="2024-01-17T08:30:00")
    response = submit(client, token, body)
    assert (response.status_code, response.json()["code"]) == (422, "request.naive_time")
    assert nothing_written()


@pytest.mark.parametrize("raw", ABSURD_TIMES + ["2024-02-30T08:00:00Z"])
def test_an_absurd_time_in_a_wrong_birth_date_report_is_not_stored(client, open_event, tablet,
                                                                  people, raw):
    import uuid

    _device, token = tablet
    response = client.post(reverse("kiosk:api:identity_attempts"),
                           {"attempt_id": str(uuid.uuid4()), "employee_id": people[0].pk,
                            "wrong": 1, "client_at": raw},
                           content_type="application/json", headers=auth(token))
    assert response.status_code == 200
    attempt = IdentityAttempt.objects.get()
    assert attempt.client_at is None and attempt.untrusted_client_at == raw


# --- the X-Kiosk-Clock header -----------------------------------------------------------------


@pytest.mark.parametrize("raw", ["2024-02-30T10:00:00+07:00", "2024-13-45T99:99:99Z",
                                 "1900-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00",
                                 "9999-12-31T23:59:59-14:00", "jam rusak"])
def test_a_broken_clock_header_never_fails_the_tablets_requests(client, open_event, tablet,
                                                               people, raw):
    _device, token = tablet
    headers = {**auth(token), "X-Kiosk-Clock": raw}
    for _ in range(2):
        assert client.get(reverse("kiosk:api:status"), headers=headers).status_code == 200
        assert client.get(reverse("kiosk:api:roster"), headers=headers).status_code == 200
    response = submit(client, token, submission(open_event, people[0]), HTTP_X_KIOSK_CLOCK=raw)
    assert response.status_code == 201


def test_a_clock_header_in_1900_shows_the_officer_a_wrong_clock(client, open_event, tablet,
                                                              hr_a):
    device, token = tablet
    client.get(reverse("kiosk:api:status"),
               headers={**auth(token), "X-Kiosk-Clock": "1900-01-01T00:00:00Z"})
    device.refresh_from_db()
    assert device.clock_offset_seconds == -clock.OFFSET_LIMIT_SECONDS
    client.force_login(hr_a)
    page = client.get(reverse("kiosk:devices", args=[open_event.pk])).content.decode()
    assert "Jam tablet selisih" in page


@pytest.mark.parametrize("pending", ["\u00b2", "99999999999", "-1", "1e3"])
def test_an_odd_pending_header_is_ignored(client, tablet, pending):
    device, token = tablet
    response = client.get(reverse("kiosk:api:status"),
                          headers={**auth(token), "X-Kiosk-Pending": pending})
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.reported_pending == 0


# --- numbers JSON allows and the database does not --------------------------------------------


def raw_body(body: dict, replacements: dict[str, str]) -> str:
    text = json.dumps(body)
    for placeholder, literal in replacements.items():
        text = text.replace(json.dumps(placeholder), literal)
    return text


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_non_finite_numbers_in_the_strokes_are_refused(client, open_event, tablet, people,
                                                       literal):
    _device, token = tablet
    body = submission(open_event, people[0], strokes=[[[10.0, "X", 0.0], [30.5, 40.0, 16.0]]])
    response = submit(client, token, raw_body(body, {"X": literal}))
    assert (response.status_code, response.json()["code"]) == (422, "request.bad_number")
    assert "angka" in response.json()["message"]
    assert nothing_written()


@pytest.mark.parametrize("field", ["employee_id", "identity_wrong_attempts"])
@pytest.mark.parametrize("literal", ["NaN", "Infinity", "1e999", "9" * 5000])
def test_non_finite_or_overflowing_numbers_anywhere_are_refused(client, open_event, tablet,
                                                                people, field, literal):
    _device, token = tablet
    body = submission(open_event, people[0], **{field: "X"})
    response = submit(client, token, raw_body(body, {"X": literal}))
    assert (response.status_code, response.json()["code"]) == (422, "request.bad_number")
    assert nothing_written()


def test_non_finite_numbers_in_a_birth_date_report_are_refused(client, open_event, tablet,
                                                                people):
    import uuid

    _device, token = tablet
    text = json.dumps({"attempt_id": str(uuid.uuid4()), "employee_id": people[0].pk,
                       "wrong": "X"}).replace('"X"', "NaN")
    response = client.post(reverse("kiosk:api:identity_attempts"), text,
                           content_type="application/json", headers=auth(token))
    assert (response.status_code, response.json()["code"]) == (422, "request.bad_number")
    assert not IdentityAttempt.objects.exists()


# --- the database's own bounds ----------------------------------------------------------------


@pytest.mark.parametrize("column", ["signed_at", "client_signed_at", "consent_at",
                                    "received_at"])
@pytest.mark.parametrize("value", ["10000-01-01 00:00:00+00", "0001-01-01 00:00:00+00 BC",
                                   "1999-12-31 23:59:59+00", "2200-01-01 00:00:00+00"])
def test_the_database_refuses_a_signature_time_python_could_not_read(
        client, open_event, tablet, people, column, value):
    _device, token = tablet
    assert submit(client, token, submission(open_event, people[0])).status_code == 201
    pk = Signature.objects.get().pk
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE signings_signature SET {column} = %s WHERE id = %s",  # noqa: S608
                       [value, pk])


def test_the_database_refuses_an_offset_beyond_the_limit(client, open_event, tablet, people):
    device, token = tablet
    with pytest.raises(IntegrityError), transaction.atomic():
        KioskDevice.objects.filter(pk=device.pk).update(
            clock_offset_seconds=clock.OFFSET_LIMIT_SECONDS + 1)


def test_the_database_refuses_an_unreadable_attempt_time(client, open_event, tablet, people):
    import uuid

    _device, token = tablet
    client.post(reverse("kiosk:api:identity_attempts"),
                {"attempt_id": str(uuid.uuid4()), "employee_id": people[0].pk, "wrong": 1},
                content_type="application/json", headers=auth(token))
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE signings_identityattempt SET client_at = '10000-01-01 00:00+00'")


def test_rows_written_before_the_bounds_are_repaired_by_the_migration(client, open_event,
                                                                      tablet, people):
    """Migration 0012 first repairs what a tablet already stored (in SQL: Python cannot read
    such a row), then adds the constraints."""
    import importlib

    repair = importlib.import_module(
        "signings.migrations.0013_bounded_times_and_untrusted_clock_text").REPAIR_SQL
    _device, token = tablet
    assert submit(client, token, submission(open_event, people[0])).status_code == 201
    pk = Signature.objects.get().pk
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks before ALTER
        cursor.execute("ALTER TABLE signings_signature"
                       " DROP CONSTRAINT signature_client_signed_at_bounded,"
                       " DROP CONSTRAINT signature_signed_at_bounded,"
                       " DROP CONSTRAINT signature_clock_offset_bounded")
        cursor.execute("UPDATE signings_signature SET client_signed_at = '10000-01-01 13:59:59+00',"
                       " signed_at = '0001-01-01 00:00:00+00 BC',"
                       " clock_offset_seconds = -2000000000 WHERE id = %s", [pk])
        for statement in repair:
            cursor.execute(statement)
    signature = Signature.objects.get()
    assert signature.client_signed_at is None and signature.clock_suspect is True
    assert signature.signed_at == signature.received_at
    assert set(signature.untrusted_times) == {"client_signed_at", "signed_at"}
    assert signature.untrusted_times["client_signed_at"].startswith("10000-01-01")
    assert signature.clock_offset_seconds == -clock.OFFSET_LIMIT_SECONDS

"""Kiosk submission rules beyond the basics: identity by birth date, signing order, tablet
clocks, follow-up work, draft events."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from signings.models import AttendanceStatus, Echelon, EventStatus, IdentityCheck, Signature
from signings.services import attendance, events
from signings.services.context import AuditContext
from tests import factories
from tests.kiosk_support import auth, minutes_ago, pair, submission, submit

# --- identity check, order, clocks -----------------------------------------------------------


@pytest.fixture
def birth_date_event(open_event):
    open_event.identity_check = IdentityCheck.BIRTH_DATE
    open_event.save(update_fields=["identity_check"])
    return open_event


def test_birth_date_is_checked_again_by_the_server(client, birth_date_event, tablet, people):
    _device, token = tablet
    person = people[0]
    wrong = (person.birth_date + datetime.timedelta(days=1)).isoformat()
    response = submit(client, token, submission(birth_date_event, person, birth_date=wrong))
    assert (response.status_code, response.json()["code"]) == (422, "identity.mismatch")
    missing = submit(client, token, submission(birth_date_event, person))
    assert (missing.status_code, missing.json()["code"]) == (422, "identity.required")
    assert Signature.objects.count() == 0
    right = submit(client, token, submission(birth_date_event, person,
                                             birth_date=person.birth_date.isoformat()))
    assert right.status_code == 201


@pytest.fixture
def head(open_event, agency_a, hr_a):
    """Agency A's head, expected at the open event, which now enforces the signing order."""
    head = factories.employee(agency_a, echelon=Echelon.II)
    agency_a.head = head
    agency_a.save()
    events.set_expected(event=open_event, add=[head], context=AuditContext.for_user(hr_a))
    open_event.enforce_signing_order = True
    open_event.save(update_fields=["enforce_signing_order"])
    return head


def test_signing_order_makes_staff_wait_for_the_head(client, open_event, tablet, head, people):
    _device, token = tablet

    early = submit(client, token, submission(open_event, people[0]))
    assert early.status_code == 409
    assert early.json()["code"] == "signature.order"
    assert head.name in early.json()["message"]
    status = client.get(reverse("kiosk:api:status"), headers=auth(token)).json()
    assert [a["id"] for a in status["awaited"]] == [head.pk]

    assert submit(client, token, submission(open_event, head)).status_code == 201
    assert submit(client, token, submission(open_event, people[0])).status_code == 201


def test_an_absent_head_does_not_block_the_queue(client, open_event, tablet, head, people,
                                                 hr_a):
    _device, token = tablet
    attendance.record_outcome(
        event=open_event,
        employee=head,
        outcome=attendance.OutcomeNote(status=AttendanceStatus.ABSENT, reason="sick"),
        context=AuditContext.for_user(hr_a),
    )
    assert submit(client, token, submission(open_event, people[0])).status_code == 201


def test_offline_signature_keeps_the_time_it_was_signed(client, open_event, tablet, people):
    device, token = tablet
    device.paired_at = minutes_ago(60)
    device.save(update_fields=["paired_at"])
    signed = minutes_ago(30)
    body = submission(open_event, people[0], client_signed_at=signed.isoformat())
    data = submit(client, token, body).json()
    signature = Signature.objects.get()
    assert abs((signature.signed_at - signed).total_seconds()) < 5
    assert signature.received_at - signature.signed_at > datetime.timedelta(minutes=29)
    assert data["clock_suspect"] is False and signature.clock_suspect is False


def test_tablet_with_a_wrong_clock_is_flagged(client, open_event, tablet, people):
    device, token = tablet
    ahead = timezone.now() + datetime.timedelta(hours=3)
    body = submission(open_event, people[0], client_signed_at=ahead.isoformat(),
                      client_sent_at=ahead.isoformat())
    response = submit(client, token, body)
    assert response.json()["clock_suspect"] is True
    signature = Signature.objects.get()
    assert signature.clock_suspect is True
    assert 3 * 3600 - 10 <= signature.clock_offset_seconds <= 3 * 3600
    # A distrusted clock does not set the signing time: the receipt time does.
    assert signature.signed_at == signature.received_at or (
        abs((signature.signed_at - signature.received_at).total_seconds()) < 1)


def test_thumbnail_is_made_after_the_request(client, open_event, tablet, people):
    from signings.tasks import make_signature_thumbnail

    _device, token = tablet
    assert submit(client, token, submission(open_event, people[0])).status_code == 201
    signature = Signature.objects.get()
    assert not signature.thumbnail
    make_signature_thumbnail.call(signature.pk)
    signature.refresh_from_db()
    assert signature.thumbnail.read().startswith(b"\xff\xd8")


def test_draft_event_kiosk_cannot_sign_yet(client, agency_a, template_version, hr_a, unit_a):
    employee = factories.employee(unit_a)
    event = factories.event(agency_a, officer=hr_a, template_version=template_version,
                            status=EventStatus.DRAFT, title="Apel", venue="Halaman")
    assert event.status == EventStatus.DRAFT
    _device, token = pair(event, hr_a)
    response = submit(client, token, submission(event, employee))
    assert (response.status_code, response.json()["code"]) == (409, "event.not_open")
    assert Signature.objects.count() == 0


def test_each_submission_gets_its_own_uuid_row(client, open_event, tablet, people):
    _device, token = tablet
    ids = set()
    for person in people:
        body = submission(open_event, person, submission_id=str(uuid.uuid4()))
        ids.add(body["submission_id"])
        assert submit(client, token, body).status_code == 201
    assert {str(s) for s in Signature.objects.values_list("submission_id", flat=True)} == ids

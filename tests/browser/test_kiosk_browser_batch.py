"""The kiosk's outbox flushes in one request: signatures queued while the network was gone leave
together through `kiosk:api:submit_batch`, and each is handled as if it had been sent alone.

Run with `pytest -m browser`.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import pytest
from django.test import Client
from django.urls import reverse

from signings.models import Employee, Signature, SigningEvent
from signings.services import kiosk
from signings.services.context import AuditContext
from tests.browser.kiosk_pages import (
    THREE,
    count_sends,
    left_on_tablet,
    paired_kiosk,
    pending,
    sign_three_offline,
    wait_pending,
)
from tests.kiosk_support import auth, pair, submission

pytestmark = pytest.mark.django_db(transaction=True)


class Queued(NamedTuple):
    event: SigningEvent
    people: dict[str, Employee]
    context: Any
    page: Any
    sends: dict[str, int]


@pytest.fixture
def three_queued(tablet_context, live_server, assembly, hr_a) -> Queued:
    """Tablet 1 paired, its signature requests counted, the three of THREE waiting offline."""
    event, people = assembly
    context = tablet_context()
    page = paired_kiosk(context, live_server, event, hr_a, "Tablet 1")
    sends = count_sends(page)
    sign_three_offline(context, page)
    return Queued(event, people, context, page, sends)


def test_three_offline_signatures_leave_in_one_batch_request(three_queued):
    event, _people, context, page, sends = three_queued
    assert Signature.objects.count() == 0

    context.set_offline(False)
    wait_pending(page, 0)
    assert sends == {"batch": 1, "single": 0}
    arrived = Signature.objects.filter(event=event)
    assert sorted(s.employee.name for s in arrived) == sorted(THREE)
    assert {s.device.name for s in arrived} == {"Tablet 1"}
    # Nothing left to send, nothing refused: the officer's list stays hidden.
    assert page.locator("#recovery.d-none").count() == 1
    # The sent signatures (drawing, birth date) are gone from the tablet.
    assert left_on_tablet(page) == {"outbox": [], "localStorage": "{}"}


def test_a_refusal_in_the_batch_is_kept_for_the_officer_and_the_rest_arrive(three_queued, hr_a):
    event, people, context, page, sends = three_queued
    # Meanwhile Agus signs on another tablet, which still had its network.
    _other, token = pair(event, hr_a, "Tablet Barat")
    other = Client().post(reverse("kiosk:api:submit"),
                          json.dumps(submission(event, people["Agus Salim"])),
                          content_type="application/json", headers=auth(token))
    assert other.status_code == 201

    context.set_offline(False)
    wait_pending(page, 0)
    assert sends == {"batch": 1, "single": 0}
    page.wait_for_selector("#recovery:not(.d-none)")
    refusal = page.text_content("#recovery-list")
    assert "Agus Salim" in refusal and "sudah menandatangani" in refusal
    assert "Tablet Barat" in refusal
    by_device = {s.employee.name: s.device.name for s in Signature.objects.filter(event=event)}
    assert by_device == {"Budi Santoso": "Tablet 1", "Agus Salim": "Tablet Barat",
                         "Dewi Lestari": "Tablet 1"}


def test_a_revoked_tablets_batch_keeps_every_signature_on_the_tablet(three_queued, hr_a):
    event, _people, context, page, sends = three_queued
    kiosk.revoke_device(device=event.kiosks.get(name="Tablet 1"),
                        context=AuditContext.for_user(hr_a))
    context.set_offline(False)
    page.wait_for_selector("#banner:not(.d-none)")
    assert "dicabut" in page.text_content("#banner")
    page.wait_for_selector("#recovery:not(.d-none)")
    listed = page.text_content("#recovery-list")
    assert all(name in listed for name in THREE)
    assert pending(page) == 3
    assert sends["single"] == 0
    assert Signature.objects.count() == 0


def test_a_server_without_the_batch_endpoint_gets_the_signatures_one_by_one(three_queued):
    event, _people, context, page, sends = three_queued
    # Routed only now: a route answers even without a network.
    page.route(f"**{reverse('kiosk:api:submit_batch')}",
               lambda route: route.fulfill(status=404, content_type="application/json",
                                           body='{"detail": "Not Found"}'))

    context.set_offline(False)
    wait_pending(page, 0)
    assert sends == {"batch": 1, "single": 3}
    assert sorted(s.employee.name for s in Signature.objects.filter(event=event)) == sorted(THREE)


def test_a_failed_batch_is_sent_again_whole_and_arrives_once(three_queued):
    event, _people, context, page, sends = three_queued
    answers = []

    def lose_the_first_answer(route):
        # The server records the batch, but its answer is lost on the way back (a 502 from
        # the proxy): the tablet must resend and learn that all three are recorded.
        response = route.fetch()
        if not answers:
            answers.append(response.status)
            route.fulfill(status=502, body="Bad Gateway")
        else:
            route.fulfill(response=response)

    page.route(f"**{reverse('kiosk:api:submit_batch')}", lose_the_first_answer)

    context.set_offline(False)
    wait_pending(page, 0)
    assert answers == [200]
    assert sends == {"batch": 2, "single": 0}
    assert Signature.objects.filter(event=event).count() == 3

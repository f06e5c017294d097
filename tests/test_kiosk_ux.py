"""Kiosk settings and endpoints behind the tablet's walk-away guard and plain-HTTP mode."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from signings.models import EventKind, IdentityCheck, SigningEvent
from signings.views.kiosk import offline_mode_available
from tests import factories
from tests.kiosk_support import auth, pair

pytestmark = pytest.mark.django_db


def event_post(agency, version, **overrides):
    data = {
        "agency": agency.pk, "template_version": version.pk, "title": "Apel Pakta Integritas",
        "kind": EventKind.APEL, "date": "2024-01-17", "venue": "Halaman Kantor Bupati",
        "identity_check": IdentityCheck.SUPERVISED,
    }
    data.update(overrides)
    return data


def test_idle_time_defaults_to_a_minute_and_is_set_in_the_event_form(
    client, hr_a, agency_a, template_version
):
    client.force_login(hr_a)
    assert client.post(reverse("hr:event_create"),
                       event_post(agency_a, template_version)).status_code == 302
    event = SigningEvent.objects.get()
    assert event.kiosk_idle_seconds == 60
    response = client.post(reverse("hr:event_edit", kwargs={"pk": event.pk}),
                           {**event_post(agency_a, template_version), "kiosk_idle_seconds": 90})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.kiosk_idle_seconds == 90
    page = client.get(reverse("hr:event_detail", kwargs={"pk": event.pk}))
    assert "90 detik" in page.content.decode()


@pytest.mark.parametrize("seconds", ["5", "3600", "abc"])
def test_idle_time_out_of_range_is_refused_with_a_message(
    client, hr_a, agency_a, template_version, seconds
):
    client.force_login(hr_a)
    response = client.post(reverse("hr:event_create"),
                           event_post(agency_a, template_version, kiosk_idle_seconds=seconds))
    assert response.status_code == 200
    assert response.context["form"].errors["kiosk_idle_seconds"]
    assert not SigningEvent.objects.exists()


def test_database_refuses_an_idle_time_out_of_range(open_event):
    with pytest.raises(IntegrityError), transaction.atomic():
        SigningEvent.objects.filter(pk=open_event.pk).update(kiosk_idle_seconds=5)


def test_tablet_receives_the_events_idle_time(client, open_event, hr_a):
    open_event.kiosk_idle_seconds = 45
    open_event.save(update_fields=["kiosk_idle_seconds"])
    _device, token = pair(open_event, hr_a)
    roster = client.get(reverse("kiosk:api:roster"), headers=auth(token)).json()
    assert roster["event"]["kiosk_idle_seconds"] == 45


def identity_check(client, token, employee_id, birth_date):
    return client.post(reverse("kiosk:api:identity"),
                       json.dumps({"employee_id": employee_id, "birth_date": birth_date}),
                       content_type="application/json", headers=auth(token))


def test_server_checks_a_birth_date_for_a_tablet_that_cannot_hash(client, open_event, hr_a):
    _device, token = pair(open_event, hr_a)
    person = open_event.expected.select_related("employee").first().employee
    right = identity_check(client, token, person.pk, person.birth_date.isoformat())
    assert right.status_code == 200
    assert right.json() == {"match": True, "attempts": 0, "locked": False}
    wrong = person.birth_date + datetime.timedelta(days=1)
    assert identity_check(client, token, person.pk, wrong.isoformat()).json() == {
        "match": False, "attempts": 1, "locked": False}


def test_birth_date_check_answers_only_for_the_events_people(
    client, open_event, hr_a, agency_b
):
    _device, token = pair(open_event, hr_a)
    stranger = factories.employee(agency_b)
    response = identity_check(client, token, stranger.pk, stranger.birth_date.isoformat())
    assert response.status_code == 422
    assert response.json()["code"] == "employee.not_expected"
    unpaired = identity_check(client, "nope", stranger.pk, "1980-01-01")
    assert unpaired.status_code == 401


@pytest.mark.parametrize(("url", "available"), [
    ("https://pakta.example.go.id/kios/", True),
    ("http://localhost:8000/kios/", True),
    ("http://127.0.0.1:8000/kios/", True),
    ("http://[::1]:8000/kios/", True),
    ("http://kios.localhost/kios/", True),
    ("http://pakta.intranet/kios/", False),
    ("http://10.0.0.5/kios/", False),
])
def test_offline_mode_needs_https_or_localhost(url, available):
    assert offline_mode_available(url) is available

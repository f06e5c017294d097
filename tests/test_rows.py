"""Instances loaded from a hand-written row are the ones the ORM would give."""

from __future__ import annotations

import pytest
from django.db import connection

from signings.models import Agency, Employee, KioskDevice, PactTemplateVersion, SigningEvent
from signings.models.rows import Columns, split
from signings.services import kiosk, signatures
from tests.kiosk_support import pair


def same(loaded, expected) -> None:
    for field in type(expected)._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
    assert loaded._state.adding is False and loaded._state.db == "default"


@pytest.mark.django_db
def test_a_tablet_loads_with_its_event_pact_version_and_officer(open_event, hr_a,
                                                              django_assert_num_queries):
    device, token = pair(open_event, hr_a)
    loaded = kiosk.authenticate(token)
    same(loaded, KioskDevice.objects.get(pk=device.pk))
    same(loaded.event, SigningEvent.objects.get(pk=open_event.pk))
    version = PactTemplateVersion.objects.get(pk=open_event.template_version_id)
    same(loaded.event.template_version, version)
    assert loaded.event.template_version.points == version.points  # JSON, converted
    assert loaded.responsible_officer == hr_a
    # The relations are cached: reading them costs no query.
    with django_assert_num_queries(0):
        assert loaded.event.template_version.content_hash == version.content_hash
        assert loaded.responsible_officer.get_username() == hr_a.get_username()


@pytest.mark.django_db
def test_a_submissions_signer_loads_with_their_agency(employee_a, django_assert_num_queries):
    with django_assert_num_queries(1):
        loaded = signatures.signer(employee_a.pk)
    same(loaded, Employee.objects.get(pk=employee_a.pk))
    same(loaded.agency, Agency.objects.get(pk=employee_a.agency_id))
    with django_assert_num_queries(0):
        assert loaded.agency.name == employee_a.agency.name


@pytest.mark.django_db
def test_a_left_join_without_a_match_gives_none(open_event, hr_a):
    device, _token = pair(open_event, hr_a)
    parts = (Columns(KioskDevice, "d"), Columns(SigningEvent, "e"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {parts[0].sql}, {parts[1].sql} FROM signings_kioskdevice d"  # noqa: S608
            " LEFT JOIN signings_signingevent e ON e.id = -1 WHERE d.id = %s", [device.pk])
        loaded, event = split(cursor.fetchone(), *parts)
    same(loaded, KioskDevice.objects.get(pk=device.pk))
    assert event is None

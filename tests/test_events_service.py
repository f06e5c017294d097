import datetime

import pytest

from signings.models import AuditEntry, EventStatus, EventStatusChange
from signings.services import events
from signings.services.context import AuditContext
from signings.services.events import EventError, NewEvent
from tests import factories


@pytest.mark.django_db
def test_new_event_expects_active_staff_of_the_subtree(agency_a, unit_a, agency_b,
                                                       template_version, hr_a):
    inside = factories.employee(unit_a)
    factories.employee(unit_a, is_active=False)
    factories.employee(agency_b)
    event = events.create_event(
        agency=agency_a,
        details=NewEvent(
            template_version=template_version,
            title="Apel",
            date=datetime.date(2024, 1, 17),
            venue="Halaman",
        ),
        context=AuditContext.for_user(hr_a),
    )
    assert list(event.expected.values_list("employee", flat=True)) == [inside.pk]
    assert event.status == EventStatus.DRAFT


@pytest.mark.django_db
def test_expected_list_refuses_employees_of_other_agencies(open_event, agency_b, hr_a):
    with pytest.raises(EventError) as excinfo:
        events.set_expected(
            event=open_event,
            add=[factories.employee(agency_b)],
            context=AuditContext.for_user(hr_a),
        )
    assert excinfo.value.code == "event.outside_scope"


@pytest.mark.django_db
def test_reopening_needs_a_reason_and_is_recorded(open_event, hr_a):
    events.close_event(event=open_event, context=AuditContext.for_user(hr_a))
    with pytest.raises(EventError) as excinfo:
        events.reopen_event(event=open_event, reason="", context=AuditContext.for_user(hr_a))
    assert excinfo.value.code == "event.reopen_reason"
    events.reopen_event(
        event=open_event,
        reason="Pegawai dinas luar datang",
        context=AuditContext.for_user(hr_a),
    )
    change = EventStatusChange.objects.filter(event=open_event).last()
    assert (change.from_status, change.to_status) == (EventStatus.CLOSED, EventStatus.OPEN)
    assert change.reason == "Pegawai dinas luar datang"
    assert AuditEntry.objects.filter(action="signing.event.reopened").exists()


@pytest.mark.django_db
def test_draft_cannot_be_closed(agency_a, template_version, hr_a):
    event = events.create_event(
        agency=agency_a,
        details=NewEvent(
            template_version=template_version,
            title="A",
            date=datetime.date(2024, 1, 1),
            venue="V",
        ),
        context=AuditContext.for_user(hr_a),
    )
    with pytest.raises(EventError) as excinfo:
        events.close_event(event=event, context=AuditContext.for_user(hr_a))
    assert excinfo.value.code == "event.bad_transition"

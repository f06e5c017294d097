"""Follow-up ("susulan") event: made in one step from an event's non-signers."""

import datetime

import pytest
from django.urls import reverse

from signings.models import (
    AbsenceReason,
    AttendanceStatus,
    AuditEntry,
    EventStatus,
    SigningEvent,
)
from signings.services import attendance, events
from signings.services.context import AuditContext
from tests import factories

pytestmark = pytest.mark.django_db

FOLLOW_UP_DATE = datetime.date(2024, 1, 24)


@pytest.fixture
def held_event(agency_a, unit_a, template_version, hr_a):
    """An event of five: two signed, one absent (sick), one missing, one since deactivated."""
    people = [factories.employee(unit_a) for _ in range(5)]
    event = factories.event(agency_a, officer=hr_a, template_version=template_version,
                            expected=people)
    for person in people[:2]:
        factories.signature(event, person, officer=hr_a)
    attendance.record_outcome(
        event=event, employee=people[2],
        outcome=attendance.OutcomeNote(status=AttendanceStatus.ABSENT,
                                       reason=AbsenceReason.SICK),
        context=AuditContext.for_user(hr_a))
    people[4].is_active = False
    people[4].save(update_fields=["is_active"])
    event = events.close_event(event=event, context=AuditContext.for_user(hr_a))
    return event, people


def test_follow_up_expects_missing_and_absent_active_people(held_event, hr_a):
    event, people = held_event
    follow_up = events.create_follow_up_event(event=event, date=FOLLOW_UP_DATE,
                                              context=AuditContext.for_user(hr_a))
    assert follow_up.status == EventStatus.DRAFT
    assert follow_up.template_version_id == event.template_version_id
    assert follow_up.agency_id == event.agency_id
    assert follow_up.date == FOLLOW_UP_DATE
    assert "susulan" in follow_up.title
    assert set(follow_up.expected.values_list("employee_id", flat=True)) == {
        people[2].pk, people[3].pk}
    entry = AuditEntry.objects.get(action="signing.event.follow_up_created")
    assert entry.details["from_event"] == event.pk
    assert entry.details["missing"] == 1
    assert entry.details["absent"] == 1


def test_officer_creates_follow_up_from_the_detail_page(officer, held_event):
    event, people = held_event
    page = officer.get(reverse("hr:event_detail", kwargs={"pk": event.pk}))
    assert reverse("hr:event_follow_up", kwargs={"pk": event.pk}) in page.content.decode()
    response = officer.post(reverse("hr:event_follow_up", kwargs={"pk": event.pk}),
                            {"date": "2024-01-24"})
    follow_up = SigningEvent.objects.exclude(pk=event.pk).get()
    assert response.status_code == 302
    assert response.url == reverse("hr:event_detail", kwargs={"pk": follow_up.pk})
    assert follow_up.expected.count() == 2


def test_bad_date_writes_nothing(officer, held_event):
    event, _people = held_event
    response = officer.post(reverse("hr:event_follow_up", kwargs={"pk": event.pk}),
                            {"date": "kemarin"})
    assert response.status_code == 302
    assert SigningEvent.objects.count() == 1


def test_everyone_signed_is_refused_with_a_message(agency_a, unit_a, template_version, hr_a):
    person = factories.employee(unit_a)
    event = factories.event(agency_a, officer=hr_a, template_version=template_version,
                            expected=[person])
    factories.signature(event, person, officer=hr_a)
    with pytest.raises(events.EventError) as error:
        events.create_follow_up_event(event=event, date=FOLLOW_UP_DATE,
                                      context=AuditContext.for_user(hr_a))
    assert error.value.code == "event.follow_up_empty"
    assert SigningEvent.objects.count() == 1


def test_draft_event_is_refused(draft_events, hr_a):
    (draft,) = draft_events(1)
    with pytest.raises(events.EventError):
        events.create_follow_up_event(event=draft, date=FOLLOW_UP_DATE,
                                      context=AuditContext.for_user(hr_a))


def test_officer_of_other_agency_gets_404(client, hr_b, held_event):
    event, _people = held_event
    client.force_login(hr_b)
    response = client.post(reverse("hr:event_follow_up", kwargs={"pk": event.pk}),
                           {"date": "2024-01-24"})
    assert response.status_code == 404
    assert SigningEvent.objects.count() == 1


def test_query_count_does_not_grow_with_non_signers(agency_a, unit_a, template_version, hr_a,
                                                    django_assert_max_num_queries):
    people = [factories.employee(unit_a) for _ in range(40)]
    event = factories.event(agency_a, officer=hr_a, template_version=template_version,
                            expected=people)
    with django_assert_max_num_queries(12):
        follow_up = events.create_follow_up_event(event=event, date=FOLLOW_UP_DATE,
                                                  context=AuditContext.for_user(hr_a))
    assert follow_up.expected.count() == 40

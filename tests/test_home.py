import pytest

from signings.services.context import AuditContext
from signings.services.events import NewEvent
from tests import factories


@pytest.mark.django_db
def test_home_shows_only_the_officers_own_events(client, hr_b, open_event):
    client.force_login(hr_b)
    response = client.get("/")
    assert response.status_code == 200
    assert open_event.title not in response.content.decode()


@pytest.mark.django_db
def test_home_lists_events_with_counts_in_indonesian(client, hr_a, open_event):
    client.force_login(hr_a)
    page = client.get("/").content.decode()
    assert open_event.title in page
    assert "Acara penandatanganan terbaru" in page
    assert f"0 / {open_event.expected.count()}" in page


@pytest.mark.django_db
@pytest.mark.parametrize("events", [1, 6])
def test_home_query_count_is_constant(client, hr_a, agency_a, template_version, events,
                                      django_assert_max_num_queries):
    import datetime

    from signings.services import events as event_service

    for n in range(events):
        factories.employee(agency_a)
        event_service.create_event(
            agency=agency_a,
            details=NewEvent(
                template_version=template_version,
                title=f"Apel {n}",
                date=datetime.date(2024, 1, 1 + n),
                venue="V",
            ),
            context=AuditContext.for_user(hr_a),
        )
    client.force_login(hr_a)
    with django_assert_max_num_queries(10):
        assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_user_without_role_is_told_so(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert "belum memiliki peran" in client.get("/").content.decode()


@pytest.mark.django_db
def test_each_event_links_to_the_page_the_user_may_open(client, hr_a, agency_b, open_event,
                                                        template_version, hr_b):
    import datetime

    from django.urls import reverse

    from signings.models import Role, RoleAssignment
    from signings.services import events as event_service

    other = event_service.create_event(
        agency=agency_b,
        details=NewEvent(
            template_version=factories.template_version(agency_b),
            title="Apel B",
            date=datetime.date(2024, 2, 1),
            venue="V",
        ),
        context=AuditContext.for_user(hr_b),
    )
    RoleAssignment.objects.create(user=hr_a, agency=agency_b, role=Role.AUDITOR)
    client.force_login(hr_a)
    page = client.get("/").content.decode()
    assert reverse("hr:event_detail", args=[open_event.pk]) in page
    assert reverse("audit:event_detail", args=[other.pk]) in page
    assert reverse("hr:event_detail", args=[other.pk]) not in page

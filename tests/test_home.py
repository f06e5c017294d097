import pytest

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
        event_service.create_event(agency=agency_a, template_version=template_version,
                                   title=f"Apel {n}", date=datetime.date(2024, 1, 1 + n),
                                   venue="V", created_by=hr_a)
    client.force_login(hr_a)
    with django_assert_max_num_queries(10):
        assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_user_without_role_is_told_so(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert "belum memiliki peran" in client.get("/").content.decode()

"""The history panel: an object's audit entries on its page, for those who may see the object."""

import datetime
import re

import pytest
from django.urls import reverse

from signings.models import Agency, AgencyKind, AuditEntry, IndonesianTimeZone, Role
from signings.services import events, roster, signatures
from signings.services.context import AuditContext
from tests import factories

pytestmark = pytest.mark.django_db


def _panel(response) -> str:
    html = response.content.decode()
    match = re.search(r'<section class="card card-body small history-panel".*?</section>', html,
                      re.S)
    assert match, "no history panel on the page"
    return match.group(0)


def _actions(panel: str) -> list[str]:
    return re.findall(r'data-action="([^"]+)"', panel)


def test_officer_reads_the_history_of_their_event_newest_first(client, hr_a, open_event):
    events.close_event(event=open_event, context=AuditContext.for_user(hr_a))
    events.reopen_event(event=open_event, context=AuditContext.for_user(hr_a),
                        reason="Pegawai dinas luar kembali")
    client.force_login(hr_a)
    panel = _panel(client.get(reverse("hr:event_detail", kwargs={"pk": open_event.pk})))
    assert _actions(panel) == ["signing.event.reopened", "signing.event.closed",
                               "signing.event.opened", "signing.event.created"]
    assert "Acara dibuka kembali" in panel  # the registry's label, not the code
    assert "Pegawai dinas luar kembali" in panel  # the reason, in the short details
    assert "hr_a" in panel


def test_officer_reads_the_history_of_an_employee(client, hr_a, employee_a):
    employee_a.position = "Kepala Seksi Umum"
    roster.update_employee(employee=employee_a, context=AuditContext.for_user(hr_a))
    client.force_login(hr_a)
    panel = _panel(client.get(reverse("hr:employee_edit", kwargs={"pk": employee_a.pk})))
    assert _actions(panel) == ["roster.employee.updated"]
    assert "Data pegawai diubah" in panel and "position" in panel


def test_signature_page_shows_its_history_to_officers_and_auditors(client, hr_a, auditor_a,
                                                                   open_event):
    signature = factories.signature(open_event, open_event.expected.first().employee, officer=hr_a)
    signatures.void_signature(signature=signature, context=AuditContext.for_user(hr_a),
                              reason="Salah orang")
    url = reverse("audit:signature_detail", kwargs={"pk": signature.pk})
    for user in (hr_a, auditor_a):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        panel = _panel(response)
        assert _actions(panel) == ["signing.signature.voided", "signing.signature.recorded"]
        assert "Salah orang" in response.content.decode()


def test_another_agencys_officer_gets_404_on_every_page_with_a_history(client, hr_b, hr_a,
                                                                       open_event, employee_a):
    signature = factories.signature(open_event, open_event.expected.first().employee, officer=hr_a)
    client.force_login(hr_b)
    for name, pk in [("hr:event_detail", open_event.pk), ("hr:employee_edit", employee_a.pk),
                     ("audit:signature_detail", signature.pk)]:
        assert client.get(reverse(name, kwargs={"pk": pk})).status_code == 404, name


def test_history_times_are_in_the_agencys_time_zone(client, template_version):
    agency = Agency.objects.create(code="PLK", name="Kota Palu", kind=AgencyKind.CITY,
                                   city="Palu", timezone=IndonesianTimeZone.WITA)
    officer = factories.user("hr_palu", role=Role.HR_OFFICER, agency=agency)
    version = factories.template_version(agency)
    event = events.create_event(
        agency=agency,
        details=events.NewEvent(template_version=version, title="Apel",
                                date=datetime.date(2024, 1, 17), venue="Aula"),
        context=AuditContext.for_user(officer))
    entry = AuditEntry.objects.for_object(event).get()
    client.force_login(officer)
    panel = _panel(client.get(reverse("hr:event_detail", kwargs={"pk": event.pk})))
    local = entry.at.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
    assert f"{local:%H:%M:%S} WITA" in panel


def test_history_panel_query_count_does_not_grow_with_entries(client, hr_a, agency_a, open_event,
                                                              django_assert_max_num_queries):
    url = reverse("hr:event_detail", kwargs={"pk": open_event.pk})
    client.force_login(hr_a)
    client.get(url)  # warm per-session caches
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    # Twelve more entries, each by a different officer: the actors come with the entries.
    for n in range(12):
        officer = factories.user(f"petugas{n}", role=Role.HR_OFFICER, agency=agency_a)
        events.update_event(event=open_event, context=AuditContext.for_user(officer),
                            changes={"venue": f"Aula {n}"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(_actions(_panel(response))) == 14

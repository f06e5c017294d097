"""Events: create, adjust expected, open/close/reopen, detail page."""


import pytest
from django.urls import reverse

from signings.models import (
    AgencyKind,
    AuditEntry,
    EventKind,
    EventStatus,
    IdentityCheck,
    SigningEvent,
)
from signings.services import events
from signings.services.context import AuditContext
from tests import factories

pytestmark = pytest.mark.django_db


def event_post(agency, version, **overrides):
    data = {
        "agency": agency.pk, "template_version": version.pk, "title": "Apel Pakta Integritas",
        "kind": EventKind.APEL, "date": "2024-01-17", "venue": "Halaman Kantor Bupati",
        "witnesses": "Ketua DPRD\n\n  Kapolres  \n", "identity_check": IdentityCheck.SUPERVISED,
        "enforce_signing_order": "on",
    }
    data.update(overrides)
    return data


def test_officer_creates_an_event_with_active_staff_expected(officer, agency_a, unit_a,
                                                            template_version):
    staff = [factories.employee(unit_a) for _ in range(3)]
    factories.employee(unit_a, is_active=False)
    response = officer.post(reverse("hr:event_create"), event_post(agency_a, template_version))
    assert response.status_code == 302
    event = SigningEvent.objects.get()
    assert event.status == EventStatus.DRAFT
    assert event.witnesses == ["Ketua DPRD", "Kapolres"]
    assert event.enforce_signing_order is True
    assert set(event.expected.values_list("employee_id", flat=True)) == {e.pk for e in staff}
    assert response.url == reverse("hr:event_detail", kwargs={"pk": event.pk})


def test_department_event_may_use_the_regencys_template(client, agency_a, unit_a,
                                                         template_version):
    department_officer = factories.user("hr_dinkes", role="hr", agency=unit_a)
    client.force_login(department_officer)
    response = client.post(reverse("hr:event_create"), event_post(unit_a, template_version))
    assert response.status_code == 302


def test_template_of_a_sibling_agency_cannot_be_used(officer, agency_a, unit_a):
    sibling = factories.Agency.objects.create(code="A-DISDIK", name="Dinas Pendidikan A",
                                              kind=AgencyKind.DEPARTMENT, city="Sampit",
                                              parent=agency_a)
    version = factories.template_version(sibling, name="Templat Disdik")
    response = officer.post(reverse("hr:event_create"), event_post(unit_a, version))
    assert "tidak dapat dipakai" in response.context["form"].errors["template_version"][0]


def test_template_of_another_government_is_not_offered(officer, agency_a, agency_b):
    foreign = factories.template_version(agency_b, name="Templat B")
    response = officer.post(reverse("hr:event_create"), event_post(agency_a, foreign))
    assert "template_version" in response.context["form"].errors
    assert not SigningEvent.objects.exists()


def test_event_for_another_agency_is_rejected(officer, agency_b, template_version):
    response = officer.post(reverse("hr:event_create"), event_post(agency_b, template_version))
    assert "agency" in response.context["form"].errors


def test_event_form_errors_are_next_to_the_fields(officer, agency_a, template_version):
    response = officer.post(reverse("hr:event_create"),
                            event_post(agency_a, template_version, date="17/01/abc", venue=""))
    errors = response.context["form"].errors
    assert "date" in errors and "venue" in errors


def test_adjust_expected_by_nip_and_unit(officer, open_event, unit_a, agency_a):
    newcomer = factories.employee(agency_a, is_active=True)
    leaving = open_event.expected.first().employee
    url = reverse("hr:event_expected", kwargs={"pk": open_event.pk})
    response = officer.post(url, {"add": f"{newcomer.nip[:8]} {newcomer.nip[8:]}",
                                  "remove": leaving.nip})
    assert response.status_code == 302
    ids = set(open_event.expected.values_list("employee_id", flat=True))
    assert newcomer.pk in ids and leaving.pk not in ids


def test_adjust_expected_refuses_unknown_and_foreign_people(officer, open_event, agency_b):
    stranger = factories.employee(agency_b)
    url = reverse("hr:event_expected", kwargs={"pk": open_event.pk})
    response = officer.post(url, {"add": f"{stranger.nip}\n123"})
    assert "Tidak ditemukan" in response.context["form"].errors["add"][0]
    assert not open_event.expected.filter(employee=stranger).exists()


def test_open_close_and_reopen_with_reason(officer, agency_a, template_version, hr_a):
    event = factories.event(agency_a, officer=hr_a, template_version=template_version,
                            status=EventStatus.DRAFT, title="X", venue="Aula")

    def go(action, **data):
        return officer.post(reverse("hr:event_transition",
                                    kwargs={"pk": event.pk, "action": action}), data,
                            follow=True)

    go("buka")
    event.refresh_from_db()
    assert event.status == EventStatus.OPEN
    go("tutup")
    event.refresh_from_db()
    assert event.status == EventStatus.CLOSED
    response = go("buka-kembali")
    assert "Alasan membuka kembali acara wajib diisi" in response.content.decode()
    event.refresh_from_db()
    assert event.status == EventStatus.CLOSED
    go("buka-kembali", reason="Pegawai yang dinas luar datang terlambat")
    event.refresh_from_db()
    assert event.status == EventStatus.OPEN
    assert AuditEntry.objects.filter(action="signing.event.reopened").count() == 1
    detail = officer.get(reverse("hr:event_detail", kwargs={"pk": event.pk})).content.decode()
    assert "Pegawai yang dinas luar datang terlambat" in detail


def test_officer_of_other_agency_gets_404_on_event(client, hr_b, open_event):
    client.force_login(hr_b)
    for name in ("hr:event_detail", "hr:event_live", "hr:event_live_panel",
                 "hr:event_expected"):
        assert client.get(reverse(name, kwargs={"pk": open_event.pk})).status_code == 404
    response = client.post(reverse("hr:event_transition",
                                   kwargs={"pk": open_event.pk, "action": "tutup"}))
    assert response.status_code == 404
    open_event.refresh_from_db()
    assert open_event.status == EventStatus.OPEN


def test_auditor_cannot_close_an_event(client, auditor_a, open_event):
    client.force_login(auditor_a)
    response = client.post(reverse("hr:event_transition",
                                   kwargs={"pk": open_event.pk, "action": "tutup"}))
    assert response.status_code == 403


def test_event_list_query_count_is_constant(officer, draft_events,
                                            django_assert_max_num_queries):
    draft_events(2)
    with django_assert_max_num_queries(10) as small:
        officer.get(reverse("hr:events"))
    draft_events(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        officer.get(reverse("hr:events"))


@pytest.mark.parametrize("name", ["hr:event_detail", "hr:event_expected"])
def test_event_pages_query_count_is_constant(officer, open_event, unit_a, hr_a, name,
                                             django_assert_max_num_queries):
    def sign(people):
        for employee in people:
            factories.signature(open_event, employee, officer=hr_a)

    url = reverse(name, kwargs={"pk": open_event.pk})
    sign([open_event.expected.first().employee])
    with django_assert_max_num_queries(20) as small:
        officer.get(url)
    more = [factories.employee(unit_a) for _ in range(60)]
    events.set_expected(event=open_event, add=more, context=AuditContext.for_user(hr_a))
    sign(more[:55])
    with django_assert_max_num_queries(len(small.captured_queries)):
        officer.get(url)


def test_officer_corrects_a_draft_event_including_the_template(officer, agency_a,
                                                               template_version, hr_a):
    event = factories.event(agency_a, officer=hr_a, template_version=template_version,
                            status=EventStatus.DRAFT, title="X", venue="Aula")
    newer = factories.template_version(agency_a, name="Templat Lain")
    url = reverse("hr:event_edit", kwargs={"pk": event.pk})
    assert officer.get(url).context["form"].initial["title"] == "X"
    response = officer.post(url, event_post(agency_a, newer, title="Apel Besar", venue="Lapangan"))
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.venue, event.template_version) == ("Apel Besar", "Lapangan", newer)
    entry = AuditEntry.objects.get(action="signing.event.updated")
    assert set(entry.details["changes"]) >= {"title", "venue", "template_version"}


def test_template_of_an_open_event_cannot_be_swapped(officer, open_event, agency_a):
    newer = factories.template_version(agency_a, name="Templat Lain")
    url = reverse("hr:event_edit", kwargs={"pk": open_event.pk})
    response = officer.post(url, event_post(agency_a, newer, title="Judul Baru"))
    assert response.status_code == 302
    open_event.refresh_from_db()
    assert open_event.title == "Judul Baru"
    assert open_event.template_version != newer


def test_closed_event_cannot_be_edited(officer, open_event, agency_a, hr_a):
    events.close_event(event=open_event, context=AuditContext.for_user(hr_a))
    url = reverse("hr:event_edit", kwargs={"pk": open_event.pk})
    response = officer.post(url, event_post(agency_a, open_event.template_version,
                                            title="Terlambat"))
    assert response.status_code == 200
    assert "Acara sudah ditutup" in response.content.decode()
    open_event.refresh_from_db()
    assert open_event.title != "Terlambat"


def test_event_page_links_to_kiosks_recap_and_each_signed_pact(officer, open_event, hr_a):
    employee = open_event.expected.first().employee
    signature = factories.signature(open_event, employee, officer=hr_a)
    page = officer.get(reverse("hr:event_detail", args=[open_event.pk])).content.decode()
    assert reverse("kiosk:devices", kwargs={"event_pk": open_event.pk}) in page
    assert reverse("audit:event_detail", args=[open_event.pk]) in page
    assert reverse("audit:signature_pdf", args=[signature.pk]) in page

"""Pact templates: list, create, edit in place or as a new version, preview, usage."""

import pytest
from django.urls import reverse

from signings import identity
from signings.models import AuditEntry, PactTemplate, PactTemplateVersion
from tests import factories

pytestmark = pytest.mark.django_db


def template_post(agency=None, **overrides):
    data = {
        "name": "Pakta Pilkada 2024", "description": "",
        "title": "PAKTA INTEGRITAS", "election": "Pemilihan 2024",
        "opening": "Saya yang bertanda tangan di bawah ini:",
        "points": "Menjaga netralitas.\n\nMenolak politik uang.\n",
        "closing": "Demikian pakta ini saya buat.", "sanctions": "Saya bersedia disanksi.",
        "legal_basis": "UU 20/2023\nUU 5/2014",
    }
    if agency is not None:
        data["agency"] = agency.pk
    data.update(overrides)
    return data


def test_officer_creates_a_template_with_points_one_per_line(officer, agency_a):
    response = officer.post(reverse("hr:template_create"), template_post(agency_a))
    assert response.status_code == 302
    version = PactTemplateVersion.objects.get()
    assert version.number == 1
    assert version.points == ["Menjaga netralitas.", "Menolak politik uang."]
    assert version.legal_basis == ["UU 20/2023", "UU 5/2014"]
    assert AuditEntry.objects.filter(action="template.created").exists()


def test_template_without_points_is_an_error_next_to_the_field(officer, agency_a):
    response = officer.post(reverse("hr:template_create"), template_post(agency_a, points=" \n"))
    assert "points" in response.context["form"].errors
    assert not PactTemplate.objects.exists()


def test_template_for_another_agency_is_rejected(officer, agency_b):
    response = officer.post(reverse("hr:template_create"), template_post(agency_b))
    assert "agency" in response.context["form"].errors


def test_unused_version_is_updated_in_place(officer, template_version):
    url = reverse("hr:template_edit", kwargs={"pk": template_version.template_id})
    officer.post(url, template_post(name=template_version.template.name, title="JUDUL BARU"))
    template_version.refresh_from_db()
    assert template_version.title == "JUDUL BARU"
    assert template_version.template.versions.count() == 1


def test_signed_version_gets_a_new_version_and_keeps_its_text(officer, open_event, hr_a):
    version = open_event.template_version
    old_hash = version.content_hash
    factories.signature(open_event, open_event.expected.first().employee, officer=hr_a,
                        template_hash=old_hash)
    url = reverse("hr:template_edit", kwargs={"pk": version.template_id})
    page = officer.get(url)
    assert page.context["frozen"] is True
    response = officer.post(url, template_post(name=version.template.name, title="BARU"),
                            follow=True)
    assert "versi 2" in response.content.decode()
    version.refresh_from_db()
    assert version.content_hash == old_hash and version.title != "BARU"
    assert version.template.versions.get(number=2).title == "BARU"


def test_version_of_an_open_event_is_not_edited_in_place(officer, open_event):
    version = open_event.template_version
    url = reverse("hr:template_edit", kwargs={"pk": version.template_id})
    officer.post(url, template_post(name=version.template.name, title="BARU"))
    assert version.template.versions.count() == 2


def test_preview_renders_the_pact_for_a_sample_employee(officer, template_version, unit_a):
    employee = factories.employee(unit_a, name="Rina Kartika")
    url = reverse("hr:version_preview", kwargs={"pk": template_version.pk})
    page = officer.get(url, {"employee": employee.pk}).content.decode()
    # The NIP as the sealed PDF prints it (grouped), from the same partial.
    assert "Rina Kartika" in page and identity.format_nip(employee.nip) in page
    assert "Menolak politik uang." in page


def test_preview_without_staff_uses_a_fictional_sample(officer, template_version):
    page = officer.get(reverse("hr:version_preview", kwargs={"pk": template_version.pk}))
    assert "Contoh Pegawai" in page.content.decode()


def test_preview_ignores_an_employee_of_another_agency(officer, template_version, agency_b):
    stranger = factories.employee(agency_b, name="Orang Lain")
    page = officer.get(reverse("hr:version_preview", kwargs={"pk": template_version.pk}),
                       {"employee": stranger.pk})
    assert "Orang Lain" not in page.content.decode()


def test_detail_shows_which_events_use_which_version(officer, open_event):
    page = officer.get(reverse("hr:template_detail",
                               kwargs={"pk": open_event.template_version.template_id}))
    assert open_event.title in page.content.decode()


def test_officer_of_other_agency_gets_404_on_template(client, hr_b, template_version):
    client.force_login(hr_b)
    url = reverse("hr:template_edit", kwargs={"pk": template_version.template_id})
    assert client.get(url).status_code == 404
    assert client.post(url, template_post()).status_code == 404


def test_template_list_query_count_is_constant(officer, agency_a,
                                               django_assert_max_num_queries):
    factories.template_version(agency_a, name="T0")
    with django_assert_max_num_queries(10) as small:
        officer.get(reverse("hr:templates"))
    for i in range(15):
        factories.template_version(agency_a, name=f"T{i + 1}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        officer.get(reverse("hr:templates"))


def test_template_detail_query_count_is_constant(officer, agency_a, template_version,
                                                 draft_events, django_assert_max_num_queries):
    url = reverse("hr:template_detail", kwargs={"pk": template_version.template_id})
    draft_events(1)
    with django_assert_max_num_queries(10) as small:
        officer.get(url)
    for _ in range(4):
        factories.template_version(agency_a)
    draft_events(10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        officer.get(url)

"""One pact text: every screen renders templates/pact/_body.html, the partial the PDF seals."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from signings.models import Employee, PactTemplateVersion
from signings.pdf import pact_text
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client, hr_a):
    client.force_login(hr_a)
    return client


def body_for(version, employee, sign_block: str = "") -> str:
    context = pact_text.body_context(version, employee, pact_text.place_now(employee.agency))
    return render_to_string("pact/_body.html", {**context, "sign_block": sign_block})


def test_hr_preview_and_officer_screen_render_the_same_pact_body(officer, open_event):
    employee = open_event.expected.first().employee
    version = open_event.template_version
    body = body_for(version, employee, sign_block="hr/_signer.html")
    preview = officer.get(reverse("hr:version_preview", kwargs={"pk": version.pk}),
                          {"employee": employee.pk}).content.decode()
    screen = officer.get(reverse("hr:record_sign", kwargs={
        "pk": open_event.pk, "employee_pk": employee.pk})).content.decode()
    assert body in preview
    assert body in screen
    assert version.legal_basis[0] in body and employee.display_name in body


def test_pact_body_orders_the_blocks_and_escapes_user_text(agency_a, unit_a):
    version = factories.template_version(
        agency_a, points=["<b>tebal</b>", "Kedua."], sanctions="Sanksi.", closing="Demikian.")
    employee = factories.employee(unit_a, name="Budi <script>")
    body = body_for(version, employee)
    assert "<b>tebal</b>" not in body and "&lt;b&gt;tebal&lt;/b&gt;" in body
    assert "<script>" not in body
    order = [version.title, version.opening, "Dengan ini menyatakan:", "Kedua.", "Sanksi.",
             "Demikian.", "Dasar hukum:", version.legal_basis[0], employee.agency.city]
    positions = [body.index(text) for text in order]
    assert positions == sorted(positions)


def test_tablet_gets_the_same_body_with_blank_signer_fields(agency_a):
    version = factories.template_version(agency_a)
    blank = pact_text.render_blank(version)
    for field in pact_text.SIGNER_FIELDS:
        assert f'<span data-pact-field="{field}"></span>' in blank
    assert version.legal_basis[0] in blank


def test_content_fields_are_the_hashed_and_edited_fields(agency_a):
    version = factories.template_version(agency_a)
    assert tuple(version.content()) == PactTemplateVersion.CONTENT_FIELDS
    from signings.forms.templates import TemplateForm

    assert set(PactTemplateVersion.CONTENT_FIELDS) <= set(TemplateForm.base_fields)


def test_roster_sends_the_blank_body_and_each_signers_printed_details(client, open_event, hr_a):
    from tests import kiosk_support

    _device, token = kiosk_support.pair(open_event, hr_a)
    data = client.get(reverse("kiosk:api:roster"), headers=kiosk_support.auth(token)).json()
    assert data["event"]["pact_html"] == pact_text.render_blank(open_event.template_version)
    assert data["event"]["timezone"] == open_event.agency.timezone
    entry = data["employees"][0]
    employee = Employee.objects.select_related("agency").get(pk=entry["id"])
    assert entry["identity_label"] == "NIP" and entry["agency"] == employee.agency.name

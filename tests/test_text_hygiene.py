"""Text hygiene in one place (signings/text.py): NUL and other control characters, lone
surrogates and bidirectional overrides are refused in every form, model, API string and import
row, with a message naming the field; a search for them finds nobody instead of failing."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import uuid

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

import signings.forms
from signings import text
from signings.forms import CleanTextMixin
from signings.models import (
    Agency,
    AuditEntry,
    Employee,
    EmployeeCategory,
    KioskDevice,
    PactTemplate,
    Signature,
    SigningEvent,
)
from signings.services import kiosk
from signings.services.context import AuditContext
from tests import factories
from tests.kiosk_support import auth, submission, submit
from tests.test_hr_events import event_post
from tests.test_hr_roster import employee_post
from tests.test_hr_templates import template_post

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Budi \u202eotnaS" prints as "Budi Santo"
HIDDEN = ["\x00", "\x1b", "\x7f", "\x85", RLO, "\u202a", "\u2066", "\u2069", "\u200f",
          "\u061c", "\u2028", "\ud800"]


# --- the module --------------------------------------------------------------------------------


@pytest.mark.parametrize("char", HIDDEN)
def test_hidden_characters_are_found_anywhere_in_the_text(char):
    assert text.forbidden_character(f"Budi {char}Santoso") == char
    assert text.forbidden_character(f"Budi {char}Santoso", multiline=True) == char


@pytest.mark.parametrize("value", ["Sri Wahyuni, S.Pd.", "Nur'aini", "Dr. Ir. H. Ahmad",
                                   "Kepala Bidang Pengadaan Barang/Jasa", "José Ñúñez",
                                   "Ketua DPRD — Kabupaten", "نور", "🙂"])
def test_ordinary_text_passes(value):
    assert text.is_clean(value)


def test_line_breaks_and_tabs_only_in_multiline_text():
    assert text.forbidden_character("Satu\nDua") == "\n"
    assert text.forbidden_character("Satu\r\nDua\tTiga", multiline=True) is None


def test_the_refusal_names_the_field_and_the_character():
    with pytest.raises(text.TextError) as refused:
        text.check(f"Budi {RLO}otnaS", field="Nama")
    assert refused.value.code == "text.forbidden_character"
    assert refused.value.message.startswith("Nama berisi karakter tersembunyi")
    assert "U+202E, pengubah arah teks" in refused.value.message
    row = text.row_problems({"name": "Budi\x00"}, labels={"name": "Nama"}, row=7)
    assert row == ["Baris 7, kolom Nama: berisi karakter tersembunyi yang tidak diizinkan "
                   "(U+0000, karakter kendali). Hapus karakter itu lalu unggah lagi."]


def test_scrub_keeps_text_but_not_hidden_characters():
    assert text.scrub(f"Mozilla{RLO}\x00/5.0") == "Mozilla\ufffd\ufffd/5.0"


# --- every HR form -------------------------------------------------------------------------------


def _form_classes():
    for module_info in pkgutil.iter_modules(signings.forms.__path__):
        module = importlib.import_module(f"signings.forms.{module_info.name}")
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if (issubclass(obj, forms.BaseForm) and obj.__module__ == module.__name__):
                yield obj


def test_every_form_checks_its_text():
    classes = list(_form_classes())
    assert len(classes) >= 12
    unchecked = sorted(c.__name__ for c in classes if not issubclass(c, CleanTextMixin))
    assert not unchecked, f"base these on CleanTextForm / CleanTextModelForm: {unchecked}"


@pytest.mark.parametrize("char", ["\x00", RLO, "\u2066"])
def test_a_hidden_character_in_a_name_is_refused_and_nothing_is_written(client, hr_a, unit_a,
                                                                       char):
    client.force_login(hr_a)
    response = client.post(reverse("hr:employee_create"),
                           employee_post(unit_a, name=f"Budi {char}otnaS"))
    assert response.status_code == 200
    [message] = response.context["form"].errors["name"]
    assert message.startswith("Nama (tanpa gelar) berisi karakter tersembunyi")
    assert not Employee.objects.exists()
    assert not AuditEntry.objects.filter(action="roster.employee.created").exists()


def test_an_event_title_with_a_control_character_is_refused(officer, agency_a, template_version):
    response = officer.post(reverse("hr:event_create"),
                            event_post(agency_a, template_version, title="Apel\x1b[31m"))
    assert response.status_code == 200
    assert "Judul acara berisi karakter" in response.context["form"].errors["title"][0]
    assert not SigningEvent.objects.exists()


def test_a_witness_list_keeps_its_lines_but_not_an_override(officer, agency_a,
                                                            template_version):
    response = officer.post(reverse("hr:event_create"), event_post(
        agency_a, template_version, witnesses=f"Ketua DPRD\r\nKapolres {RLO}"))
    assert "witnesses" in response.context["form"].errors
    assert not SigningEvent.objects.exists()


def test_template_text_may_have_lines_but_no_override(officer, agency_a):
    response = officer.post(reverse("hr:template_create"),
                            template_post(agency_a, points=f"Menjaga netralitas.\n{RLO}Tolak"))
    assert response.status_code == 200
    assert "Butir-butir pernyataan berisi" in response.context["form"].errors["points"][0]
    assert not PactTemplate.objects.exists()


def test_a_tablet_name_with_an_override_is_refused(officer, open_event):
    response = officer.post(reverse("kiosk:device_add", kwargs={"event_pk": open_event.pk}),
                            {"name": f"Tablet {RLO}1"})
    assert response.status_code == 422
    assert "Nama tablet berisi karakter tersembunyi" in response.content.decode()
    assert not KioskDevice.objects.exists()


def test_a_void_reason_with_a_nul_is_refused(officer, open_event, unit_a, hr_a):
    signature = factories.signature(open_event, factories.employee(unit_a), officer=hr_a)
    response = officer.post(reverse("hr:signature_void", args=[signature.pk]),
                            {"reason": "Salah\x00orang"})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    signature.refresh_from_db()
    assert signature.voided_at is None


def test_model_validation_refuses_it_too(unit_a):
    employee = Employee(name=f"Budi {RLO}otnaS", category=EmployeeCategory.PNS,
                        position="Analis", agency=unit_a, nip=factories.pns_nip(5),
                        grade="III/a")
    with pytest.raises(ValidationError) as refused:
        employee.full_clean()
    assert refused.value.message_dict["name"][0].startswith("Nama (tanpa gelar) berisi")
    agency = Agency(code="X", name="Dinas\x00", kind="department", parent=unit_a, city="Sampit")
    with pytest.raises(ValidationError) as refused:
        agency.full_clean()
    assert "name" in refused.value.message_dict


def test_the_admin_refuses_it_through_model_validation(client, admin_user, agency_a):
    client.force_login(admin_user)
    response = client.post(reverse("admin:signings_agency_add"), {
        "code": "A-X", "name": f"Dinas {RLO}X", "short_name": "", "kind": "department",
        "parent": agency_a.pk, "city": "Sampit", "timezone": "Asia/Jakarta",
    })
    assert response.status_code == 200
    assert not Agency.objects.filter(code="A-X").exists()


def test_an_officer_name_with_an_override_is_refused_in_the_admin(client, admin_user, hr_a):
    client.force_login(admin_user)
    response = client.post(reverse("admin:auth_user_change", args=[hr_a.pk]), {
        "username": hr_a.username, "first_name": f"Budi {RLO}otnaS", "last_name": "",
        "email": hr_a.email, "is_active": "on",
        "signings-roleassignment-content_type-object_id-TOTAL_FORMS": "0",
    })
    assert response.status_code == 200
    assert "berisi karakter tersembunyi" in response.content.decode()
    hr_a.refresh_from_db()
    assert hr_a.first_name == ""


# --- the kiosk API -----------------------------------------------------------------------------


@pytest.mark.parametrize("field, value", [
    ("template_hash", f"abc{RLO}"),
    ("image", "data:image/png;base64,\x00AAAA"),
    ("consent_hash", "\u2066" * 3),
    ("client_signed_at", "2024-01-17T08:30:00+07:00\x00"),
])
def test_an_api_string_with_a_hidden_character_is_refused(client, open_event, tablet, field,
                                                          value):
    _device, token = tablet
    person = open_event.expected.first().employee
    response = submit(client, token, submission(open_event, person, **{field: value}))
    data = response.json()
    assert (response.status_code, data["code"]) == (422, "text.forbidden_character")
    assert data["message"].startswith(f"{field} berisi karakter tersembunyi")
    assert not Signature.objects.exists()
    assert not AuditEntry.objects.filter(action="signing.signature.recorded").exists()


def test_only_fields_that_can_hold_text_are_walked():
    from signings.api.schemas import SubmissionIn, _holds_text

    walked = {name for name, field in SubmissionIn.model_fields.items()
              if _holds_text(field.annotation)}
    # Not the strokes: 400,000 floats walked in Python would cost a second per request.
    assert walked == {"image", "template_hash", "consent_hash"}


def test_a_lone_surrogate_in_json_is_refused(client, open_event, tablet):
    _device, token = tablet
    person = open_event.expected.first().employee
    body = json.dumps(submission(open_event, person, template_hash="X")).replace(
        '"X"', '"\\ud800"')
    response = submit(client, token, body)
    assert (response.status_code, response.json()["code"]) == (422,
                                                               "text.forbidden_character")
    assert not Signature.objects.exists()


def test_a_pairing_code_with_a_nul_is_refused(client, open_event, hr_a):
    code = kiosk.add_device(event=open_event, name="Tablet A",
                            context=AuditContext.for_user(hr_a)).code
    response = client.post(reverse("kiosk:api:pair"), {"code": code + "\x00"},
                           content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (422,
                                                               "text.forbidden_character")
    assert KioskDevice.objects.get().paired_at is None


def test_an_identity_report_with_a_hidden_character_is_refused(client, open_event, tablet):
    _device, token = tablet
    person = open_event.expected.first().employee
    response = client.post(reverse("kiosk:api:identity_attempts"),
                           {"attempt_id": str(uuid.uuid4()), "employee_id": person.pk,
                            "wrong": 1, "client_at": f"2024-01-17T08:30:00{RLO}+07:00"},
                           content_type="application/json", headers=auth(token))
    assert (response.status_code, response.json()["code"]) == (422,
                                                               "text.forbidden_character")


def test_a_user_agent_with_hidden_characters_is_stored_scrubbed(client, open_event, hr_a):
    code = kiosk.add_device(event=open_event, name="Tablet A",
                            context=AuditContext.for_user(hr_a)).code
    response = client.post(reverse("kiosk:api:pair"), {"code": code},
                           content_type="application/json",
                           headers={"User-Agent": f"Tablet{RLO}Browser"})
    assert response.status_code == 200
    assert KioskDevice.objects.get().user_agent == "Tablet\ufffdBrowser"


# --- query strings -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["%00", "Budi%00", "%E2%80%AE", "%1B%5B2J"])
@pytest.mark.parametrize("name", ["hr:event_live", "hr:event_live_panel", "hr:event_expected"])
def test_a_search_for_hidden_characters_on_an_event_finds_nobody(officer, open_event, name,
                                                                 query):
    response = officer.get(reverse(name, args=[open_event.pk]) + f"?q={query}")
    assert response.status_code == 200
    context = response.context
    if "page" in context:
        assert len(context["page"].object_list) == 0
    else:
        assert list(context["unsigned"]) == [] and list(context["signed"]) == []


@pytest.mark.parametrize("query", ["%00", "%E2%80%AE"])
@pytest.mark.parametrize("name", ["hr:employees", "hr:roster_export"])
def test_a_search_for_hidden_characters_in_the_roster_finds_nobody(officer, employee_a, name,
                                                                   query):
    url = reverse(name, kwargs={"fmt": "csv"} if name == "hr:roster_export" else {})
    response = officer.get(f"{url}?q={query}")
    assert response.status_code == 200
    assert employee_a.name not in response.content.decode("utf-8-sig")


def test_an_id_parameter_that_is_a_superscript_digit_is_ignored(client, hr_a, auditor_a,
                                                                agency_a, template_version):
    client.force_login(hr_a)
    preview = reverse("hr:version_preview", args=[template_version.pk])
    assert client.get(preview + "?employee=%C2%B2").status_code == 200
    client.force_login(auditor_a)
    compliance = reverse("audit:compliance", args=[agency_a.pk])
    assert client.get(compliance + "?acara=%C2%B2").status_code == 200

"""The admin is no side door: every registered ModelAdmin either refuses writes or leaves an
audit entry for each one.

The walk covers `admin.site._registry`, so an admin added later (ours or a library's) fails
here until it has a CASE: a sample object, and for a writable admin the data of a valid add or
change. Writes go through the admin's own HTTP views, as an administrator would make them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.db import models
from django.forms import MultiWidget
from django.test import RequestFactory
from django.urls import reverse

from signings.models import (
    AbsenceReason,
    ArchiveJob,
    AttendanceStatus,
    AuditEntry,
    Echelon,
    Role,
)
from signings.services import attendance, kiosk
from signings.services.context import AuditContext
from tests import factories


@dataclass
class World:
    event: Any
    admin: Any
    unit: Any
    agency: Any


@dataclass(frozen=True)
class Case:
    """How to exercise one admin: an object it shows, and valid data for its write views."""

    sample: Callable[[World], models.Model]
    add: Callable[[World], dict] | None = None  # fields for the add form
    change: Callable[[World], dict] | None = None  # fields changed on the sample


def _user(world):
    return factories.user("calon")


def _role(world):
    return factories.user("calon", role=Role.AUDITOR, agency=world.agency).role_assignments.get()


def _agency(world):
    from signings.models import Agency, AgencyKind

    return Agency.objects.create(code="A-BARU", name="Bagian Baru", kind=AgencyKind.UNIT,
                                 city="Sampit", parent=world.agency)


def _attempt(world):
    from axes.models import AccessAttempt

    return AccessAttempt.objects.create(
        username="hr_a", ip_address="10.0.0.9", user_agent="uji", get_data="", post_data="",
        http_accept="*/*", path_info="/masuk/", failures_since_start=5)


def _access_log(world):
    from axes.models import AccessLog

    return AccessLog.objects.create(username="hr_a", ip_address="10.0.0.9", user_agent="uji",
                                    http_accept="*/*", path_info="/masuk/")


def _failure_log(world):
    from axes.models import AccessFailureLog

    return AccessFailureLog.objects.create(username="hr_a", ip_address="10.0.0.9",
                                           user_agent="uji", http_accept="*/*",
                                           path_info="/masuk/", locked_out=False)


def _task_result(world):
    from django_tasks_db.models import DBTaskResult

    from signings.tasks import make_signature_thumbnail

    result = make_signature_thumbnail.enqueue(signature_id=0)
    return DBTaskResult.objects.get(pk=result.id)


def _outcome(world):
    employee = world.event.expected.first().employee
    return attendance.record_outcome(
        event=world.event,
        employee=employee,
        outcome=attendance.OutcomeNote(status=AttendanceStatus.ABSENT, reason=AbsenceReason.SICK),
        context=AuditContext.for_user(world.admin),
    )


def _signature(world):
    return factories.signature(world.event, world.event.expected.last().employee,
                               officer=world.admin)


def _recap(world):
    from signings.services import recaps
    from signings.services.context import AuditContext

    return recaps.issue_recap(event=world.event, context=AuditContext.system("test")).recap


def _certified_recap(world):
    """Stored as the service stores one; signing itself needs BSrE (tests/test_bsre_recap.py)."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from signings.models import RecapCertifiedSignature

    recap = _recap(world)
    data = recap.file.open("rb").read()
    row = RecapCertifiedSignature(recap=recap, signer_name="Saksi", signer_role="Saksi",
                                  signed_by=world.admin, signed_at=timezone.now(),
                                  sha256=hashlib.sha256(data).hexdigest())
    row.file.save("rekap-ttd-uji.pdf", ContentFile(data), save=False)
    row.save()
    return row


def _unit_mapping(world):
    from signings.services import imports

    return imports.save_unit_mapping(agency=world.agency, source_name="UPT Puskesmas",
                                     unit=world.unit,
                                     context=AuditContext.for_user(world.admin))


def _column_mapping(world):
    from signings.services import imports

    return imports.save_column_mapping(
        agency=world.agency, header=["NIP", "Nama", "Jabatan"],
        columns={"nip": 0, "name": 1, "position": 2}, default_category="PNS",
        context=AuditContext.for_user(world.admin))


def _identity_lock(world):
    import uuid

    from signings.services import identity_checks

    return identity_checks.record_wrong_attempts(
        event=world.event, employee=world.event.expected.first().employee,
        report=identity_checks.WrongDates(attempt_id=uuid.uuid4(), wrong=3),
        context=AuditContext.system("tests"))


def _identity_attempt(world):
    from signings.models import IdentityAttempt

    _identity_lock(world)
    return IdentityAttempt.objects.get()


def _archive_job(world):
    return ArchiveJob.objects.create(agency=world.agency, event=world.event,
                                     requested_by=world.admin)


def _bkn_report_job(world):
    from signings.models import BknReportJob

    return BknReportJob.objects.create(agency=world.agency, event=world.event,
                                       requested_by=world.admin)


def _seal_certificate(world):
    from signings.pdf import seal
    from signings.services import seal_certificates
    from signings.services.context import AuditContext

    return seal_certificates.register_in_use(certificate=seal.seal_certificate(),
                                             context=AuditContext.system("tests"))


def _witnessed(world):
    """An event on the Pakta Integritas template and a pact its signer's superior witnesses."""
    from tests.witness_support import office

    setup = office(world.agency, world.unit, world.admin, staff=1)
    return setup.event, setup.chief, factories.signature(setup.event, setup.staff[0],
                                                         officer=world.admin)


def _witness_link(world):
    from signings.services import witnesses

    event, chief, _signature = _witnessed(world)
    return witnesses.create_link(event=event, witness=chief,
                                 context=AuditContext.for_user(world.admin))[0]


def _witness_signature(world):
    from signings.models import WitnessMethod
    from signings.services import witnesses

    event, chief, signature = _witnessed(world)
    return witnesses.record_witness(
        event=event, witness=chief, context=AuditContext.for_user(world.admin),
        submission=witnesses.WitnessSubmission(
            signature_ids=[signature.pk], image_png=factories.signature_png(),
            method=WitnessMethod.OFFICER_SCREEN))[0]


def _checkpoint(world):
    from signings.services import checkpoints

    return checkpoints.make_checkpoint(chain=checkpoints.chain_of_agency(world.agency),
                                       context=AuditContext.system("tests"))


CASES: dict[str, Case] = {
    "auth.user": Case(
        sample=_user,
        add=lambda w: {"username": "pengguna_baru", "usable_password": "true",
                       "password1": factories.PASSWORD, "password2": factories.PASSWORD},
        change=lambda w: {"first_name": "Calon", "email": "calon@example.org"},
    ),
    "axes.accessattempt": Case(sample=_attempt),
    "axes.accesslog": Case(sample=_access_log),
    "axes.accessfailurelog": Case(sample=_failure_log),
    "django_tasks_database.dbtaskresult": Case(sample=_task_result),
    "signings.agency": Case(
        sample=_agency,
        add=lambda w: {"code": "A-LAIN", "name": "Bagian Lain", "kind": "unit",
                       "parent": w.agency.pk, "city": "Sampit", "timezone": "Asia/Jakarta"},
        change=lambda w: {"name": "Bagian Umum", "city": "Palangka Raya"},
    ),
    "signings.employee": Case(
        sample=lambda w: factories.employee(w.unit),
        add=lambda w: {"name": "Pegawai Baru", "category": "PNS", "nip": factories.pns_nip(901),
                       "position": "Analis", "grade": "III/a", "echelon": str(Echelon.NONE),
                       "agency": w.unit.pk, "is_active": "on"},
        change=lambda w: {"position": "Kepala Seksi Umum"},
    ),
    "signings.pacttemplate": Case(sample=lambda w: w.event.template_version.template),
    "signings.pacttemplateversion": Case(sample=lambda w: w.event.template_version),
    "signings.signingevent": Case(sample=lambda w: w.event),
    "signings.eventstatuschange": Case(sample=lambda w: w.event.status_changes.first()),
    "signings.expectedsigner": Case(sample=lambda w: w.event.expected.first()),
    "signings.attendanceoutcome": Case(sample=_outcome),
    "signings.signature": Case(sample=_signature),
    "signings.kioskdevice": Case(
        sample=lambda w: kiosk.add_device(event=w.event, name="Tablet 1",
                                          context=AuditContext.for_user(w.admin)).device),
    "signings.roleassignment": Case(
        sample=_role,
        add=lambda w: {"user": factories.user("baru").pk, "role": Role.HR_OFFICER,
                       "agency": w.agency.pk},
    ),
    "signings.auditentry": Case(sample=lambda w: AuditEntry.objects.order_by("id").first()),
    "signings.archivejob": Case(sample=_archive_job),
    "signings.bknreportjob": Case(sample=_bkn_report_job),
    "signings.auditcheckpoint": Case(sample=_checkpoint),
    "signings.identitylock": Case(sample=_identity_lock),
    "signings.unitmapping": Case(sample=_unit_mapping),
    "signings.columnmapping": Case(sample=_column_mapping),
    "signings.identityattempt": Case(sample=_identity_attempt),
    "signings.eventrecap": Case(sample=_recap),
    "signings.recapcertifiedsignature": Case(sample=_certified_recap),
    "signings.sealcertificate": Case(sample=_seal_certificate),
    "signings.witnesslink": Case(sample=_witness_link),
    "signings.witnesssignature": Case(sample=_witness_signature),
}

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label_lower)
IDS = [model._meta.label_lower for model in REGISTERED]


@pytest.fixture
def world(open_event, admin_user, unit_a, agency_a) -> World:
    return World(event=open_event, admin=admin_user, unit=unit_a, agency=agency_a)


def _admin_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _rows(model, pk) -> list[dict]:
    return list(model._base_manager.filter(pk=pk).values())


def _post_value(field, value):
    if isinstance(value, bool):
        return "on" if value else None
    if value is None:
        return ""
    return value


def form_data(client, url) -> dict:
    """What the admin page would submit unchanged: its form's values and inline forms."""
    response = client.get(url)
    assert response.status_code == 200, url
    data: dict[str, Any] = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(field.widget, MultiWidget):
            for index, part in enumerate(field.widget.decompress(value)):
                data[f"{name}_{index}"] = _post_value(field, part)
            continue
        value = _post_value(field, value)
        if value is not None:
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
    return data


def _new_entries(since: int):
    return AuditEntry.objects.filter(pk__gt=since)


def _last_entry_id() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_every_registered_admin_says_how_it_is_exercised():
    missing = sorted(set(IDS) - set(CASES))
    assert not missing, f"Add a Case to tests/test_admin_audit.py for: {missing}"


def _setup(model, world, client):
    client.force_login(world.admin)
    model_admin = admin.site._registry[model]
    case = CASES[model._meta.label_lower]
    return model_admin, case, _admin_request(world.admin)


@pytest.mark.parametrize("model", REGISTERED, ids=IDS)
def test_admin_add_is_refused_or_audited(model, world, client):
    model_admin, case, request = _setup(model, world, client)
    before_count, since = model._base_manager.count(), _last_entry_id()
    if not model_admin.has_add_permission(request):
        response = client.post(_url(model, "add"), {"name": "diubah"})
        assert response.status_code == 403
        assert model._base_manager.count() == before_count
        return
    assert case.add is not None, f"{model_admin} can add: give its Case an `add`"
    url = _url(model, "add")
    data = {**form_data(client, url), **case.add(world)}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert model._base_manager.count() == before_count + 1
    created = model._base_manager.order_by("-pk").first()
    assert _new_entries(since).filter(object_type=model._meta.label_lower,
                                      object_id=str(created.pk)).exists()


@pytest.mark.parametrize("model", REGISTERED, ids=IDS)
def test_admin_change_is_refused_or_audited(model, world, client):
    model_admin, case, request = _setup(model, world, client)
    obj = case.sample(world)
    before, since = _rows(model, obj.pk), _last_entry_id()
    url = _url(model, "change", obj.pk)
    if not model_admin.has_change_permission(request, obj):
        tampered = {f.name: "diubah" for f in model._meta.concrete_fields
                    if isinstance(f, models.CharField) and not f.primary_key}
        response = client.post(url, tampered)
        assert response.status_code == 403
        assert _rows(model, obj.pk) == before
        return
    assert case.change is not None, f"{model_admin} can change: give its Case a `change`"
    data = {**form_data(client, url), **case.change(world)}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert _rows(model, obj.pk) != before
    assert AuditEntry.objects.for_object(obj).filter(pk__gt=since).exists()


@pytest.mark.parametrize("how", ["delete_view", "bulk_action"])
@pytest.mark.parametrize("model", REGISTERED, ids=IDS)
def test_admin_delete_is_refused_or_audited(model, how, world, client):
    model_admin, case, request = _setup(model, world, client)
    obj = case.sample(world)
    since = _last_entry_id()
    if how == "delete_view":
        response = client.post(_url(model, "delete", obj.pk), {"post": "yes"})
    else:
        response = client.post(_url(model, "changelist"), {
            "action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
    if not model_admin.has_delete_permission(request, obj):
        # The delete view refuses; the changelist does not offer the action at all.
        assert how == "bulk_action" or response.status_code == 403
        assert _rows(model, obj.pk)
        return
    assert response.status_code == 302
    assert not _rows(model, obj.pk)
    assert AuditEntry.objects.for_object(obj).filter(pk__gt=since).exists()


@pytest.mark.parametrize("model", REGISTERED, ids=IDS)
def test_admin_page_of_every_object_opens(model, world, client):
    """Read-only pages still show everything, with a link to where the object is edited."""
    model_admin, case, request = _setup(model, world, client)
    obj = case.sample(world)
    response = client.get(_url(model, "change", obj.pk))
    assert response.status_code == 200
    site_url = model_admin.get_view_on_site_url(obj)
    if site_url and not site_url.startswith("/admin/r/"):
        assert client.get(site_url).status_code == 200

"""Every model has an admin page that lists, searches and filters."""

import pytest
from django.contrib import admin
from django.urls import reverse

from signings import models as m

FILTERS = {
    m.Employee: "?category__exact=PNS&q=Pegawai",
    m.SigningEvent: "?status__exact=open&q=Apel",
    m.Signature: "?method__exact=officer",
    m.Agency: "?kind__exact=regency&q=Kabupaten",
}


def test_every_model_of_the_app_is_registered():
    from django.apps import apps

    missing = [model.__name__ for model in apps.get_app_config("signings").get_models()
               if not admin.site.is_registered(model)]
    assert not missing


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(apps_models := [
    m.Agency, m.Employee, m.PactTemplate, m.PactTemplateVersion, m.SigningEvent,
    m.EventStatusChange, m.ExpectedSigner, m.AttendanceOutcome, m.Signature, m.KioskDevice,
    m.RoleAssignment, m.AuditEntry, m.IdentityLock, m.IdentityAttempt, m.UnitMapping,
    m.ColumnMapping,
]), ids=lambda model: model.__name__)
def test_admin_changelist_searches_and_filters(model, admin_client, open_event):
    url = reverse(f"admin:signings_{model._meta.model_name}_changelist")
    response = admin_client.get(url + FILTERS.get(model, "?q=a"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_audit_entries_cannot_be_changed_in_the_admin(admin_client, open_event):
    entry = m.AuditEntry.objects.first()
    url = reverse("admin:signings_auditentry_change", args=[entry.pk])
    response = admin_client.post(url, {"action": "tampered"})
    assert response.status_code == 403

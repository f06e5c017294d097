"""Accounts and roles: granted, revoked and changed only with an audit entry."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from signings import access
from signings.errors import PaktaError
from signings.models import AuditEntry, Role, RoleAssignment
from signings.services import roles
from signings.services.context import AuditContext
from tests import factories

pytestmark = pytest.mark.django_db


def test_granting_a_role_gives_access_and_leaves_an_entry(agency_a, admin_user):
    user = factories.user("calon")
    assignment = roles.grant_role(user=user, role=Role.AUDITOR, agency=agency_a,
                                  context=AuditContext.for_user(admin_user))
    entry = AuditEntry.objects.for_object(assignment).get()
    assert entry.action == "access.role.granted"
    assert entry.actor == admin_user and entry.agency == agency_a
    assert entry.details == {"user": user.pk, "username": "calon", "role": "auditor",
                             "agency": agency_a.pk}
    assert access.can(get_user_model().objects.get(pk=user.pk), access.Ability.AUDIT, agency_a)


def test_granting_a_role_twice_is_refused_with_nothing_written(agency_a, admin_user):
    user = factories.user("calon", role=Role.AUDITOR, agency=agency_a)
    before = AuditEntry.objects.count()
    with pytest.raises(PaktaError) as refused:
        roles.grant_role(user=user, role=Role.AUDITOR, agency=agency_a,
                         context=AuditContext.for_user(admin_user))
    assert refused.value.code == "role.duplicate"
    assert AuditEntry.objects.count() == before
    assert RoleAssignment.objects.filter(user=user).count() == 1


def test_revoking_a_role_keeps_who_held_it_in_the_entry(agency_a, admin_user):
    user = factories.user("calon", role=Role.HR_OFFICER, agency=agency_a)
    assignment = user.role_assignments.get()
    roles.revoke_role(assignment=assignment, context=AuditContext.for_user(admin_user))
    assert not RoleAssignment.objects.filter(user=user).exists()
    entry = AuditEntry.objects.for_object(assignment).latest("id")
    assert entry.action == "access.role.revoked"
    assert entry.details["username"] == "calon" and entry.details["role"] == "hr"


def test_test_and_demo_roles_come_through_the_service(hr_a):
    assignment = hr_a.role_assignments.get()
    assert AuditEntry.objects.for_object(assignment).filter(
        action="access.role.granted").exists()


def test_password_change_in_the_admin_is_audited_without_the_password(admin_client):
    user = factories.user("calon")
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    response = admin_client.post(url, {"password1": "an0ther-Strong-pass",
                                       "password2": "an0ther-Strong-pass",
                                       "usable_password": "true"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("an0ther-Strong-pass")
    entry = AuditEntry.objects.for_object(user).get(action="access.account.password_changed")
    assert entry.details == {"usable_password": True}
    assert user.password not in str(entry.details)


def test_an_invalid_password_in_the_admin_changes_nothing(admin_client):
    user = factories.user("calon")
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    response = admin_client.post(url, {"password1": "a", "password2": "b",
                                       "usable_password": "true"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(factories.PASSWORD)
    assert not AuditEntry.objects.for_object(user).exists()


def test_deleting_an_account_revokes_its_roles_each_with_an_entry(admin_client, agency_a):
    user = factories.user("calon", role=Role.AUDITOR, agency=agency_a)
    assignment = user.role_assignments.get()
    response = admin_client.post(reverse("admin:auth_user_delete", args=[user.pk]),
                                 {"post": "yes"})
    assert response.status_code == 302
    assert AuditEntry.objects.for_object(assignment).filter(action="access.role.revoked").exists()
    assert AuditEntry.objects.for_object(user).filter(action="access.account.deleted").exists()


def test_the_admin_has_no_groups_or_model_permissions():
    from django.contrib import admin
    from django.contrib.auth.models import Group

    assert not admin.site.is_registered(Group)


def test_a_refusal_of_the_service_is_a_message_in_the_admin_not_an_error(
        admin_client, employee_a, monkeypatch):
    from signings.services import roster

    def refuse(**kwargs):
        # What the database constraint answers when another officer saved the same NIP first.
        raise roster.RosterError("employee.duplicate", "NIP/NIK ini baru saja didaftarkan.")

    monkeypatch.setattr(roster, "update_employee", refuse)
    url = reverse("admin:signings_employee_change", args=[employee_a.pk])
    data = {"name": "Nama Baru", "category": employee_a.category, "nip": employee_a.nip,
            "position": employee_a.position, "grade": employee_a.grade,
            "echelon": employee_a.echelon, "agency": employee_a.agency_id, "is_active": "on"}
    response = admin_client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "NIP/NIK ini baru saja didaftarkan." in response.content.decode()
    employee_a.refresh_from_db()
    assert employee_a.name != "Nama Baru"


def test_event_status_cannot_be_changed_in_the_admin(admin_client, open_event):
    url = reverse("admin:signings_signingevent_change", args=[open_event.pk])
    response = admin_client.post(url, {"status": "closed", "title": open_event.title})
    assert response.status_code == 403
    open_event.refresh_from_db()
    assert open_event.status == "open"
    # The page links to the HR console, where closing and reopening (with a reason) live.
    page = admin_client.get(url).content.decode()
    assert reverse("hr:event_detail", args=[open_event.pk]) in page

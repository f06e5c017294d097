import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from signings import access
from signings.access import Ability
from signings.models import Employee, Role, RoleAssignment, SigningEvent
from tests import factories


@pytest.mark.django_db
def test_scope_covers_the_subtree_only(hr_a, unit_a, agency_b):
    inside = factories.employee(unit_a)
    factories.employee(agency_b)
    assert list(access.scoped(Employee.objects.all(), hr_a, Ability.VIEW)) == [inside]


@pytest.mark.django_db
def test_roles_in_several_agencies_add_up(hr_a, agency_b, unit_a):
    RoleAssignment.objects.create(user=hr_a, agency=agency_b, role=Role.AUDITOR)
    factories.employee(unit_a)
    factories.employee(agency_b)
    hr_a._pakta_assignments = None
    assert access.scoped(Employee.objects.all(), hr_a).count() == 2
    assert access.scoped(Employee.objects.all(), hr_a, Ability.MANAGE).count() == 1
    assert access.can(hr_a, Ability.AUDIT, agency_b)
    assert not access.can(hr_a, Ability.MANAGE, agency_b)


@pytest.mark.django_db
def test_officer_of_other_agency_gets_404(hr_b, open_event):
    with pytest.raises(Http404):
        access.get_scoped_or_404(SigningEvent.objects.all(), hr_b, Ability.VIEW, pk=open_event.pk)


@pytest.mark.django_db
def test_auditor_inside_scope_cannot_manage(auditor_a, open_event):
    event = access.get_scoped_or_404(SigningEvent.objects.all(), auditor_a, Ability.VIEW,
                                     pk=open_event.pk)
    assert event == open_event
    with pytest.raises(PermissionDenied):
        access.get_scoped_or_404(SigningEvent.objects.all(), auditor_a, Ability.MANAGE,
                                 pk=open_event.pk)


@pytest.mark.django_db
def test_malformed_ids_are_404_not_500(hr_a):
    with pytest.raises(Http404):
        access.get_scoped_or_404(SigningEvent.objects.all(), hr_a, Ability.VIEW, pk="abc")


@pytest.mark.django_db
def test_admin_sees_everything(admin_user, open_event, agency_b):
    assert access.can(admin_user, Ability.MANAGE, agency_b)
    assert access.scoped(SigningEvent.objects.all(), admin_user).count() == 1


@pytest.mark.django_db
def test_user_without_role_sees_nothing(django_user_model, open_event):
    nobody = django_user_model.objects.create_user("nobody", password="x-Strong-pass-1")
    assert not access.scoped(SigningEvent.objects.all(), nobody).exists()

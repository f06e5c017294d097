"""Edits made in the admin leave an entry listing exactly the fields that changed."""

import pytest
from django.contrib.auth import get_user_model

from signings.models import Agency, AuditEntry
from signings.services import accounts, agencies
from signings.services.context import AuditContext
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_agency_edit_records_only_the_fields_that_changed(unit_a, agency_b, admin_user):
    agency = Agency.objects.get(pk=unit_a.pk)
    agency.city = "Palangka Raya"
    agency.parent = agency_b
    agencies.update_agency(agency=agency, context=AuditContext.for_user(admin_user))
    entry = AuditEntry.objects.get(action="roster.agency.updated")
    assert entry.details["changes"] == {"parent_id": [unit_a.parent_id, agency_b.pk],
                                        "city": ["Sampit", "Palangka Raya"]}


def test_an_account_edit_records_only_the_fields_that_changed(admin_user):
    user = get_user_model().objects.get(pk=factories.user("calon").pk)
    user.first_name = "Siti"
    user.is_active = False
    accounts.update_account(user=user, context=AuditContext.for_user(admin_user))
    entry = AuditEntry.objects.get(action="access.account.updated")
    assert entry.details["changes"] == {"first_name": ["", "Siti"], "is_active": [True, False]}

"""Shared fixtures. Tests run on PostgreSQL (DATABASE_URL), never on SQLite."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from signings.models import (
    Agency,
    AgencyKind,
    Employee,
    PactTemplateVersion,
    Role,
)
from signings.services import events
from signings.services.context import AuditContext
from signings.services.events import NewEvent
from tests import factories


@pytest.fixture(autouse=True)
def _indonesian():
    # A request in English (the language menu) leaves the thread's language switched; every
    # test starts from the product's default.
    with translation.override("id"):
        yield


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PAKTA_SEAL_PKCS12 = str(tmp_path / "seal" / "dev-seal.p12")


@pytest.fixture
def agency_a(db) -> Agency:
    return Agency.objects.create(code="A", name="Pemerintah Kabupaten A", kind=AgencyKind.REGENCY,
                                 city="Sampit")


@pytest.fixture
def unit_a(agency_a) -> Agency:
    return Agency.objects.create(code="A-DINKES", name="Dinas Kesehatan A",
                                 kind=AgencyKind.DEPARTMENT, city="Sampit", parent=agency_a)


@pytest.fixture
def agency_b(db) -> Agency:
    return Agency.objects.create(code="B", name="Pemerintah Kabupaten B", kind=AgencyKind.REGENCY,
                                 city="Kuala Pembuang")


@pytest.fixture
def hr_a(agency_a):
    return factories.user("hr_a", role=Role.HR_OFFICER, agency=agency_a)


@pytest.fixture
def hr_b(agency_b):
    return factories.user("hr_b", role=Role.HR_OFFICER, agency=agency_b)


@pytest.fixture
def auditor_a(agency_a):
    return factories.user("auditor_a", role=Role.AUDITOR, agency=agency_a)


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "x-Strong-pass-1")


@pytest.fixture
def employee_a(unit_a) -> Employee:
    return factories.employee(unit_a)


@pytest.fixture
def template_version(agency_a) -> PactTemplateVersion:
    return factories.template_version(agency_a)


@pytest.fixture
def open_event(agency_a, unit_a, template_version, hr_a):
    for _ in range(3):
        factories.employee(unit_a)
    event = events.create_event(
        agency=agency_a,
        details=NewEvent(
            template_version=template_version,
            title="Apel Pakta Integritas",
            date=datetime.date(2024, 1, 17),
            venue="Halaman Kantor",
        ),
        context=AuditContext.for_user(hr_a),
    )
    return events.open_event(event=event, context=AuditContext.for_user(hr_a))



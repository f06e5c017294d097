"""Walk every URL pattern of the project and check it against the permission table."""

import importlib
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests import factories
from tests.permission_tables import ACTORS, Row
from tests.permission_tables.kiosk import kiosk_world

TABLE_MODULES = ["common", "hr", "kiosk", "audit", "verify"]
# Django's own apps have their own permission systems (staff-only admin, public i18n switch).
EXEMPT_NAMESPACES = {"admin"}
EXEMPT_NAMES = {"set_language"}


def all_rows() -> list[Row]:
    rows = []
    for module in TABLE_MODULES:
        rows += importlib.import_module(f"tests.permission_tables.{module}").ROWS
    return rows


def walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in EXEMPT_NAMESPACES:
                continue
            yield from walk(entry.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else None, entry


def test_every_url_has_a_row_in_the_permission_table():
    covered = {row.url_name for row in all_rows()}
    missing = []
    for name, pattern in walk(get_resolver().url_patterns):
        if name is None:
            missing.append(f"unnamed pattern {pattern.pattern}")
        elif name not in covered and name not in EXEMPT_NAMES:
            missing.append(name)
    assert not missing, f"URLs without a permission row: {missing}"


@dataclass
class World:
    """One object of each kind, all in agency A."""

    agency: object
    unit: object
    employee: object
    template_version: object
    event: object
    extra: dict


@pytest.fixture
def world(agency_a, unit_a, agency_b, hr_a, hr_b, auditor_a, admin_user, template_version):
    employee = factories.employee(unit_a)
    event = factories.event(agency_a, officer=hr_a, template_version=template_version,
                            title="Apel", venue="Halaman")
    return World(agency=agency_a, unit=unit_a, employee=employee,
                 template_version=template_version, event=event,
                 extra={"users": {"hr_a": hr_a, "hr_b": hr_b, "auditor_a": auditor_a,
                                  "admin": admin_user}, **kiosk_world(event, hr_a)})


@pytest.mark.parametrize("row", all_rows(), ids=lambda row: row.url_name)
def test_permission_table(row: Row, world, client, django_user_model):
    from django.urls import reverse

    url = reverse(row.url_name, kwargs=row.kwargs(world))
    for actor in ACTORS:
        client.logout()
        if actor != "anonymous":
            client.force_login(world.extra["users"][actor])
        response = getattr(client, row.method)(url, headers=row.headers(world))
        assert response.status_code == row.expect[actor], (
            f"{row.url_name} as {actor}: got {response.status_code}, "
            f"expected {row.expect[actor]}"
        )
        # Pages, exports, PDFs, archives and API answers carry personal data: no browser or
        # proxy may keep any of them (signings.middleware.PrivateResponseMiddleware).
        assert "no-store" in response.get("Cache-Control", ""), (
            f"{row.url_name} as {actor}: Cache-Control is {response.get('Cache-Control')!r}")

"""Agencies (the government tree), written from the Django admin.

Entries are filed under the parent agency, not the agency itself: the audit log protects the
agencies it points to, and an agency created by mistake must stay deletable.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from signings.models import Agency
from signings.services import audit
from signings.services.context import AuditContext

FIELDS = ("code", "name", "short_name", "kind", "parent_id", "head_id", "address", "city",
          "timezone")


def _snapshot(agency: Agency) -> dict[str, Any]:
    return {field: getattr(agency, field) for field in FIELDS}


@transaction.atomic
def create_agency(*, agency: Agency, context: AuditContext) -> Agency:
    agency.save()
    audit.record(action="roster.agency.created", obj=agency, agency=agency.parent,
                 details={"after": _snapshot(agency)}, context=context)
    return agency


@transaction.atomic
def update_agency(*, agency: Agency, context: AuditContext) -> Agency:
    """Save edits; moving an agency under another parent moves its whole subtree."""
    before = Agency.objects.select_for_update().get(pk=agency.pk)
    old, new = _snapshot(before), _snapshot(agency)
    agency.save()
    audit.record(action="roster.agency.updated", obj=agency, agency=agency.parent,
                 details={"changes": audit.changes(old, new),
                          "path": [before.path, agency.path]},
                 context=context)
    return agency


@transaction.atomic
def delete_agency(*, agency: Agency, context: AuditContext) -> None:
    """Delete an agency nothing refers to (the database protects those that are in use)."""
    audit.record(action="roster.agency.deleted", obj=agency, agency=agency.parent,
                 details={"before": _snapshot(agency)}, context=context)
    agency.delete()

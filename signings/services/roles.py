"""Granting and revoking roles: who may see and manage which agency's records.

A role assignment is the key to the evidence, so each grant and revocation is one transaction
with its audit entry, whoever makes it (the admin, the demo loader, a test).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from signings.errors import PaktaError
from signings.models import Agency, Role, RoleAssignment
from signings.services import audit
from signings.services.context import AuditContext


def _details(assignment: RoleAssignment) -> dict[str, Any]:
    return {"user": assignment.user_id, "username": assignment.user.get_username(),
            "role": assignment.role, "agency": assignment.agency_id}


@transaction.atomic
def grant_role(*, user: Any, role: str, agency: Agency, context: AuditContext) -> RoleAssignment:
    """Give `user` the role over `agency` and everything below it."""
    if role not in Role.values:
        raise PaktaError("role.unknown", _("Peran tidak dikenal."))
    try:
        # A savepoint: a concurrent grant of the same role makes only this insert fail.
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(user=user, agency=agency, role=role)
    except IntegrityError:
        raise PaktaError(
            "role.duplicate", _("Pengguna ini sudah memegang peran tersebut di instansi ini.")
        ) from None
    audit.record(action="access.role.granted", obj=assignment, agency=agency,
                 details=_details(assignment), context=context)
    return assignment


@transaction.atomic
def revoke_role(*, assignment: RoleAssignment, context: AuditContext) -> None:
    """Take a role away. The entry keeps who held what, since the row itself goes."""
    locked = (RoleAssignment.objects.select_for_update().select_related("user", "agency")
              .filter(pk=assignment.pk).first())
    if locked is None:
        return
    audit.record(action="access.role.revoked", obj=locked, agency=locked.agency,
                 details=_details(locked), context=context)
    locked.delete()

"""User accounts, written from the Django admin: creating, editing, deleting, passwords,
and lifting a login lockout.

Roles (which agency an account may see) are granted in `signings.services.roles`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from signings.services import audit, roles
from signings.services.context import AuditContext

# What an administrator may edit on an account; the audit entry records exactly these.
# Groups and model permissions are not among them: access comes from role assignments.
ACCOUNT_FIELDS = ("username", "first_name", "last_name", "email", "is_active", "is_staff",
                  "is_superuser")


def _snapshot(user: Any) -> dict[str, Any]:
    return {field: getattr(user, field) for field in ACCOUNT_FIELDS}


@transaction.atomic
def create_account(*, user: Any, context: AuditContext) -> Any:
    """Save a new, validated user (its password already set or marked unusable)."""
    user.save()
    audit.record(action="access.account.created", obj=user, context=context,
                 details={"after": _snapshot(user),
                          "usable_password": user.has_usable_password()})
    return user


@transaction.atomic
def update_account(*, user: Any, context: AuditContext) -> Any:
    """Save edits to a validated user; the entry lists what changed."""
    before = get_user_model().objects.select_for_update().get(pk=user.pk)
    old, new = _snapshot(before), _snapshot(user)
    user.save()
    audit.record(action="access.account.updated", obj=user, context=context,
                 details={"changes": audit.changes(old, new)})
    return user


@transaction.atomic
def set_password(*, user: Any, password: str | None, context: AuditContext) -> Any:
    """Set a new password, or (None) turn password login off for the account."""
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    # Never the password or its hash: only that it changed.
    audit.record(action="access.account.password_changed", obj=user, context=context,
                 details={"usable_password": user.has_usable_password()})
    return user


@transaction.atomic
def delete_account(*, user: Any, context: AuditContext) -> None:
    """Delete an account; its roles are revoked first, each with its own entry.

    Accounts that appear in the audit log as actors cannot be deleted (the log protects
    them): deactivate those instead.
    """
    for assignment in user.role_assignments.select_related("user", "agency"):
        roles.revoke_role(assignment=assignment, context=context)
    audit.record(action="access.account.deleted", obj=user, context=context,
                 details={"before": _snapshot(user)})
    user.delete()


@transaction.atomic
def clear_lockout(*, attempt: Any, context: AuditContext) -> None:
    """Lift a login lockout (django-axes records failed attempts per username and IP)."""
    audit.record(action="access.lockout.cleared", obj=attempt, context=context,
                 details={"username": attempt.username, "ip_address": attempt.ip_address,
                          "failures": attempt.failures_since_start})
    attempt.delete()

"""The one place that decides who may see and do what.

Every view asks here. An object outside the user's agency scope is a 404 (its existence is not
revealed); a user inside the scope whose role lacks the right gets a 403.

Abilities:
- VIEW:   read an agency's rosters, events, signatures (HR officers and auditors)
- MANAGE: change rosters, templates and events, record outcomes (HR officers)
- AUDIT:  auditor downloads: archives, recaps, compliance (auditors and HR officers)
Administrators (superusers) may do everything everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase

from signings.models import Agency, Role, RoleAssignment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    # Whoever is asking: request.user, logged in or not.
    AnyUser = User | AnonymousUser

View = Callable[..., HttpResponseBase]


class Ability(StrEnum):
    VIEW = "view"
    MANAGE = "manage"
    AUDIT = "audit"


ROLE_ABILITIES: dict[str, set[Ability]] = {
    Role.HR_OFFICER: {Ability.VIEW, Ability.MANAGE, Ability.AUDIT},
    Role.AUDITOR: {Ability.VIEW, Ability.AUDIT},
}


def is_admin(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def _assignments(user: User) -> list[RoleAssignment]:
    # Cached on the user object: one query per request however many checks a view makes.
    cached = getattr(user, "_pakta_assignments", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user).select_related("agency"))
        setattr(user, "_pakta_assignments", cached)  # noqa: B010 (a cache User does not declare)
    return cached


def roots_for(user: AnyUser, ability: Ability | None = None) -> list[Agency]:
    """The agencies at the top of the user's scope (for the ability, or any ability)."""
    if not (user.is_authenticated and user.is_active):
        return []
    return [
        a.agency
        for a in _assignments(user)
        if ability is None or ability in ROLE_ABILITIES.get(a.role, set())
    ]


def has_any_role(user: AnyUser) -> bool:
    return is_admin(user) or bool(roots_for(user))


def agency_path_q(user: AnyUser, ability: Ability | None = None, *, field: str = "agency") -> Q:
    """A filter limiting `field` (an Agency relation, or "" for Agency itself) to the scope."""
    if is_admin(user):
        return Q()
    prefix = f"{field}__" if field else ""
    condition = Q(pk__in=[])
    for root in roots_for(user, ability):
        condition |= Q(**{f"{prefix}path__startswith": root.path})
    return condition


def scoped[M: Model](queryset: QuerySet[M], user: AnyUser, ability: Ability | None = None, *,
                     field: str = "agency") -> QuerySet[M]:
    """Limit any queryset to the user's scope, following `field` to the agency."""
    return queryset.filter(agency_path_q(user, ability, field=field))


def agencies(user: AnyUser, ability: Ability | None = None) -> QuerySet[Agency]:
    return scoped(Agency.objects.all(), user, ability, field="")


def can(user: AnyUser, ability: Ability, agency: Agency) -> bool:
    if is_admin(user):
        return True
    return any(agency.path.startswith(root.path) for root in roots_for(user, ability))


def check(user: AnyUser, ability: Ability, agency: Agency) -> None:
    """404 outside every scope of the user; 403 inside a scope without the ability."""
    if can(user, ability, agency):
        return
    if any(agency.path.startswith(root.path) for root in roots_for(user)):
        raise PermissionDenied
    raise Http404


def get_scoped_or_404[M: Model](queryset: QuerySet[M], user: AnyUser, ability: Ability, *,
                                field: str = "agency", **lookup: Any) -> M:
    """Fetch an object by `lookup` and check the user's ability over its agency.

    Objects outside the user's view scope are indistinguishable from missing ones.
    """
    visible = scoped(queryset, user, None, field=field)
    try:
        obj = visible.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):  # Model.DoesNotExist is one
        raise Http404 from None
    agency: Any = obj
    for part in field.split("__") if field else []:
        agency = getattr(agency, part)
    check(user, ability, agency)
    return obj


def role_required(*abilities: Ability) -> Callable[[View], View]:
    """View decorator: logged in, and holding at least one of the abilities somewhere.

    Per-object checks still go through `check` / `get_scoped_or_404`.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not is_admin(user):
                held = {ab for ab in abilities if roots_for(user, ab)}
                if not held:
                    raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator

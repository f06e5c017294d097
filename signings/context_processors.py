from signings import access
from signings.models import Tally


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "is_pakta_admin": access.is_admin(user),
        "can_manage": access.is_admin(user) or bool(access.roots_for(user, access.Ability.MANAGE)),
        "can_audit": access.is_admin(user) or bool(access.roots_for(user, access.Ability.AUDIT)),
    }


def tally(request):
    """The words for expected / signed / absent / missing, the same on every page."""
    return {"Tally": Tally}

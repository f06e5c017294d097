"""Pages every signed-in role shares."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from signings import access
from signings.models import Employee, SigningEvent


@login_required
def home(request):
    user = request.user
    agencies = access.agencies(user).filter(parent__isnull=True) if access.is_admin(user) else (
        access.roots_for(user)
    )
    events = (
        access.scoped(SigningEvent.objects.all(), user)
        .select_related("agency", "template_version__template")
        .with_counts()
        .order_by("-date", "-pk")[:10]
    )
    for event in events:
        # Each event links to the page this user may open for it (roles differ per agency).
        if access.can(user, access.Ability.MANAGE, event.agency):
            event.page_url = reverse("hr:event_detail", args=[event.pk])
        elif access.can(user, access.Ability.AUDIT, event.agency):
            event.page_url = reverse("audit:event_detail", args=[event.pk])
    employee_count = access.scoped(Employee.objects.active(), user).count()
    return render(
        request,
        "signings/home.html",
        {
            "agencies": agencies,
            "events": events,
            "employee_count": employee_count,
            "open_count": access.scoped(SigningEvent.objects.open(), user).count(),
            "has_role": access.has_any_role(user),
        },
    )

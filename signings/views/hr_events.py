"""Events: list, create, detail, who is expected, status changes (open/close/reopen), and
the follow-up ("susulan") event of those who did not sign."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from signings import access
from signings.access import Ability
from signings.forms.events import EventForm, ExpectedForm, FollowUpForm, ReopenForm
from signings.models import AuditEntry, Employee, EventStatus, SigningEvent
from signings.readmodels import live
from signings.services import events as event_service
from signings.services.context import AuditContext
from signings.services.events import NewEvent
from signings.views.hr import paginate, query_without_page


def get_event(request, pk) -> SigningEvent:
    return access.get_scoped_or_404(
        SigningEvent.objects.select_related("agency", "template_version__template"),
        request.user, Ability.MANAGE, pk=pk,
    )


@access.role_required(Ability.MANAGE)
def event_list(request):
    events = (
        access.scoped(SigningEvent.objects.all(), request.user, Ability.MANAGE)
        .select_related("agency", "template_version__template")
        .with_counts()
        .order_by("-date", "-pk")
    )
    return render(request, "hr/event_list.html", {
        "page": paginate(request, events), "EventStatus": EventStatus,
    })


@access.role_required(Ability.MANAGE)
def event_create(request):
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        event = event_service.create_event(
            agency=data["agency"],
            details=NewEvent(
                template_version=data["template_version"],
                kind=data["kind"],
                title=data["title"],
                date=data["date"],
                venue=data["venue"],
                witnesses=data["witnesses"],
                identity_check=data["identity_check"],
                enforce_signing_order=data["enforce_signing_order"],
                kiosk_idle_seconds=data["kiosk_idle_seconds"],
                witness=data["witness"],
            ),
            context=AuditContext.from_request(request),
        )
        messages.success(request, _("Acara %(title)s dibuat sebagai draf.") % {"title": event})
        return redirect("hr:event_detail", pk=event.pk)
    return render(request, "hr/event_form.html", {"form": form})


@access.role_required(Ability.MANAGE)
def event_edit(request, pk):
    event = get_event(request, pk)
    form = EventForm(request.POST or None, user=request.user, event=event,
                     initial=EventForm.initial_from(event))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.fields}
        try:
            event_service.update_event(event=event, changes=changes,
                                       context=AuditContext.from_request(request))
        except event_service.EventError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Rincian acara disimpan."))
            return redirect("hr:event_detail", pk=event.pk)
    return render(request, "hr/event_form.html", {"form": form, "event": event})


@access.role_required(Ability.MANAGE)
def event_detail(request, pk):
    event = get_event(request, pk)
    bsre = settings.PAKTA_SIGNING_BACKEND == "bsre"
    signatures = (
        event.signatures.select_related("employee__agency", "officer", "voided_by")
        .annotate(represented_count=Count("represented_employees"))
        .order_by("-signed_at")
    )
    return render(request, "hr/event_detail.html", {
        "event": event, "tallies": live.tallies(event), "EventStatus": EventStatus,
        "page": paginate(request, signatures), "query": query_without_page(request),
        "changes": event.status_changes.select_related("changed_by"),
        "reopen_form": ReopenForm(), "follow_up_form": FollowUpForm(),
        "history": AuditEntry.objects.for_object(event).history(),
        # Only BSrE's seal is ever awaited: no query for it with the local seal.
        "awaiting_seals": event.signatures.valid().awaiting_seal().count() if bsre else 0,
        "bsre": bsre,
    })


@access.role_required(Ability.MANAGE)
def event_expected(request, pk):
    event = get_event(request, pk)
    form = ExpectedForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            added, removed = event_service.set_expected(
                event=event, add=form.to_add, remove=form.cleaned_data["remove"],
                context=AuditContext.from_request(request),
            )
        except event_service.EventError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(added)d peserta ditambahkan, %(removed)d dikeluarkan.")
                             % {"added": added, "removed": removed})
            return redirect("hr:event_expected", pk=event.pk)
    expected = event.expected.select_related("employee__agency").order_by(
        "employee__agency__path", "employee__name")
    text = request.GET.get("q", "")
    if text.strip():
        expected = expected.filter(employee__in=Employee.objects.search(text).values("pk"))
    return render(request, "hr/event_expected.html", {
        "event": event, "form": form, "page": paginate(request, expected),
        "query": query_without_page(request), "q": text,
    })


TRANSITIONS = {
    "buka": event_service.open_event,
    "tutup": event_service.close_event,
}


@require_POST
@access.role_required(Ability.MANAGE)
def event_transition(request, pk, action):
    event = get_event(request, pk)
    try:
        if action == "buka-kembali":
            form = ReopenForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            event_service.reopen_event(event=event, reason=reason,
                                       context=AuditContext.from_request(request))
            messages.success(request, _("Acara dibuka kembali."))
        else:
            TRANSITIONS[action](event=event, context=AuditContext.from_request(request))
            messages.success(request, _("Acara dibuka.") if action == "buka"
                             else _("Acara ditutup."))
    except event_service.EventError as error:
        messages.error(request, error.message)
    return redirect("hr:event_detail", pk=event.pk)


@require_POST
@access.role_required(Ability.MANAGE)
def event_follow_up(request, pk):
    """One step from an event to a draft "susulan" event of those who did not sign it."""
    event = get_event(request, pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Isi tanggal acara susulan yang benar."))
        return redirect("hr:event_detail", pk=event.pk)
    try:
        follow_up = event_service.create_follow_up_event(
            event=event, date=form.cleaned_data["date"],
            context=AuditContext.from_request(request))
    except event_service.EventError as error:
        messages.error(request, error.message)
        return redirect("hr:event_detail", pk=event.pk)
    messages.success(request, _("Acara susulan %(title)s dibuat sebagai draf dengan %(count)d "
                                "peserta.") % {"title": follow_up,
                                               "count": follow_up.expected.count()})
    return redirect("hr:event_detail", pk=follow_up.pk)

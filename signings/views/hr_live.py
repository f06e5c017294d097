"""The live assembly view and what officers record on it (absence, officer-screen, paper and
representative signatures, voiding)."""

from __future__ import annotations

from django.contrib import messages
from django.core.files.base import ContentFile
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from signings import access
from signings.access import Ability
from signings.errors import PaktaError
from signings.forms.recording import (
    AbsenceForm,
    PaperScanForm,
    RepresentativeForm,
    SignaturePadForm,
    VoidForm,
)
from signings.models import AttendanceStatus, EventStatus, Signature, SignatureMethod
from signings.pdf import pact_text
from signings.readmodels import live
from signings.services import (
    attendance,
    identity_checks,
    representation,
    signatures,
    witnesses,
)
from signings.services.context import AuditContext
from signings.services.signatures import Submission
from signings.signature_image import SignatureImageError, decode_data_url
from signings.views.hr_events import get_event


def _panel_context(event, text: str) -> dict:
    signed, signed_total = live.signed_list(event, text)
    unsigned, unsigned_total = live.unsigned_list(event, text)
    return {
        "event": event, **live.breakdown(event), "signed": signed,
        "signed_total": signed_total, "unsigned": unsigned, "unsigned_total": unsigned_total,
        "q": text, "EventStatus": EventStatus, "AttendanceStatus": AttendanceStatus,
        "locked": live.locked_people(event),
    }


@access.role_required(Ability.MANAGE)
def event_live(request, pk):
    event = get_event(request, pk)
    return render(request, "hr/event_live.html",
                  _panel_context(event, request.GET.get("q", "")[:100]))


@access.role_required(Ability.MANAGE)
def event_live_panel(request, pk):
    event = get_event(request, pk)
    return render(request, "hr/_live_panel.html",
                  _panel_context(event, request.GET.get("q", "")[:100]))


def _expected_employee(event, employee_pk):
    row = event.expected.select_related("employee__agency").filter(employee_id=employee_pk).first()
    if row is None:
        raise Http404
    return row.employee


def _back(event):
    return redirect("hr:event_live", pk=event.pk)


@access.role_required(Ability.MANAGE)
def record_absent(request, pk, employee_pk):
    event = get_event(request, pk)
    employee = _expected_employee(event, employee_pk)
    form = AbsenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            attendance.record_outcome(
                event=event, employee=employee,
                outcome=attendance.OutcomeNote(
                    status=AttendanceStatus.ABSENT,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                ),
                context=AuditContext.from_request(request),
            )
        except attendance.AttendanceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(name)s dicatat tidak hadir.") % {"name": employee})
            return _back(event)
    outcome = event.outcomes.filter(employee=employee).first()
    return render(request, "hr/record_absent.html", {
        "event": event, "employee": employee, "form": form, "EventStatus": EventStatus,
        "outcome": outcome,
    })


@require_POST
@access.role_required(Ability.MANAGE)
def clear_absent(request, pk, employee_pk):
    event = get_event(request, pk)
    employee = _expected_employee(event, employee_pk)
    try:
        attendance.clear_outcome(event=event, employee=employee,
                                 context=AuditContext.from_request(request))
    except attendance.AttendanceError as error:
        messages.error(request, error.message)
        return redirect("hr:record_absent", pk=event.pk, employee_pk=employee.pk)
    messages.success(request, _("Keterangan kehadiran %(name)s dihapus.") % {"name": employee})
    return _back(event)


def _lockable_employee(event, employee_pk):
    """Someone expected at the event or witnessing its pacts: wrong birth dates lock both."""
    row = event.expected.select_related("employee__agency").filter(employee_id=employee_pk).first()
    if row is not None:
        return row.employee
    witness = witnesses.witnesses_of(event).filter(pk=employee_pk).first()
    if witness is None:
        raise Http404
    return witness


@require_POST
@access.role_required(Ability.MANAGE)
def identity_unlock(request, pk, employee_pk):
    """The officer has checked a locked person face to face: they may try again. From the
    witness pages (`back=witnesses`) the officer goes back there."""
    event = get_event(request, pk)
    employee = _lockable_employee(event, employee_pk)
    to_witnesses = request.POST.get("back") == "witnesses"
    try:
        identity_checks.unlock_identity(event=event, employee=employee,
                                        context=AuditContext.from_request(request))
    except PaktaError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, (
            _("Kunci %(name)s dibuka; ia dapat menyaksikan lagi.") if to_witnesses
            else _("Kunci %(name)s dibuka; ia dapat menandatangani di tablet."))
            % {"name": employee})
    if to_witnesses:
        return redirect("hr:event_witnesses", pk=event.pk)
    return _back(event)


def _signature_png(form) -> bytes | None:
    try:
        return decode_data_url(form.cleaned_data["signature"])
    except SignatureImageError as error:
        form.add_error(None, error.message)
        return None


def _submission(event, method: str, **fields) -> Submission:
    # What the officer recorded is always against the event's own template version.
    return Submission(method=method, template_hash=event.template_version.content_hash,
                      **fields)


@access.role_required(Ability.MANAGE)
def record_sign(request, pk, employee_pk):
    event = get_event(request, pk)
    employee = _expected_employee(event, employee_pk)
    form = SignaturePadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        png = _signature_png(form)
        if png is not None:
            try:
                signatures.record_signature(
                    event=event, employee=employee,
                    submission=_submission(event, SignatureMethod.OFFICER, image_png=png),
                    context=AuditContext.from_request(request),
                )
            except PaktaError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Tanda tangan %(name)s tersimpan.")
                                 % {"name": employee})
                return _back(event)
    return render(request, "hr/record_sign.html", {
        **pact_text.body_context(event.template_version, employee,
                                 pact_text.place_now(event.agency)),
        "event": event, "employee": employee, "form": form,
        "agency": employee.agency, "EventStatus": EventStatus, "today": timezone.localdate(),
    })


@access.role_required(Ability.MANAGE)
def record_paper(request, pk, employee_pk):
    event = get_event(request, pk)
    employee = _expected_employee(event, employee_pk)
    form = PaperScanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data, extension = form.cleaned_data["scan"]
        try:
            signatures.record_signature(
                event=event, employee=employee,
                submission=_submission(
                    event, SignatureMethod.PAPER,
                    paper_scan=ContentFile(data, name=f"pindaian.{extension}"),
                ),
                context=AuditContext.from_request(request),
            )
        except signatures.SigningError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Pakta kertas %(name)s tersimpan.") % {"name": employee})
            return _back(event)
    return render(request, "hr/record_paper.html", {
        "event": event, "employee": employee, "form": form, "EventStatus": EventStatus,
    })


@access.role_required(Ability.MANAGE)
def record_representative(request, pk):
    event = get_event(request, pk)
    # Representatives are officials: the top of the signing order is where they are.
    candidates = list(event.expected.select_related("employee").in_signing_order()[:500])
    form = RepresentativeForm(request.POST or None, candidates=candidates, event=event)
    if request.method == "POST" and form.is_valid():
        employee = _expected_employee(event, form.cleaned_data["employee"])
        png = _signature_png(form)
        if png is not None:
            try:
                representation.record_representative(
                    event=event, employee=employee,
                    submission=_submission(
                        event, SignatureMethod.REPRESENTATIVE, image_png=png,
                        represented_group=form.cleaned_data["represented_group"],
                    ),
                    covers=form.cleaned_data["covers"],
                    context=AuditContext.from_request(request),
                )
            except PaktaError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Tanda tangan perwakilan %(name)s tersimpan.")
                                 % {"name": employee})
                return redirect("hr:event_detail", pk=event.pk)
    return render(request, "hr/record_representative.html", {
        "event": event, "form": form, "EventStatus": EventStatus,
    })


@access.role_required(Ability.MANAGE)
def signature_void(request, pk):
    signature = access.get_scoped_or_404(
        Signature.objects.select_related("event__agency", "employee"), request.user,
        Ability.MANAGE, field="event__agency", pk=pk,
    )
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signatures.void_signature(signature=signature, reason=form.cleaned_data["reason"],
                                      context=AuditContext.from_request(request))
        except signatures.SigningError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Tanda tangan %(name)s dibatalkan; catatannya tetap "
                                        "disimpan.") % {"name": signature.employee})
            return redirect("hr:event_detail", pk=signature.event_id)
    return render(request, "hr/signature_void.html", {"signature": signature, "form": form})

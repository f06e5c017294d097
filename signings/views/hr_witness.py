"""The witness ("Menyaksikan") on the officer's console: who witnesses which pacts of an
event, the witness signing on the officer's screen, and one-time links for their own device."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from signings import access
from signings.access import Ability
from signings.errors import PaktaError
from signings.forms.witness import OfficerWitnessForm
from signings.models import Employee, WitnessMethod
from signings.pdf import pact_text
from signings.pdf.pact import qr_data_url
from signings.services import identity_checks, witnesses
from signings.services.context import AuditContext
from signings.signature_image import SignatureImageError, decode_data_url
from signings.views.hr_events import get_event


def _witness(event, employee_pk) -> Employee:
    """Someone who witnesses pacts of this event; anyone else is a 404."""
    witness = witnesses.witnesses_of(event).filter(pk=employee_pk).first()
    if witness is None:
        raise Http404
    return witness


@access.role_required(Ability.MANAGE)
def event_witnesses(request, pk):
    event = get_event(request, pk)
    unassigned = (event.signatures.valid().filter(witness__isnull=True).count()
                  if event.template_version.witness_required else 0)
    return render(request, "hr/event_witnesses.html", {
        "event": event, "witnesses": list(witnesses.witnesses_of(event)),
        "unassigned": unassigned, "locked": set(identity_checks.locked_ids(event)),
    })


def _png(form) -> bytes | None:
    try:
        return decode_data_url(form.cleaned_data["signature"])
    except SignatureImageError as error:
        form.add_error(None, error.message)
        return None


@access.role_required(Ability.MANAGE)
def witness_sign(request, pk, employee_pk):
    """The officer hands the screen to the witness, who reads, ticks and signs."""
    event = get_event(request, pk)
    witness = _witness(event, employee_pk)
    pending = list(witnesses.pending(event, witness))
    form = OfficerWitnessForm(request.POST or None, pending=pending)
    if request.method == "POST" and form.is_valid():
        png = _png(form)
        if png is not None:
            try:
                made = witnesses.record_witness(
                    event=event, witness=witness, context=AuditContext.from_request(request),
                    submission=witnesses.WitnessSubmission(
                        signature_ids=form.cleaned_data["signatures"], image_png=png,
                        method=WitnessMethod.OFFICER_SCREEN,
                        birth_date=form.cleaned_data["birth_date"]),
                )
            except PaktaError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("%(name)s menyaksikan %(n)d pakta.")
                                 % {"name": witness, "n": len(made)})
                return redirect("hr:event_witnesses", pk=event.pk)
    return render(request, "hr/witness_sign.html", {
        "event": event, "witness": witness, "pending": pending, "form": form,
        "locked": witness.pk in identity_checks.locked_ids(event),
        "pact_html": pact_text.render_blank(event.template_version),
    })


@require_POST
@access.role_required(Ability.MANAGE)
def witness_link(request, pk, employee_pk):
    """A one-time link for the witness's own device, shown once (only its hash is kept)."""
    event = get_event(request, pk)
    witness = _witness(event, employee_pk)
    try:
        link, token = witnesses.create_link(event=event, witness=witness,
                                            context=AuditContext.from_request(request))
    except PaktaError as error:
        messages.error(request, error.message)
        return redirect("hr:event_witnesses", pk=event.pk)
    url = request.build_absolute_uri(reverse("witness:sign", args=[token]))
    return render(request, "hr/witness_link.html", {
        "event": event, "witness": witness, "link": link, "url": url,
        "qr_data_url": qr_data_url(url),
    })

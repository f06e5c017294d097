"""The witness's own device: the one-time link an officer gave them (no login).

The page shows only what the witness needs: the event, the pact's text (once, without anyone's
details: it is the same words for all), and the names and positions of those whose pacts they
witness. Used, expired and unknown links are the same 404.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from signings.errors import PaktaError
from signings.forms.witness import WitnessSignForm
from signings.models import WitnessMethod
from signings.pdf import pact_text
from signings.services import witnesses
from signings.services.context import AuditContext
from signings.signature_image import SignatureImageError, decode_data_url


def sign(request, token):
    link = witnesses.link_for_token(token)
    if link is None:
        raise Http404
    event, witness = link.event, link.witness
    pending = list(witnesses.pending(event, witness))
    form = WitnessSignForm(request.POST or None, pending=pending)
    if request.method == "POST" and form.is_valid():
        try:
            png = decode_data_url(form.cleaned_data["signature"])
            made = witnesses.record_witness(
                event=event, witness=witness,
                context=AuditContext.from_request(request, label="saksi"),
                submission=witnesses.WitnessSubmission(
                    signature_ids=form.cleaned_data["signatures"], image_png=png,
                    method=WitnessMethod.OWN_DEVICE, link=link),
            )
        except (PaktaError, SignatureImageError) as error:
            form.add_error(None, error.message)
        else:
            return render(request, "witness/done.html", {
                "event": event, "witness": witness, "count": len(made),
                "message": _("Terima kasih. Tanda tangan Anda sebagai saksi tersimpan."),
            })
    return render(request, "witness/sign.html", {
        "event": event, "witness": witness, "pending": pending, "form": form,
        "pact_html": pact_text.render_blank(event.template_version),
    })

"""The public verification page reached from the QR code on every pact and recap (no login).

It shows only what a verifier needs: valid or voided, the document's title, the issuing
agency, the signer's name, time and a masked NIP, and the printed text fingerprint to compare
with a paper copy. Unknown, malformed and guessed codes all get the same 404 page. No search
engine may index any of it: every answer says noindex, in the page and in a header.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from signings import ratelimit
from signings.forms.verify import CodeForm, UploadForm
from signings.models import EventRecap
from signings.pdf import dates
from signings.pdf.recap import recap_title
from signings.services import recaps, verification
from signings.services.context import client_ip

UPLOADS_PER_WINDOW = 20
WINDOW_SECONDS = 600


def _rate_limited(request) -> bool:
    """A verifier checks a handful of files; a flood of uploads is someone probing. Counted per
    client address in the cache every worker shares."""
    key = f"verify-upload:{client_ip(request) or 'unknown'}"
    return ratelimit.hit(key, window_seconds=WINDOW_SECONDS) > UPLOADS_PER_WINDOW


def _pact_details(signature) -> dict:
    event = signature.event
    return {
        "signature": signature,
        "title": event.template_version.title,
        "issuer": event.agency.name,
        "signer": signature.employee.display_name,
        "agency": signature.employee.agency.name,
        "signed_at": dates.indonesian_datetime(signature.signed_at, event.agency.timezone),
        "masked_identity": signature.employee.masked_identity,
        # Exactly the string printed under the QR of the pact, to compare with a paper copy.
        "text_fingerprint": event.template_version.content_hash,
    }


def _recap_details(recap: EventRecap) -> dict:
    event = recap.event
    latest = recaps.latest_recap(event)
    tz_name = event.agency.timezone
    return {
        "recap": recap,
        "title": recap_title(event),
        "issuer": event.agency.name,
        "event_title": event.title,
        "event_date": dates.indonesian_date(event.date),
        "made_at": dates.indonesian_datetime(recap.made_at, tz_name),
        "superseded_at": (dates.indonesian_datetime(latest.made_at, tz_name)
                          if latest is not None and latest.pk != recap.pk else ""),
    }


def _not_found(request):
    return render(request, "verify/not_found.html", {"form": CodeForm()}, status=404)


def verify_home(request):
    form = CodeForm(request.GET or None)
    if form.is_valid():
        # Normalised and checked by the form: letters and digits only, never empty.
        return redirect("verify:signature", code=form.cleaned_data["code"])
    return render(request, "verify/home.html", {"form": form})


def verify(request, code):
    document = verification.find_by_code(code)
    if document is None:
        return _not_found(request)
    is_recap = isinstance(document, EventRecap)
    verdict = None
    limited = False
    status = 200
    form = UploadForm()
    if request.method == "POST":
        # An oversized body never gets here: signings/request_limits.py refuses it unread.
        if _rate_limited(request):
            limited = True
            status = 429
        else:
            form = UploadForm(request.POST, request.FILES)
            if is_recap:
                # Before validation: the bound field copies its label when first built.
                form.fields["document"].label = _("Berkas PDF rekap")
            if form.is_valid():
                verdict = verification.check_upload(form.cleaned_data["document"].read(),
                                                    expected=document)
    if is_recap and not form.is_bound:
        form.fields["document"].label = _("Berkas PDF rekap")
    details = _recap_details(document) if is_recap else _pact_details(document)
    return render(request, "verify/signature.html", {
        **details,
        "is_recap": is_recap,
        "code": document.verification_code,
        "form": form,
        "verdict": verdict,
        "limited": limited,
    }, status=status)

"""The recap signed with a person's BSrE certified signature, on an officer's logged-in page
(the signer's own device), never at the kiosk. PAKTA_SIGNING_BACKEND=bsre only."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from signings import access
from signings.access import Ability
from signings.forms.recap_sign import RecapSignForm
from signings.models import RecapCertifiedSignature
from signings.pdf import bsre
from signings.services import downloads, recap_signatures
from signings.services.context import AuditContext
from signings.views.hr_events import get_event


@sensitive_variables("form")
@sensitive_post_parameters("passphrase", "totp", "who")
@never_cache
@access.role_required(Ability.MANAGE)
def recap_sign(request, pk):
    event = get_event(request, pk)
    if settings.PAKTA_SIGNING_BACKEND != "bsre":
        raise Http404
    form = RecapSignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        credentials = bsre.Signer(
            identity=data["identity"], who=data["who"], passphrase=data["passphrase"],
            totp=data["totp"].strip())
        try:
            row = recap_signatures.sign_recap(
                event=event, role=data["role"], credentials=credentials, user=request.user,
                context=AuditContext.from_request(request))
        except bsre.BsreError as error:
            # The password inputs never render their value: the page shows no secret.
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Rekap ditandatangani oleh %(name)s.")
                             % {"name": row.signer_name})
            return redirect("hr:recap_sign", pk=event.pk)
    return render(request, "hr/recap_sign.html", {
        "event": event, "form": form, "signed": recap_signatures.signed_recaps(event)[:50]})


@access.role_required(Ability.AUDIT)
def recap_signed_pdf(request, pk):
    row = access.get_scoped_or_404(
        RecapCertifiedSignature.objects.select_related("recap__event__agency"),
        request.user, Ability.AUDIT, field="recap__event__agency", pk=pk)
    event = row.recap.event
    downloads.log_download(kind="recap_certified", obj=event, agency=event.agency,
                           context=AuditContext.from_request(request),
                           details={"sha256": row.sha256, "certified_signature": row.pk})
    return FileResponse(row.file.open("rb"), as_attachment=True, content_type="application/pdf",
                        filename=f"rekap-{event.pk}-ttd-{row.pk}.pdf")

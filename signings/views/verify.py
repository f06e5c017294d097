"""The public verification page reached from the QR code on every pact (no login).

It shows only what a verifier needs: valid or voided, the signer's name, agency, time and a
masked NIP. Unknown, malformed and guessed codes all get the same 404 page.
"""

from __future__ import annotations

from django.core.cache import cache
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from signings.forms.verify import CodeForm, UploadForm
from signings.pdf import dates
from signings.services import verification
from signings.services.context import client_ip

UPLOADS_PER_WINDOW = 20
WINDOW_SECONDS = 600


def _rate_limited(request) -> bool:
    """A verifier checks a handful of files; a flood of uploads is someone probing."""
    key = f"pakta:verify-upload:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    return count > UPLOADS_PER_WINDOW


def _too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > verification.MAX_UPLOAD_BYTES + 64 * 1024


def _not_found(request):
    return render(request, "verify/not_found.html", {"form": CodeForm()}, status=404)


@never_cache
def verify_home(request):
    form = CodeForm(request.GET or None)
    if form.is_valid():
        return redirect("verify:signature", code=verification.normalise_code(
            form.cleaned_data["code"])[:20] or "-")
    return render(request, "verify/home.html", {"form": form})


@never_cache
def verify(request, code):
    signature = verification.find_by_code(code)
    if signature is None:
        return _not_found(request)
    verdict = None
    limited = False
    too_large = False
    status = 200
    form = UploadForm()
    if request.method == "POST":
        if _too_large(request):
            # Refused before Django spools the body to disk.
            too_large = True
            status = 413
        elif _rate_limited(request):
            limited = True
            status = 429
        else:
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                verdict = verification.check_upload(form.cleaned_data["document"].read(),
                                                    expected=signature)
    tz_name = signature.event.agency.timezone
    return render(request, "verify/signature.html", {
        "signature": signature,
        "signer": signature.employee.display_name,
        "agency": signature.employee.agency.name,
        "signed_at": dates.indonesian_datetime(signature.signed_at, tz_name),
        "masked_identity": signature.employee.masked_identity,
        "form": form,
        "verdict": verdict,
        "limited": limited,
        "too_large": too_large,
    }, status=status)

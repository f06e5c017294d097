"""Kiosk pages: the HR officer pairs and revokes tablets; the tablet runs the kiosk web app.

The web app (shell, service worker, manifest) is public and carries no data: everything it
shows comes from the JSON API with the tablet's device token.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlsplit

import segno
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from signings import access
from signings.access import Ability
from signings.api.schemas import BATCH_MAX_BYTES, BATCH_MAX_ITEMS
from signings.forms.kiosk import DeviceForm, ResponsibleOfficerForm, officers_for
from signings.models import KioskDevice, SigningEvent
from signings.services import kiosk as kiosk_service
from signings.services import tablet_times
from signings.services.context import AuditContext
from signings.services.kiosk import KioskError, PairingCode

# Everything the kiosk needs to start with the network gone; the service worker caches these.
APP_ASSETS = [
    "kiosk/kiosk.css",
    "kiosk/kiosk.js",
    "kiosk/roster.js",
    "kiosk/outbox.js",
    "kiosk/pact.js",
    "kiosk/pad.js",
    "kiosk/compat.js",
    "kiosk/idle.js",
    "kiosk/screens.js",
    "kiosk/icon-192.png",
    "kiosk/icon-512.png",
    "vendor/idb/idb.js",
    *(f"vendor/noble-hashes/{name}.js"
      for name in ("scrypt", "pbkdf2", "hmac", "sha2", "_md", "_u64", "utils")),
    "vendor/signature_pad/signature_pad.umd.min.js",
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
]


def _event_for(request, event_pk: int) -> SigningEvent:
    return access.get_scoped_or_404(
        SigningEvent.objects.select_related("agency", "template_version"), request.user,
        Ability.MANAGE, pk=event_pk,
    )


def _device_for(request, event_pk: int, pk: int) -> tuple[SigningEvent, KioskDevice]:
    event = _event_for(request, event_pk)
    return event, get_object_or_404(KioskDevice, event=event, pk=pk)


def _devices_page(request, event: SigningEvent, form: DeviceForm, *, status: int = 200):
    devices = list(
        KioskDevice.objects.filter(event=event)
        .select_related("revoked_by", "responsible_officer")
        .annotate(received=Count("signatures", filter=Q(signatures__voided_at__isnull=True)))
        .order_by("revoked_at", "name")
    )
    for device in devices:
        device.clock_warning = tablet_times.clock_is_suspect(device.clock_offset_seconds)
    return render(
        request, "kiosk/devices.html",
        {"event": event, "devices": devices, "form": form,
         "officers": list(officers_for(event.agency)),
         "counts": event.expected.tally()},
        status=status,
    )


@access.role_required(Ability.MANAGE)
@require_GET
def devices(request, event_pk: int):
    event = _event_for(request, event_pk)
    return _devices_page(request, event, DeviceForm())


# Browsers treat these as secure contexts even over plain HTTP.
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def offline_mode_available(url: str) -> bool:
    """Service workers (the kiosk's offline mode) need HTTPS, or localhost on the tablet."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return (parts.scheme == "https" or host in LOOPBACK_HOSTS
            or host.endswith(".localhost"))


def _pairing_page(request, event: SigningEvent, pairing: PairingCode):
    app_url = request.build_absolute_uri(reverse("kiosk:app"))
    # The code travels in the fragment: browsers never send it to the server or its logs.
    url = f"{app_url}#kode={pairing.code}"
    qr = segno.make(url, error="m")
    response = render(
        request, "kiosk/pairing.html",
        {"event": event, "device": pairing.device, "code": pairing.display, "app_url": app_url,
         "qr_svg": qr.svg_inline(scale=6, dark="#000", light="#fff"),
         "ttl_minutes": int(kiosk_service.PAIRING_TTL.total_seconds() // 60),
         "offline_available": offline_mode_available(app_url)},
    )
    # The code is a secret that works once: keep it out of caches and the back button.
    response["Cache-Control"] = "no-store"
    return response


@access.role_required(Ability.MANAGE)
@require_POST
def device_add(request, event_pk: int):
    event = _event_for(request, event_pk)
    form = DeviceForm(request.POST)
    if not form.is_valid():
        return _devices_page(request, event, form, status=422)
    try:
        pairing = kiosk_service.add_device(
            event=event, name=form.cleaned_data["name"], context=AuditContext.from_request(request)
        )
    except KioskError as exc:
        form.add_error("name", exc.message)
        return _devices_page(request, event, form, status=422)
    return _pairing_page(request, event, pairing)


@access.role_required(Ability.MANAGE)
@require_POST
def device_code(request, event_pk: int, pk: int):
    event, device = _device_for(request, event_pk, pk)
    try:
        pairing = kiosk_service.renew_pairing_code(device=device,
                                                   context=AuditContext.from_request(request))
    except KioskError as exc:
        messages.error(request, exc.message)
        return redirect("kiosk:devices", event_pk=event.pk)
    return _pairing_page(request, event, pairing)


@access.role_required(Ability.MANAGE)
@require_POST
def device_officer(request, event_pk: int, pk: int):
    """Hand the tablet over to another officer: they answer for what is signed on it."""
    event = _event_for(request, event_pk)
    device = get_object_or_404(KioskDevice, event=event, pk=pk)
    form = ResponsibleOfficerForm(request.POST, agency=event.agency)
    if not form.is_valid():
        messages.error(request, _("Pilih petugas SDM yang menangani acara ini."))
        return redirect("kiosk:devices", event_pk=event.pk)
    try:
        kiosk_service.change_responsible_officer(
            device=device, officer=form.cleaned_data["officer"],
            context=AuditContext.from_request(request))
    except KioskError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Penanggung jawab tablet %(name)s: %(officer)s.")
                         % {"name": device.name,
                            "officer": form.cleaned_data["officer"].get_username()})
    return redirect("kiosk:devices", event_pk=event.pk)


@access.role_required(Ability.MANAGE)
@require_POST
def device_revoke(request, event_pk: int, pk: int):
    event, device = _device_for(request, event_pk, pk)
    try:
        kiosk_service.revoke_device(device=device, context=AuditContext.from_request(request))
    except KioskError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Tablet %(name)s dicabut. Permintaan berikutnya dari tablet itu akan ditolak.")
            % {"name": device.name},
        )
    return redirect("kiosk:devices", event_pk=event.pk)


# --- The kiosk web app (public shell, no data) ---------------------------------------------


def _assets_version() -> str:
    """Changes whenever a cached file changes, so tablets pick up a new app version."""
    digest = hashlib.sha256()
    for name in APP_ASSETS + ["kiosk/sw.js"]:
        path = finders.find(name)
        if path:
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


def _texts() -> dict[str, str]:
    """Every sentence the kiosk script shows, translated here so the script holds none."""
    return {
        "online": _("Daring"),
        "offline": _("Luring"),
        "revoked": _("Tablet ini telah dicabut oleh petugas. Tanda tangan yang belum terkirim "
                     "tetap tersimpan di bawah ini; tunjukkan kepada petugas, atau pasang ulang "
                     "tablet dengan kode baru agar terkirim."),
        "closed": _("Acara sudah ditutup. Tanda tangan baru tidak dapat diterima."),
        "not_open": _("Acara belum dibuka. Tunggu petugas membuka acara."),
        "recovery_revoked": _("Tanda tangan yang belum terkirim"),
        "recovery_refused": _("Tanda tangan yang ditolak server (untuk petugas)"),
        "unsent": _("Belum terkirim"),
        "dismiss": _("Hapus dari daftar"),
        "dismiss_confirm": _("Hapus catatan ini dari tablet? Pastikan petugas sudah mencatatnya."),
        "pair_offline": _("Tablet tidak terhubung ke jaringan. Sambungkan lalu coba lagi."),
        "pair_failed": _("Pemasangan gagal. Minta kode baru kepada petugas."),
        "awaited": _("Urutan penandatanganan: masih menunggu %(names)s."),
        "order_wait": _("Mohon menunggu: %(names)s menandatangani lebih dahulu."),
        "no_match": _("Nama tidak ditemukan di daftar peserta acara ini. Hubungi petugas."),
        "already_signed": _("%(name)s sudah menandatangani pada %(time)s (%(where)s)."),
        "elsewhere": _("tablet lain"),
        "no_birth_date": _("Tanggal lahir Anda tidak tercatat. Petugas memastikan identitas "
                           "Anda; tekan Lanjut."),
        "birth_invalid": _("Ketik tanggal lahir lengkap sebagai 8 angka: HHBBTTTT, misalnya "
                           "17081985."),
        "birth_mismatch": _("Tanggal lahir tidak cocok. Periksa kembali."),
        "identity_unreachable": _("Tanggal lahir tidak dapat diperiksa karena tablet tidak "
                                  "terhubung ke server. Coba lagi atau minta bantuan petugas."),
        "identity_locked": _("Tanggal lahir tidak cocok. Silakan minta bantuan petugas."),
        "identity_locked_person": _("%(name)s dikunci setelah tiga kali tanggal lahir salah. "
                                    "Minta petugas memeriksa identitas Anda secara tatap muka "
                                    "dan membuka kuncinya."),
        "declare": _("dengan ini menyatakan bahwa saya akan:"),
        "f_name": _("Nama"),
        "f_number": _("NIP/NIK"),
        "f_grade": _("Pangkat/Golongan"),
        "f_position": _("Jabatan"),
        "f_agency": _("Unit kerja"),
        "too_small": _("Tanda tangan kosong atau terlalu kecil. Silakan tanda tangani lagi."),
        "done": _("Terima kasih, %(name)s. Tanda tangan tersimpan pukul %(time)s."),
        "done_sub": _("Kios kembali ke awal dalam beberapa detik."),
        "done_offline": _("Tablet sedang luring: tanda tangan akan terkirim otomatis saat "
                          "jaringan tersedia."),
    }


@require_GET
def app(request):
    config = {
        "apiRoot": reverse("kiosk:api:api-root"),
        "swUrl": reverse("kiosk:service_worker"),
        "appUrl": reverse("kiosk:app"),
        # The outbox sends more than one waiting signature in batches of at most these.
        "batch": {"url": reverse("kiosk:api:submit_batch"), "maxItems": BATCH_MAX_ITEMS,
                  "maxBytes": BATCH_MAX_BYTES},
        "texts": {key: str(value) for key, value in _texts().items()},
    }
    return render(request, "kiosk/app.html", {"config": config})


@require_GET
def service_worker(request):
    """Served from /kios/ (not /static/) so that its scope covers the kiosk app."""
    path = finders.find("kiosk/sw.js")
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    config = {
        "version": _assets_version(),
        "app_url": reverse("kiosk:app"),
        "assets": [static(name) for name in APP_ASSETS],
    }
    body = f"self.PAKTA_KIOSK = {json.dumps(config)};\n{source}"
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("kiosk:app")
    return response


@require_GET
def manifest(request):
    data = {
        "name": "Pakta — Kios Tanda Tangan",
        "short_name": "Pakta Kios",
        "lang": "id",
        "start_url": reverse("kiosk:app"),
        "scope": reverse("kiosk:app"),
        "display": "standalone",
        "orientation": "any",
        "background_color": "#ffffff",
        "theme_color": "#0d3b66",
        "icons": [
            {"src": static("kiosk/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("kiosk/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False),
                        content_type="application/manifest+json; charset=utf-8")

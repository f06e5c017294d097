"""Kiosk URLs: the officer's tablet pages, the kiosk web app, and its JSON API."""

from django.urls import path

from signings.api.kiosk import api
from signings.views import kiosk

app_name = "kiosk"

urlpatterns = [
    path("sdm/acara/<int:event_pk>/kios/", kiosk.devices, name="devices"),
    path("sdm/acara/<int:event_pk>/kios/tambah/", kiosk.device_add, name="device_add"),
    path("sdm/acara/<int:event_pk>/kios/<int:pk>/kode/", kiosk.device_code, name="device_code"),
    path("sdm/acara/<int:event_pk>/kios/<int:pk>/petugas/", kiosk.device_officer,
         name="device_officer"),
    path("sdm/acara/<int:event_pk>/kios/<int:pk>/cabut/", kiosk.device_revoke,
         name="device_revoke"),
    path("kios/", kiosk.app, name="app"),
    path("kios/sw.js", kiosk.service_worker, name="service_worker"),
    path("kios/manifest.webmanifest", kiosk.manifest, name="manifest"),
    path("api/kios/v1/", api.urls),
]

"""The public verification page (no login), reached from the QR code printed on every pact.

The paths are printed on paper as QR codes: they must never change.
"""

from django.urls import path

from signings.views import verify

app_name = "verify"

urlpatterns = [
    path("v/", verify.verify_home, name="home"),
    path("v/<str:code>/", verify.verify, name="signature"),
]

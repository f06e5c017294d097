"""The witness's own device: a one-time personal link (no login)."""

from django.urls import path

from signings.views import witness

app_name = "witness"

urlpatterns = [
    path("saksi/<str:token>/", witness.sign, name="sign"),
]

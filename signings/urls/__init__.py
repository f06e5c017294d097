"""URL map: one module per audience, each owned by its views module."""

from django.urls import include, path

from signings.views import common

urlpatterns = [
    path("", common.home, name="home"),
    path("", include("signings.urls.hr")),
    path("", include("signings.urls.kiosk")),
    path("", include("signings.urls.audit")),
    path("", include("signings.urls.verify")),
    path("", include("signings.urls.witness")),
]

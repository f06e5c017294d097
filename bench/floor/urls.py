from django.urls import include, path

from bench.floor import views

urlpatterns = [
    path("bench/floor/signatures", views.submit, name="bench_floor_submit"),
    path("", include("pakta.urls")),
]

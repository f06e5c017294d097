"""Officer console URLs (BKD/BKPSDM)."""

from django.urls import path

from signings.views import hr_roster

app_name = "hr"

urlpatterns = [
    path("sdm/instansi/", hr_roster.agency_tree, name="agencies"),
    path("sdm/pegawai/", hr_roster.employee_list, name="employees"),
    path("sdm/pegawai/tambah/", hr_roster.employee_create, name="employee_create"),
    path("sdm/pegawai/<int:pk>/", hr_roster.employee_edit, name="employee_edit"),
    path("sdm/pegawai/<int:pk>/status/", hr_roster.employee_set_active,
         name="employee_set_active"),
    path("sdm/pegawai/<int:pk>/hapus/", hr_roster.employee_delete, name="employee_delete"),
]

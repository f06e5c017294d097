"""Officer console URLs (BKD/BKPSDM)."""

from django.urls import path, re_path

from signings.views import hr_import, hr_roster

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

urlpatterns += [
    path("sdm/impor/", hr_import.import_upload, name="import_upload"),
    path("sdm/impor/<str:token>/", hr_import.import_preview, name="import_preview"),
    path("sdm/impor/<str:token>/konfirmasi/", hr_import.import_confirm, name="import_confirm"),
    re_path(r"^sdm/templat-impor\.(?P<fmt>csv|xlsx)$", hr_import.import_template,
            name="import_template"),
    re_path(r"^sdm/pegawai/ekspor\.(?P<fmt>csv|xlsx)$", hr_import.roster_export,
            name="roster_export"),
]

"""Officer console URLs (BKD/BKPSDM)."""

from django.urls import path, re_path

from signings.views import (
    hr_events,
    hr_import,
    hr_live,
    hr_recap_sign,
    hr_roster,
    hr_templates,
    hr_witness,
)

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
    path("sdm/impor/<str:token>/unit/", hr_import.import_map_unit, name="import_map_unit"),
    path("sdm/impor/<str:token>/kolom/", hr_import.import_columns, name="import_columns"),
    re_path(r"^sdm/templat-impor\.(?P<fmt>csv|xlsx)$", hr_import.import_template,
            name="import_template"),
    re_path(r"^sdm/pegawai/ekspor\.(?P<fmt>csv|xlsx)$", hr_import.roster_export,
            name="roster_export"),
]

urlpatterns += [
    path("sdm/templat/", hr_templates.template_list, name="templates"),
    path("sdm/templat/tambah/", hr_templates.template_create, name="template_create"),
    path("sdm/templat/pasang-peraturan/", hr_templates.template_install,
         name="template_install"),
    path("sdm/templat/<int:pk>/", hr_templates.template_detail, name="template_detail"),
    path("sdm/templat/<int:pk>/ubah/", hr_templates.template_edit, name="template_edit"),
    path("sdm/templat/versi/<int:pk>/pratinjau/", hr_templates.version_preview,
         name="version_preview"),
    path("sdm/acara/", hr_events.event_list, name="events"),
    path("sdm/acara/tambah/", hr_events.event_create, name="event_create"),
    path("sdm/acara/<int:pk>/", hr_events.event_detail, name="event_detail"),
    path("sdm/acara/<int:pk>/ubah/", hr_events.event_edit, name="event_edit"),
    path("sdm/acara/<int:pk>/peserta/", hr_events.event_expected, name="event_expected"),
    re_path(r"^sdm/acara/(?P<pk>[0-9]+)/status/(?P<action>buka|tutup|buka-kembali)/$",
            hr_events.event_transition, name="event_transition"),
    path("sdm/acara/<int:pk>/susulan/", hr_events.event_follow_up, name="event_follow_up"),
    path("sdm/acara/<int:pk>/langsung/", hr_live.event_live, name="event_live"),
    path("sdm/acara/<int:pk>/langsung/panel/", hr_live.event_live_panel,
         name="event_live_panel"),
    path("sdm/acara/<int:pk>/pegawai/<int:employee_pk>/tidak-hadir/", hr_live.record_absent,
         name="record_absent"),
    path("sdm/acara/<int:pk>/pegawai/<int:employee_pk>/tidak-hadir/hapus/",
         hr_live.clear_absent, name="clear_absent"),
    path("sdm/acara/<int:pk>/pegawai/<int:employee_pk>/buka-kunci/", hr_live.identity_unlock,
         name="identity_unlock"),
    path("sdm/acara/<int:pk>/pegawai/<int:employee_pk>/tanda-tangan/", hr_live.record_sign,
         name="record_sign"),
    path("sdm/acara/<int:pk>/pegawai/<int:employee_pk>/kertas/", hr_live.record_paper,
         name="record_paper"),
    path("sdm/acara/<int:pk>/saksi/", hr_witness.event_witnesses, name="event_witnesses"),
    path("sdm/acara/<int:pk>/saksi/<int:employee_pk>/tanda-tangan/", hr_witness.witness_sign,
         name="witness_sign"),
    path("sdm/acara/<int:pk>/saksi/<int:employee_pk>/tautan/", hr_witness.witness_link,
         name="witness_link"),
    path("sdm/acara/<int:pk>/perwakilan/", hr_live.record_representative,
         name="record_representative"),
    path("sdm/tanda-tangan/<int:pk>/batalkan/", hr_live.signature_void, name="signature_void"),
]

urlpatterns += [
    path("sdm/acara/<int:pk>/rekap/tanda-tangan/", hr_recap_sign.recap_sign, name="recap_sign"),
    path("sdm/rekap-bertanda-tangan/<int:pk>.pdf", hr_recap_sign.recap_signed_pdf,
         name="recap_signed_pdf"),
]

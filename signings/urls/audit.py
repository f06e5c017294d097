from django.urls import path

from signings.views import audit, audit_bkn

app_name = "audit"

urlpatterns = [
    path("audit/", audit.event_list, name="event_list"),
    path("audit/acara/<int:pk>/", audit.event_detail, name="event_detail"),
    path("audit/acara/<int:pk>/rekap.pdf", audit.event_recap, name="event_recap"),
    path("audit/acara/<int:pk>/laporan-bkn.xlsx", audit_bkn.event_bkn_xlsx,
         name="event_bkn_xlsx"),
    path("audit/acara/<int:pk>/laporan-bkn/", audit_bkn.event_bkn_pdf, name="event_bkn_pdf"),
    path("audit/acara/<int:pk>/arsip/", audit.event_archive, name="event_archive"),
    path("audit/instansi/<int:pk>/arsip/", audit.agency_archive, name="agency_archive"),
    path("audit/instansi/<int:pk>/kepatuhan/", audit.compliance_report, name="compliance"),
    path("audit/instansi/<int:pk>/kepatuhan.xlsx", audit.compliance_xlsx,
         name="compliance_xlsx"),
    path("audit/instansi/<int:pk>/laporan-bkn/", audit_bkn.agency_bkn, name="agency_bkn"),
    path("audit/instansi/<int:pk>/laporan-bkn.xlsx", audit_bkn.agency_bkn_xlsx,
         name="agency_bkn_xlsx"),
    path("audit/instansi/<int:pk>/laporan-bkn/pdf/", audit_bkn.agency_bkn_pdf,
         name="agency_bkn_pdf"),
    path("audit/laporan-bkn/<int:pk>/", audit_bkn.bkn_job_detail, name="bkn_job_detail"),
    path("audit/laporan-bkn/<int:pk>/unduh/", audit_bkn.bkn_job_download,
         name="bkn_job_download"),
    path("audit/arsip/<int:pk>/", audit.archive_detail, name="archive_detail"),
    path("audit/arsip/<int:pk>/ulang/", audit.archive_retry, name="archive_retry"),
    path("audit/arsip/<int:pk>/unduh/", audit.archive_download, name="archive_download"),
    path("audit/tanda-tangan/<int:pk>/", audit.signature_detail, name="signature_detail"),
    path("audit/tanda-tangan/<int:pk>/pakta.pdf", audit.signature_pdf, name="signature_pdf"),
]

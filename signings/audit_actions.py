"""Every action the audit log knows, with the words an officer reads in an object's history.

`signings.services.audit.record` refuses an action that is not listed here, so a new write path
cannot invent an unlabelled action. Add new actions in alphabetical order.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTIONS: dict[str, Promise] = {
    "access.account.created": _("Akun pengguna dibuat"),
    "access.account.deleted": _("Akun pengguna dihapus"),
    "access.account.password_changed": _("Kata sandi akun diubah"),
    "access.account.updated": _("Akun pengguna diubah"),
    "access.lockout.cleared": _("Penguncian akun dibuka"),
    "access.role.granted": _("Peran pengguna diberikan"),
    "access.role.revoked": _("Peran pengguna dicabut"),
    "audit.archive.built": _("Arsip selesai dibuat"),
    "audit.archive.failed": _("Pembuatan arsip gagal"),
    "audit.archive.requested": _("Arsip diminta"),
    "audit.archive.requeued": _(
        "Arsip diantrekan ulang otomatis: pekerja latar belakang tidak memberi tanda hidup"),
    "audit.archive.retried": _("Pembuatan arsip diulang"),
    "audit.archive.started": _("Pembuatan arsip dimulai"),
    "audit.bkn_report.failed": _("Pembuatan laporan BKN (PDF) gagal"),
    "audit.bkn_report.ready": _("Laporan BKN (PDF) dibuat dan disegel"),
    "audit.bkn_report.requested": _("Laporan BKN (PDF) diminta"),
    "audit.bkn_report.requeued": _(
        "Laporan BKN (PDF) diantrekan ulang otomatis: pekerja latar belakang tidak memberi "
        "tanda hidup"),
    "audit.bkn_report.started": _("Pembuatan laporan BKN (PDF) dimulai"),
    "audit.checkpoint.made": _("Checkpoint rantai audit ditandatangani"),
    "audit.download.archive": _("Arsip diunduh"),
    "audit.download.bkn_report_pdf": _("Laporan BKN (PDF) diunduh"),
    "audit.download.bkn_report_xlsx": _("Laporan BKN (XLSX) diunduh"),
    "audit.download.compliance_xlsx": _("Laporan kepatuhan (XLSX) diunduh"),
    "audit.download.recap": _("Rekap acara diunduh"),
    "audit.download.recap_certified": _("Rekap bertanda tangan tersertifikasi diunduh"),
    "audit.download.signature_pdf": _("PDF pakta diunduh"),
    "audit.recap.certified_signature": _(
        "Rekap ditandatangani dengan tanda tangan elektronik tersertifikasi BSrE"),
    "audit.recap.certified_signature_refused": _(
        "Tanda tangan elektronik tersertifikasi pada rekap ditolak BSrE"),
    "audit.recap.sealed": _("Rekap acara dibuat dan disegel"),
    "kiosk.device.added": _("Tablet ditambahkan"),
    "kiosk.device.code_renewed": _("Kode pemasangan tablet diperbarui"),
    "kiosk.device.officer_changed": _("Petugas penanggung jawab tablet diganti"),
    "kiosk.device.paired": _("Tablet dipasang"),
    "kiosk.device.revoked": _("Tablet dicabut"),
    "roster.agency.created": _("Instansi ditambahkan"),
    "roster.agency.deleted": _("Instansi dihapus"),
    "roster.agency.updated": _("Data instansi diubah"),
    "roster.employee.activated": _("Pegawai diaktifkan"),
    "roster.employee.created": _("Pegawai ditambahkan"),
    "roster.employee.deactivated": _("Pegawai dinonaktifkan"),
    "roster.employee.deleted": _("Pegawai dihapus"),
    "roster.employee.updated": _("Data pegawai diubah"),
    "roster.import.columns_mapped": _("Pemetaan kolom impor disimpan"),
    "roster.import.confirmed": _("Impor daftar pegawai dikonfirmasi"),
    "roster.import.unit_mapped": _("Pemetaan unit impor disimpan"),
    "seal.certificate.registered": _("Sertifikat segel baru mulai dipakai"),
    "signing.attendance.cleared": _("Catatan kehadiran dihapus"),
    "signing.attendance.recorded": _("Catatan kehadiran dicatat"),
    "signing.event.closed": _("Acara ditutup"),
    "signing.event.created": _("Acara dibuat"),
    "signing.event.expected_changed": _("Daftar peserta acara diubah"),
    "signing.event.follow_up_created": _("Acara susulan dibuat"),
    "signing.event.opened": _("Acara dibuka"),
    "signing.event.reopened": _("Acara dibuka kembali"),
    "signing.event.updated": _("Data acara diubah"),
    "signing.identity.locked": _("Penanda tangan dikunci setelah tanggal lahir salah"),
    "signing.identity.unlocked": _("Kunci penanda tangan dibuka setelah diperiksa tatap muka"),
    "signing.pdf.rendered": _("PDF pakta dibuat"),
    "signing.pdf.rerendered": _("PDF pakta dibuat ulang"),
    "signing.pdf.seal_awaiting": _("PDF pakta menunggu segel BSrE"),
    "signing.pdf.seal_refused": _("Segel BSrE untuk PDF pakta ditolak"),
    "signing.pdf.witnessed": _("PDF pakta diterbitkan ulang dengan tanda tangan saksi"),
    "signing.signature.recorded": _("Tanda tangan dicatat"),
    "signing.signature.representation": _("Tanda tangan perwakilan dicatat"),
    "signing.signature.voided": _("Tanda tangan dibatalkan"),
    "signing.witness.identity_wrong": _("Saksi mengetik tanggal lahir yang salah"),
    "signing.witness.link_created": _("Tautan pribadi saksi dibuat"),
    "signing.witness.recorded": _("Tanda tangan saksi (Menyaksikan) dicatat"),
    "template.created": _("Templat pakta dibuat"),
    "template.regulation_installed": _("Templat peraturan dipasang"),
    "template.version_created": _("Versi templat pakta dibuat"),
    "template.version_updated": _("Versi templat pakta diubah"),
}


class UnknownAuditActionError(KeyError):
    """An action missing from ACTIONS: add it there, with its label."""


def label(action: str) -> str:
    try:
        return str(ACTIONS[action])
    except KeyError:
        return action


def check(action: str) -> None:
    if action not in ACTIONS:
        raise UnknownAuditActionError(action)

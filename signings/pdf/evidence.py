"""The evidence page of a pact: how the signature was made, sealed with the pact.

One page after the pact's text (templates/pdf/_evidence.html), printed from the signature's
row and the audit entry that recorded it, so that a reader holding only the PDF can tell who
signed, how identity was checked, what was agreed to and when, on which tablet under which
officer, and which fingerprints to compare with the database and the audit log. Everything
here is stored data: rendering twice gives the same page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from signings import consent
from signings.models import AuditEntry, Signature, SignatureMethod, WitnessSignature
from signings.pdf import dates, pact_text

EMPTY = pact_text.EMPTY
# The action `services.signatures.record_signature` logs (services.audit_verify.ACTION_RECORDED;
# pdf/ may not import services).
RECORDED_ACTION = "signing.signature.recorded"
# The action `services.witnesses.record_witness` logs for each witnessed pact.
WITNESS_ACTION = "signing.witness.recorded"


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    fingerprint: bool = False  # a SHA-256 in hex: printed smaller, may break anywhere


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[Row]


def recorded_entry(signature: Signature) -> AuditEntry | None:
    """The audit entry written in the same transaction as the signature."""
    return (AuditEntry.objects.for_object(signature).filter(action=RECORDED_ACTION)
            .order_by("id").first())


def person(user) -> str:
    if user is None:
        return EMPTY
    name = user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()


def clock_offset(signature: Signature) -> str:
    offset = signature.clock_offset_seconds
    if offset is None:
        return EMPTY
    if offset > 0:
        text = _("+%(n)s detik (jam tablet lebih cepat dari server)") % {"n": offset}
    elif offset < 0:
        text = _("-%(n)s detik (jam tablet lebih lambat dari server)") % {"n": -offset}
    else:
        text = _("0 detik (sama dengan server)")
    if signature.clock_suspect:
        text += "; " + _("meragukan: waktu terima server dipakai sebagai waktu tanda tangan")
    return text


def _statement(signature: Signature) -> str:
    if not signature.consent_hash:
        return EMPTY
    text = consent.statement_for(signature.consent_hash)
    if text is None:
        return _("(teks tidak dikenali; lihat sidiknya)")
    return f"“{text}”"


def sections(signature: Signature, *, image_sha256: str | None,
             scan_sha256: str | None) -> list[Section]:
    tz_name = signature.event.agency.timezone
    version = signature.event.template_version

    def when(moment, *, clock: str = "") -> str:
        if moment is None:
            return EMPTY
        text = dates.indonesian_datetime(moment, tz_name, seconds=True)
        return f"{text} ({clock})" if clock else text

    employee = signature.employee
    label, value = pact_text.identity_for(employee)
    on_tablet = signature.method == SignatureMethod.TABLET
    signer = [
        Row(_("Nama"), employee.display_name),
        Row(label, value or EMPTY),
        Row(_("Cara penandatanganan"), signature.get_method_display()),
        Row(_("Pemeriksaan identitas"), signature.get_identity_method_display()),
        Row(_("Hasil pemeriksaan identitas"), signature.get_identity_result_display()),
        Row(_("Tanggal lahir salah sebelumnya"), str(signature.identity_wrong_attempts)),
    ]
    if signature.represented_group:
        signer.append(Row(_("Mewakili"), signature.represented_group))
    agreed = [
        Row(_("Pernyataan yang disetujui"), _statement(signature)),
        Row(_("Sidik pernyataan (SHA-256)"), signature.consent_hash or EMPTY, True),
        Row(_("Waktu persetujuan"),
            when(signature.consent_at, clock=_("jam tablet") if on_tablet else _("jam server"))),
    ]
    device = [
        Row(_("Tablet"), signature.device.name if signature.device is not None else EMPTY),
        Row(_("Petugas yang mencatat"), person(signature.officer)),
        Row(_("Petugas penanggung jawab"), person(signature.responsible_officer)),
        Row(_("Alamat IP"), signature.ip_address or EMPTY),
        Row(_("Agen pengguna (peramban)"), signature.user_agent or EMPTY),
    ]
    times = [
        Row(_("Jam tablet saat menandatangani"), when(signature.client_signed_at)),
        Row(_("Selisih jam tablet"), clock_offset(signature)),
        Row(_("Diterima server"), when(signature.received_at)),
        Row(_("Waktu tanda tangan (server)"), when(signature.signed_at)),
    ]
    # A tablet time that was not believed is still evidence: printed as the tablet sent it.
    for field, raw in sorted((signature.untrusted_times or {}).items()):
        times.append(Row(_("Jam tablet tak dipercaya"), f"{field}: {raw}"))
    files = [
        Row(_("Templat dan versi"),
            _("%(name)s, versi %(number)s") % {"name": version.template.name,
                                               "number": version.number}),
        Row(_("Sidik teks pakta (SHA-256)"), version.content_hash, True),
        Row(_("Sidik gambar tanda tangan (SHA-256)"), image_sha256 or EMPTY, True),
    ]
    if signature.method == SignatureMethod.PAPER:
        files.append(Row(_("Sidik pindaian kertas (SHA-256)"), scan_sha256 or EMPTY, True))
    entry = recorded_entry(signature)
    audit = [
        Row(_("Sidik catatan audit tanda tangan"), entry.entry_hash if entry else EMPTY, True),
        Row(_("Rantai dan nomor urut"), f"{entry.chain} #{entry.seq}" if entry else EMPTY),
        Row(_("Waktu catatan"), when(entry.at if entry else None)),
    ]
    witnessed = _witness_section(signature, when)
    return [
        Section(_("Penanda tangan dan identitas"), signer),
        *([witnessed] if witnessed is not None else []),
        Section(_("Persetujuan"), agreed),
        Section(_("Tablet, petugas dan koneksi"), device),
        Section(_("Waktu"), times),
        Section(_("Teks dan gambar"), files),
        Section(_("Log audit"), audit),
    ]


def _witness_section(signature: Signature, when) -> Section | None:
    """The witness ("Menyaksikan") of the pact: who, and how and when they signed."""
    if not signature.event.template_version.witness_required:
        return None
    try:
        signed = signature.witness_signature
    except WitnessSignature.DoesNotExist:
        signed = None
    who = signed.witness if signed is not None else signature.witness
    rows = [Row(_("Nama"), who.display_name if who else _("Belum ditentukan"))]
    if who is not None:
        label, value = pact_text.identity_for(who)
        rows += [Row(label, value or EMPTY), Row(_("Jabatan"), who.position or EMPTY)]
    if signed is None:
        rows.append(Row(_("Status"), _("Menunggu tanda tangan saksi")))
        return Section(_("Saksi (Menyaksikan)"), rows)
    entry = (AuditEntry.objects.for_object(signed).filter(action=WITNESS_ACTION)
             .order_by("id").first())
    rows += [
        Row(_("Status"), _("Disaksikan")),
        Row(_("Cara menyaksikan"), signed.get_method_display()),
        Row(_("Pemeriksaan identitas"), signed.get_identity_method_display()),
        Row(_("Petugas yang mencatat"), person(signed.officer)),
        Row(_("Waktu menyaksikan (server)"), when(signed.signed_at)),
        Row(_("Sidik gambar tanda tangan saksi (SHA-256)"), signed.image_sha256, True),
        Row(_("Sidik catatan audit saksi"), entry.entry_hash if entry else EMPTY, True),
    ]
    return Section(_("Saksi (Menyaksikan)"), rows)

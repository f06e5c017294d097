"""Forms for what officers record besides tablet signing."""

from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from signings.forms import CleanTextForm, check_upload_size
from signings.forms.events import clean_people
from signings.models import AbsenceReason

SCAN_TYPES = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)


class AbsenceForm(CleanTextForm):
    reason = forms.ChoiceField(label=_("Alasan"), choices=AbsenceReason.choices)
    note = forms.CharField(label=_("Catatan"), max_length=300, required=False,
                           help_text=_("Wajib bila alasannya “Lainnya”."))

    def clean(self):
        data = super().clean()
        if data.get("reason") == AbsenceReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", _("Jelaskan alasan lainnya pada catatan."))
        return data


class SignaturePadForm(CleanTextForm):
    # Filled by static/js/signature-form.js from the drawing pad as a PNG data URL.
    signature = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_signature(self):
        value = self.cleaned_data["signature"]
        if not value:
            raise forms.ValidationError(_("Tanda tangan belum dibuat pada kotak tanda tangan."))
        return value


class RepresentativeForm(SignaturePadForm):
    employee = forms.TypedChoiceField(label=_("Penanda tangan (perwakilan)"), coerce=int,
                                      choices=())
    represented_group = forms.CharField(
        label=_("Mewakili"), max_length=250,
        help_text=_("Kelompok yang diwakili, misalnya “Seluruh ASN Sekretariat Daerah”."),
    )

    covers = forms.CharField(
        label=_("Pegawai yang diwakili (opsional)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("NIP, NIK, atau nomor pegawai; satu per baris. Kosongkan bila cukup nama "
                    "kelompoknya."),
    )

    def __init__(self, *args, candidates, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["employee"].choices = [("", "—")] + [
            (row.employee.pk, f"{row.employee.display_name} — {row.employee.position}")
            for row in candidates
        ]

    def clean_covers(self):
        return clean_people(self.event, self.cleaned_data["covers"])


def sniff_scan(data: bytes) -> str | None:
    for magic, extension in SCAN_TYPES:
        if data.startswith(magic):
            return extension
    return None


def _pdf_has_pages(data: bytes) -> bool:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        return len(PdfReader(io.BytesIO(data), strict=False).pages) > 0
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError,
            RecursionError):
        return False


class PaperScanForm(CleanTextForm):
    scan = forms.FileField(label=_("Pindaian pakta bertanda tangan (PDF, JPEG, atau PNG)"))

    def clean_scan(self):
        upload = self.cleaned_data["scan"]
        check_upload_size(upload, settings.PAKTA_PAPER_SCAN_MAX_BYTES)
        data = upload.read()
        # The type is decided by the content, never by the file name or browser's claim.
        extension = sniff_scan(data)
        if extension is None:
            raise forms.ValidationError(
                _("Isi berkas bukan PDF, JPEG, atau PNG. Pindai ulang dan simpan sebagai PDF "
                  "atau gambar."))
        if extension == "pdf":
            if not _pdf_has_pages(data):
                raise forms.ValidationError(_("Berkas PDF rusak atau tidak lengkap."))
        else:
            try:
                with Image.open(io.BytesIO(data)) as image:
                    image.verify()
            except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
                    Image.DecompressionBombError):
                raise forms.ValidationError(_("Gambar pindaian rusak dan tidak dapat dibaca.")) \
                    from None
        return data, extension


class VoidForm(CleanTextForm):
    reason = forms.CharField(label=_("Alasan pembatalan"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}))

from django import forms
from django.utils.translation import gettext_lazy as _

from signings.services.verification import MAX_UPLOAD_BYTES


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Kode verifikasi"), max_length=20,
                           help_text=_("12 huruf/angka di bawah kode QR pada pakta."))


class UploadForm(forms.Form):
    document = forms.FileField(label=_("Berkas PDF pakta"),
                               help_text=_("Paling besar 10 MB."))

    def clean_document(self):
        document = self.cleaned_data["document"]
        if document.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Berkas terlalu besar (paling besar 10 MB)."),
                                        code="too_large")
        head = document.read(5)
        document.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(_("Berkas ini bukan PDF."), code="not_pdf")
        return document

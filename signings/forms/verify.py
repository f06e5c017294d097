from django import forms
from django.utils.translation import gettext_lazy as _

from signings.forms import CleanTextForm
from signings.services.verification import MAX_UPLOAD_BYTES, normalise_code


class CodeForm(CleanTextForm):
    code = forms.CharField(label=_("Kode verifikasi"), max_length=20,
                           help_text=_("12 huruf/angka di bawah kode QR pada pakta."))

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        # The code becomes part of the page's path: a slash or any other sign cannot be in a
        # code, and must not reach the URL.
        if not code or not code.isascii() or not code.isalnum():
            raise forms.ValidationError(
                _("Kode verifikasi hanya berisi huruf dan angka, seperti tercetak di bawah kode "
                  "QR."), code="code.invalid")
        return code


class UploadForm(CleanTextForm):
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

"""The roster upload form."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from signings.forms import CleanTextForm, check_upload_size
from signings.forms.employee import AgencyChoiceField, managed_agencies


class ImportUploadForm(CleanTextForm):
    agency = AgencyChoiceField(
        label=_("Instansi tujuan"), queryset=None,
        help_text=_("Baris tanpa kode unit masuk ke instansi ini; kode unit harus berada di "
                    "bawahnya."),
    )
    file = forms.FileField(label=_("Berkas CSV atau XLSX"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = managed_agencies(user)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload_size(upload, settings.PAKTA_IMPORT_MAX_BYTES)
        return upload

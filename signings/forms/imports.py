"""The roster upload form."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from signings.forms import CleanTextForm, check_upload_size
from signings.forms.employee import AgencyChoiceField, managed_agencies
from signings.models import Agency, EmployeeCategory
from signings.services.imports.formats import MAPPABLE


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


class UnitMappingForm(CleanTextForm):
    """One unit name of the file → a unit of the target agency's tree."""

    source_name = forms.CharField(label=_("Nama unit di berkas"), max_length=200,
                                  widget=forms.HiddenInput)
    unit = AgencyChoiceField(label=_("Unit di Pakta"), queryset=None)

    def __init__(self, *args, agency, names: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Agency.objects.subtree_of(agency).order_by("path")
        self.names = {" ".join(name.split()) for name in names}

    def clean_source_name(self):
        name = " ".join(self.cleaned_data["source_name"].split())
        if name not in self.names:
            raise forms.ValidationError(_("Nama unit ini tidak ada di berkas yang diunggah."),
                                        code="mapping.unknown_name")
        return name


class ColumnMappingForm(CleanTextForm):
    """For each field Pakta reads, the column of the file that holds it (or none)."""

    default_category = forms.ChoiceField(
        label=_("Kategori bila kolom kategori kosong atau tidak ada"), required=False,
        choices=[("", _("— tidak ada —")), *EmployeeCategory.choices],
    )

    def __init__(self, *args, header: list[str], guesses: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.header = header
        choices = [("", _("— tidak ada —"))] + [
            (str(i), name or _("(kolom %(n)d tanpa nama)") % {"n": i + 1})
            for i, name in enumerate(header)
        ]
        for key, label in MAPPABLE:
            self.fields[f"col_{key}"] = forms.TypedChoiceField(
                label=label, required=False, choices=choices, coerce=int, empty_value=None,
                initial=guesses.get(key),
            )
        self.order_fields([f"col_{key}" for key, _label in MAPPABLE] + ["default_category"])

    def clean(self):
        data = super().clean()
        columns = {key: data.get(f"col_{key}") for key, _label in MAPPABLE}
        columns = {key: index for key, index in columns.items() if index is not None}
        if "name" not in columns or "position" not in columns:
            raise forms.ValidationError(_("Kolom Nama dan Jabatan wajib dipilih."),
                                        code="mapping.required")
        if not {"nip", "nik", "staff_number"} & set(columns):
            raise forms.ValidationError(_("Pilih kolom NIP, NIK, atau nomor pegawai."),
                                        code="mapping.identity")
        if "category" not in columns and not data.get("default_category"):
            raise forms.ValidationError(_("Pilih kolom Kategori atau kategori bawaannya."),
                                        code="mapping.category")
        if len(set(columns.values())) != len(columns):
            raise forms.ValidationError(_("Satu kolom hanya boleh dipakai untuk satu isian."),
                                        code="mapping.duplicate")
        data["columns"] = columns
        return data

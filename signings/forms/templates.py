"""Pact template form: the wording officers edit (never code)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from signings.forms import CleanTextForm
from signings.forms.employee import AgencyChoiceField, managed_agencies
from signings.models import PactTemplate, PactTemplateVersion


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class TemplateForm(CleanTextForm):
    agency = AgencyChoiceField(
        label=_("Instansi pemilik"), queryset=None,
        help_text=_("Templat dapat dipakai oleh instansi ini dan seluruh unit di bawahnya."),
    )
    name = forms.CharField(label=_("Nama templat"), max_length=200)
    description = forms.CharField(label=_("Keterangan"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    title = forms.CharField(label=_("Judul"), max_length=250)
    election = forms.CharField(label=_("Pemilu/pemilihan"), max_length=150, required=False,
                               help_text=_("Misalnya “Pemilu 2024”."))
    opening = forms.CharField(label=_("Pembuka"), widget=forms.Textarea(attrs={"rows": 2}))
    points = forms.CharField(label=_("Butir-butir pernyataan"),
                             widget=forms.Textarea(attrs={"rows": 8}),
                             help_text=_("Satu butir per baris; nomor ditambahkan otomatis."))
    closing = forms.CharField(label=_("Penutup"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    sanctions = forms.CharField(label=_("Klausul sanksi"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(label=_("Dasar hukum"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text=_("Satu peraturan per baris."))
    witness_required = forms.BooleanField(
        label=_("Disaksikan atasan langsung (Menyaksikan)"), required=False,
        help_text=_("Seperti format Permenpan RB 49/2011: pakta ditandatangani juga oleh "
                    "atasan langsung atau saksi acara."))

    def __init__(self, *args, user, template: PactTemplate | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        if template is None:
            self.fields["agency"].queryset = managed_agencies(user)
        else:
            # The owner of an existing template does not change: its events depend on it.
            del self.fields["agency"]
        self.helper = FormHelper()
        self.helper.form_tag = False

    @classmethod
    def initial_from(cls, template: PactTemplate, version) -> dict:
        initial = {"name": template.name, "description": template.description}
        if version is not None:
            initial.update({
                key: "\n".join(value) if isinstance(value, list) else value
                for key, value in version.content().items()
            })
            initial["witness_required"] = version.witness_required
        return initial

    def clean_points(self):
        points = _lines(self.cleaned_data["points"])
        if not points:
            raise forms.ValidationError(_("Isi sedikitnya satu butir pernyataan."))
        return points

    def clean_legal_basis(self):
        return _lines(self.cleaned_data["legal_basis"])

    def clean(self):
        data = super().clean()
        agency = data.get("agency") or (self.template.agency if self.template else None)
        name = data.get("name")
        if agency and name:
            clash = PactTemplate.objects.filter(agency=agency, name=name)
            if self.template is not None:
                clash = clash.exclude(pk=self.template.pk)
            if clash.exists():
                self.add_error("name", _("Instansi ini sudah memiliki templat dengan nama itu."))
        return data

    @property
    def content(self) -> dict:
        return {key: self.cleaned_data[key]
                for key in (*PactTemplateVersion.CONTENT_FIELDS, "witness_required")}


class InstallRegulationForm(CleanTextForm):
    agency = AgencyChoiceField(label=_("Untuk instansi"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = managed_agencies(user)

"""The period (or election) of an agency's BKN report, from the query string."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from signings.forms import CleanTextForm
from signings.readmodels.bkn_report import Period


class BknPeriodForm(CleanTextForm):
    dari = forms.DateField(
        label=_("Dari tanggal"), required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    sampai = forms.DateField(
        label=_("Sampai tanggal"), required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    pemilihan = forms.ChoiceField(
        label=_("Pemilu/pemilihan"), required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, elections: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pemilihan"].choices = [("", _("Semua")), *((e, e) for e in elections)]

    def clean(self):
        data = super().clean()
        start, end = data.get("dari"), data.get("sampai")
        if start and end and start > end:
            raise forms.ValidationError(
                _("Tanggal awal harus sama dengan atau sebelum tanggal akhir."),
                code="period.reversed")
        return data

    def period(self) -> Period:
        data = self.cleaned_data
        return Period(start=data.get("dari"), end=data.get("sampai"),
                      election=data.get("pemilihan") or "")

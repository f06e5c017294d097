"""Forms of the witness ("Menyaksikan") pages: the officer's screen and the witness's link."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from signings.forms.recording import SignaturePadForm


class WitnessSignForm(SignaturePadForm):
    """The pacts to witness (all ticked at first) and the drawn signature."""

    signatures = forms.TypedMultipleChoiceField(label=_("Pakta yang disaksikan"), coerce=int,
                                                choices=(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, pending, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signatures"].choices = [(s.pk, s.employee.display_name) for s in pending]
        self.fields["signatures"].initial = [s.pk for s in pending]
        self.fields["signatures"].error_messages["required"] = _(
            "Pilih sedikitnya satu pakta untuk disaksikan.")
        self._pending_ids = {s.pk for s in pending}

    @property
    def checked(self) -> set[int]:
        """Ticked boxes: all at first, then what was posted."""
        if not self.is_bound:
            return self._pending_ids
        posted = set()
        for value in self.data.getlist(self.add_prefix("signatures")):
            try:
                posted.add(int(value))
            except ValueError:
                continue
        return posted & self._pending_ids


class OfficerWitnessForm(WitnessSignForm):
    """On the officer's shared screen the witness is recognised by their birth date, or the
    officer vouches for them (left empty)."""

    birth_date = forms.DateField(
        label=_("Tanggal lahir saksi"), required=False,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}),
        help_text=_("Diisi saksi sendiri. Kosongkan bila petugas sudah memeriksa identitas "
                    "saksi secara langsung."),
    )

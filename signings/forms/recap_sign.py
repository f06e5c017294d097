"""The certified-signature form for the event recap (signings/services/recap_signatures.py).

The passphrase and TOTP fields are password inputs that are never rendered back: a failed
attempt shows an empty field, so the secret is never in a page either.
"""

import re

from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from signings.forms import CleanTextForm

NIK_RE = re.compile(r"^\d{16}$")


class RecapSignForm(CleanTextForm):
    role = forms.ChoiceField(label=_("Menandatangani sebagai"), choices=[
        ("Saksi", _("Saksi")), ("Kepala instansi", _("Kepala instansi"))])
    identity = forms.ChoiceField(label=_("Masuk BSrE dengan"), choices=[
        ("nik", _("NIK")), ("email", _("E-mail"))], initial="nik")
    who = forms.CharField(label=_("NIK atau e-mail"), max_length=254,
                          widget=forms.TextInput(attrs={"autocomplete": "off"}))
    passphrase = forms.CharField(
        label=_("Passphrase BSrE"), required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))
    totp = forms.CharField(
        label=_("atau kode TOTP dari aplikasi BSrE"), required=False, max_length=12,
        widget=forms.PasswordInput(render_value=False,
                                   attrs={"autocomplete": "one-time-code",
                                          "inputmode": "numeric"}))

    def clean(self):
        data = super().clean()
        who = (data.get("who") or "").strip()
        if data.get("identity") == "nik" and who and not NIK_RE.match(who):
            self.add_error("who", _("NIK terdiri dari 16 angka."))
        if data.get("identity") == "email" and who:
            try:
                validate_email(who)
            except forms.ValidationError:
                self.add_error("who", _("Alamat e-mail tidak valid."))
        data["who"] = who
        if bool(data.get("passphrase")) == bool((data.get("totp") or "").strip()):
            raise forms.ValidationError(_("Isi passphrase atau kode TOTP (salah satu)."))
        return data

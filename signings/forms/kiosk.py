"""The officer's form for pairing a kiosk tablet."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DeviceForm(forms.Form):
    name = forms.CharField(
        label=_("Nama tablet"), max_length=80,
        help_text=_("Misalnya “Tablet 1 — pintu timur”. Nama tertempel di tablet memudahkan "
                    "petugas."),
    )

"""The officer's form for pairing a kiosk tablet."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from signings.forms import CleanTextForm
from signings.models import Role, RoleAssignment


class DeviceForm(CleanTextForm):
    name = forms.CharField(
        label=_("Nama tablet"), max_length=80,
        help_text=_("Misalnya “Tablet 1 — pintu timur”. Nama tertempel di tablet memudahkan "
                    "petugas."),
    )


def officers_for(agency):
    """Active HR officers whose scope covers the agency (its own or a parent's officers)."""
    ids = [a.user_id for a in RoleAssignment.objects.filter(role=Role.HR_OFFICER)
           .select_related("agency") if agency.path.startswith(a.agency.path)]
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("username")


class ResponsibleOfficerForm(CleanTextForm):
    officer = forms.ModelChoiceField(
        label=_("Petugas penanggung jawab"), queryset=None, empty_label=None,
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers_for(agency)

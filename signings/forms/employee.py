"""Employee forms: the roster filter and the create/edit form."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from signings import access, identity
from signings.access import Ability
from signings.forms import CleanTextForm, CleanTextModelForm
from signings.models import Agency, Echelon, Employee, EmployeeCategory


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return f"{'— ' * obj.depth}{obj.name}"


def managed_agencies(user):
    return access.agencies(user, Ability.MANAGE).order_by("path")


class EmployeeFilterForm(CleanTextForm):
    SORTS = {
        "name": ("name", "pk"),
        "-name": ("-name", "-pk"),
        "nip": ("nip", "pk"),
        "unit": ("agency__path", "name", "pk"),
        "echelon": ("echelon", "name", "pk"),
    }
    q = forms.CharField(label=_("Cari nama atau NIP"), required=False, max_length=100)
    unit = AgencyChoiceField(label=_("Unit"), queryset=Agency.objects.none(), required=False,
                             empty_label=_("Semua unit"))
    category = forms.ChoiceField(
        label=_("Kategori"), required=False,
        choices=[("", _("Semua kategori")), *EmployeeCategory.choices],
    )
    echelon = forms.TypedChoiceField(
        label=_("Eselon"), required=False, coerce=int, empty_value=None,
        choices=[("", _("Semua eselon")), *Echelon.choices],
    )
    active = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("1", _("Aktif")), ("0", _("Nonaktif")), ("all", _("Semua"))],
    )
    sort = forms.ChoiceField(
        label=_("Urutkan"), required=False,
        choices=[("name", _("Nama (A–Z)")), ("-name", _("Nama (Z–A)")), ("nip", _("NIP")),
                 ("unit", _("Unit")), ("echelon", _("Eselon"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = access.agencies(user).order_by("path")

    def filter(self, queryset):
        if not self.is_valid():
            if "q" in self.errors:
                # A search for characters no name holds (NUL, a direction override) finds
                # nobody; the field says why.
                return queryset.none()
            return queryset.filter(is_active=True).order_by("name", "pk")
        data = self.cleaned_data
        queryset = queryset.search(data["q"])
        if data["unit"]:
            queryset = queryset.in_agency(data["unit"])
        if data["category"]:
            queryset = queryset.filter(category=data["category"])
        if data["echelon"] is not None:
            queryset = queryset.filter(echelon=data["echelon"])
        if data["active"] in ("", "1"):
            queryset = queryset.filter(is_active=True)
        elif data["active"] == "0":
            queryset = queryset.filter(is_active=False)
        return queryset.order_by(*self.SORTS[data["sort"] or "name"])


class EmployeeForm(CleanTextModelForm):
    agency = AgencyChoiceField(label=_("Unit/instansi"), queryset=Agency.objects.none())
    # Wider than the stored 18/16 digits: people type spaces and dots, clean_* normalises.
    nip = forms.CharField(label=_("NIP"), max_length=40, required=False)
    nik = forms.CharField(label=_("NIK"), max_length=40, required=False)
    # Typed, not picked from a list of thousands: the superior's NIP, within the officer's
    # agencies (Employee.clean checks it is this unit's or one above it).
    superior_nip = forms.CharField(
        label=_("NIP atasan langsung"), max_length=40, required=False,
        help_text=_("Atasan langsung menyaksikan pakta integritas pegawai ini (Menyaksikan)."))

    class Meta:
        model = Employee
        fields = [
            "name", "title_prefix", "title_suffix", "category", "nip", "nik", "staff_number",
            "position", "grade", "echelon", "agency",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only agencies the officer manages are offered, so a posted id of another agency is
        # an invalid choice rather than a move.
        self.fields["agency"].queryset = managed_agencies(user)
        self.fields["nip"].help_text = _("18 digit; spasi boleh, misalnya 19800101 200501 1 001.")
        if self.instance.superior_id and not self.is_bound:
            self.initial["superior_nip"] = self.instance.superior.nip or ""
        self._user = user
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_superior_nip(self):
        raw = self.cleaned_data.get("superior_nip")
        if not raw:
            self.instance.superior = None
            return ""
        try:
            nip = identity.normalize_number(raw, field="nip")
        except identity.IdentityError as error:
            raise forms.ValidationError(str(error), code=error.code) from None
        superior = (Employee.objects.filter(nip=nip, agency__in=access.agencies(self._user))
                    .select_related("agency").first())
        if superior is None:
            raise forms.ValidationError(
                _("Tidak ada pegawai dengan NIP ini di instansi yang Anda kelola."),
                code="superior.unknown")
        self.instance.superior = superior
        return nip

    def clean_nip(self):
        raw = self.cleaned_data.get("nip")
        if not raw:
            return None
        category = self.data.get(self.add_prefix("category"))
        kind = category if category in EmployeeCategory.asn() else None
        try:
            nip = identity.parse_nip(raw, kind=kind).nip
        except identity.IdentityError as error:
            raise forms.ValidationError(str(error), code=error.code) from None
        # Checked here, across all agencies, because the database's partial unique constraint
        # would only offer a generic "constraint violated" message.
        self._refuse_if_taken("nip", nip, _("NIP ini sudah terdaftar untuk pegawai lain."))
        return nip

    def clean_nik(self):
        raw = self.cleaned_data.get("nik")
        if not raw:
            return None
        try:
            nik = identity.parse_nik(raw).nik
        except identity.IdentityError as error:
            raise forms.ValidationError(str(error), code=error.code) from None
        self._refuse_if_taken("nik", nik, _("NIK ini sudah terdaftar untuk pegawai lain."))
        return nik

    def _refuse_if_taken(self, field: str, value: str, message: str) -> None:
        if Employee.objects.filter(**{field: value}).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(message, code=f"{field}.taken")

    def _post_clean(self):
        # A NIP/NIK refused above is left out of the instance, so the model's clean() would
        # add "required" on top of the real reason: keep only the real reason.
        refused = {name for name in ("nip", "nik") if name in self._errors}
        super()._post_clean()
        for name in refused:
            errors = self._errors[name]
            errors.data = [e for e in errors.data
                           if getattr(e, "code", None) not in {"nip.required", "nik.required"}]

    def clean_staff_number(self):
        raw = self.cleaned_data.get("staff_number") or ""
        return raw.strip()

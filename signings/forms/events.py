"""Event forms: creating an event, adjusting who is expected, status changes."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from signings import access, identity
from signings.access import Ability
from signings.forms import CleanTextForm
from signings.forms.employee import AgencyChoiceField, managed_agencies
from signings.models import (
    Agency,
    Employee,
    EventKind,
    EventStatus,
    IdentityCheck,
    PactTemplateVersion,
)
from signings.models.event import KIOSK_IDLE_MAX, KIOSK_IDLE_MIN


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PactTemplateVersion) -> str:
        owner = obj.template.agency
        return f"{obj.template.name} — v{obj.number} ({owner.short_name or owner.name})"


def usable_versions(user):
    """Versions of templates owned inside the user's scope or by an agency above it."""
    queryset = PactTemplateVersion.objects.select_related("template__agency").order_by(
        "template__name", "-number")
    if access.is_admin(user):
        return queryset
    condition = Q(pk__in=[])
    for root in access.roots_for(user, Ability.MANAGE):
        ancestor_ids = [int(part) for part in root.path.strip("/").split("/") if part]
        condition |= Q(template__agency__path__startswith=root.path)
        condition |= Q(template__agency_id__in=ancestor_ids)
    return queryset.filter(condition)


class EventForm(CleanTextForm):
    agency = AgencyChoiceField(
        label=_("Instansi"), queryset=None,
        help_text=_("Seluruh pegawai aktif instansi ini dan unit di bawahnya menjadi peserta; "
                    "daftarnya dapat diubah setelah acara dibuat."),
    )
    template_version = VersionChoiceField(label=_("Templat pakta"), queryset=None)
    title = forms.CharField(label=_("Judul acara"), max_length=250)
    kind = forms.ChoiceField(label=_("Jenis acara"), choices=EventKind.choices)
    date = forms.DateField(label=_("Tanggal"), widget=forms.DateInput(attrs={"type": "date"}))
    venue = forms.CharField(label=_("Tempat"), max_length=250)
    witnesses = forms.CharField(
        label=_("Saksi dan tamu"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Satu per baris: nama dan jabatan, misalnya “Ketua Bawaslu Kabupaten”."),
    )
    witness = forms.CharField(
        label=_("NIP saksi pakta (Menyaksikan)"), max_length=40, required=False,
        help_text=_("Untuk templat yang disaksikan: pejabat ini menyaksikan semua pakta acara, "
                    "menggantikan atasan langsung masing-masing. Kosongkan agar atasan langsung "
                    "yang menyaksikan."),
    )
    identity_check = forms.ChoiceField(label=_("Pemeriksaan identitas di tablet"),
                                       choices=IdentityCheck.choices)
    enforce_signing_order = forms.BooleanField(
        label=_("Wajibkan urutan penandatanganan"), required=False,
        help_text=_("Kepala instansi lebih dulu, lalu eselon II, III, IV, kemudian staf."),
    )

    kiosk_idle_seconds = forms.IntegerField(
        label=_("Batas diam di tablet (detik)"), initial=60, required=False,
        min_value=KIOSK_IDLE_MIN, max_value=KIOSK_IDLE_MAX,
        help_text=_("Bila tablet tidak disentuh selama ini setelah seseorang memilih namanya, "
                    "tablet kembali ke pencarian dan menghapus datanya. 15 detik terakhir "
                    "ditampilkan hitung mundur."),
    )

    def __init__(self, *args, user, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = managed_agencies(user)
        self.fields["template_version"].queryset = usable_versions(user)
        self.event = event
        self._user = user
        if event is not None:
            # The agency decides who is expected and whose scope the record is in: fixed.
            del self.fields["agency"]
            if event.status != EventStatus.DRAFT:
                self.fields["template_version"].disabled = True
        self.helper = FormHelper()
        self.helper.form_tag = False

    @classmethod
    def initial_from(cls, event) -> dict:
        return {
            "template_version": event.template_version_id, "title": event.title,
            "kind": event.kind, "date": event.date, "venue": event.venue,
            "witnesses": "\n".join(event.witnesses), "identity_check": event.identity_check,
            "enforce_signing_order": event.enforce_signing_order,
            "kiosk_idle_seconds": event.kiosk_idle_seconds,
            "witness": event.witness.nip if event.witness_id and event.witness.nip else "",
        }

    def clean_witness(self):
        raw = self.cleaned_data.get("witness")
        if not raw:
            return None
        try:
            nip = identity.normalize_number(raw, field="nip")
        except identity.IdentityError as error:
            raise forms.ValidationError(str(error), code=error.code) from None
        witness = (Employee.objects.filter(nip=nip, agency__in=access.agencies(self._user))
                   .select_related("agency").first())
        if witness is None:
            raise forms.ValidationError(
                _("Tidak ada pegawai dengan NIP ini di instansi yang Anda kelola."),
                code="witness.unknown")
        return witness

    def clean_kiosk_idle_seconds(self):
        # Left empty means the default, as for an event made before the setting existed.
        value = self.cleaned_data["kiosk_idle_seconds"]
        return 60 if value is None else value

    def clean_witnesses(self):
        lines = [line.strip() for line in self.cleaned_data["witnesses"].splitlines()]
        return [line[:250] for line in lines if line]

    def clean(self):
        data = super().clean()
        agency: Agency | None = data.get("agency") or (self.event.agency if self.event else None)
        version: PactTemplateVersion | None = data.get("template_version")
        if agency and version and not agency.is_within(version.template.agency):
            self.add_error("template_version", _(
                "Templat ini milik %(owner)s dan tidak dapat dipakai oleh %(agency)s."
            ) % {"owner": version.template.agency.name, "agency": agency.name})
        return data


def find_people(event, text: str) -> tuple[list[Employee], list[str]]:
    """Employees of the event's subtree by NIP, NIK or agency number, one per line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    keys = {}
    for raw in lines:
        try:
            keys[raw] = identity.normalize_number(raw)
        except identity.IdentityError:
            keys[raw] = ""
    digits = {d for d in keys.values() if d}
    candidates = list(
        Employee.objects.in_agency(event.agency).select_related("agency").filter(
            Q(nip__in=digits) | Q(nik__in=digits) | Q(staff_number__in=lines)
        )
    )
    index = {}
    for employee in candidates:
        for key in (employee.nip, employee.nik, employee.staff_number):
            if key:
                index.setdefault(key, employee)
    found, missing = [], []
    for raw in lines:
        match = index.get(keys[raw]) if keys[raw] else None
        match = match or index.get(raw)
        if match is None:
            missing.append(raw)
        elif match not in found:
            found.append(match)
    return found, missing


def clean_people(event, text: str) -> list[Employee]:
    """find_people for a form field: every line must name someone, else a validation error."""
    found, missing = find_people(event, text)
    if missing:
        raise forms.ValidationError(
            _("Tidak ditemukan di %(agency)s: %(items)s.")
            % {"agency": event.agency.name, "items": ", ".join(missing[:10])})
    return found


class ExpectedForm(CleanTextForm):
    add = forms.CharField(
        label=_("Tambahkan peserta"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("NIP, NIK, atau nomor pegawai; satu per baris."),
    )
    add_unit = AgencyChoiceField(label=_("Tambahkan seluruh pegawai aktif unit"),
                                 queryset=None, required=False)
    remove = forms.CharField(
        label=_("Keluarkan peserta"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("NIP, NIK, atau nomor pegawai; satu per baris."),
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["add_unit"].queryset = Agency.objects.subtree_of(event.agency)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_add(self):
        return clean_people(self.event, self.cleaned_data["add"])

    def clean_remove(self):
        return clean_people(self.event, self.cleaned_data["remove"])

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("add") or data.get("add_unit")
                                    or data.get("remove")):
            raise forms.ValidationError(_("Isi peserta yang ditambahkan atau dikeluarkan."))
        return data

    @property
    def to_add(self) -> list[Employee]:
        people = list(self.cleaned_data["add"])
        unit = self.cleaned_data.get("add_unit")
        if unit is not None:
            people += list(Employee.objects.in_agency(unit).active().select_related("agency"))
        return people


class ReopenForm(CleanTextForm):
    reason = forms.CharField(label=_("Alasan membuka kembali"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))


class FollowUpForm(CleanTextForm):
    date = forms.DateField(
        label=_("Tanggal acara susulan"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _

from signings import identity
from signings import text as clean_text
from signings.models.fields import CleanTextModel, IdentityNumberField

if TYPE_CHECKING:
    from signings.models.agency import Agency


class EmployeeCategory(models.TextChoices):
    PNS = "PNS", _("PNS")
    PPPK = "PPPK", _("PPPK")
    HONORER = "HONORER", _("Honorer")
    CONTRACT = "KONTRAK", _("Tenaga kontrak")
    TKD = "TKD", _("Tenaga Kontrak Daerah (TKD)")

    @classmethod
    def asn(cls) -> list[str]:
        return [cls.PNS, cls.PPPK]

    @classmethod
    def non_asn(cls) -> list[str]:
        return [cls.HONORER, cls.CONTRACT, cls.TKD]


class Echelon(models.IntegerChoices):
    # The numbers are the signing order: the head first (handled separately), then II, III, IV,
    # then everyone without a structural post.
    II = 2, _("Eselon II")
    III = 3, _("Eselon III")
    IV = 4, _("Eselon IV")
    NONE = 9, _("Non-eselon")


class Sex(models.TextChoices):
    MALE = "M", _("Laki-laki")
    FEMALE = "F", _("Perempuan")


# Golongan of PNS with the pangkat printed beside it.
PNS_GRADES: dict[str, str] = {
    "I/a": "Juru Muda",
    "I/b": "Juru Muda Tingkat I",
    "I/c": "Juru",
    "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda",
    "II/b": "Pengatur Muda Tingkat I",
    "II/c": "Pengatur",
    "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda",
    "III/b": "Penata Muda Tingkat I",
    "III/c": "Penata",
    "III/d": "Penata Tingkat I",
    "IV/a": "Pembina",
    "IV/b": "Pembina Tingkat I",
    "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}
PPPK_GRADES: list[str] = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX",
    "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII",
]
GRADE_CHOICES = [(g, f"{p} ({g})") for g, p in PNS_GRADES.items()] + [
    (g, f"PPPK {g}") for g in PPPK_GRADES
]


class EmployeeQuerySet(models.QuerySet):
    def in_agency(self, agency) -> EmployeeQuerySet:
        """Employees of the agency and of every agency below it."""
        return self.filter(agency__path__startswith=agency.path)

    def active(self) -> EmployeeQuerySet:
        return self.filter(is_active=True)

    def search(self, text: str) -> EmployeeQuerySet:
        text = (text or "").strip()
        if not text:
            return self
        if not clean_text.is_clean(text):
            # No name or number holds a NUL or a direction override: nobody matches (and
            # PostgreSQL would refuse the NUL rather than answer).
            return self.none()
        digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit())
        condition = Q(name__icontains=text)
        if digits and len(digits) >= 4:
            condition |= Q(nip__startswith=digits) | Q(nip__contains=digits)
        return self.filter(condition)

    def with_signing_rank(self) -> EmployeeQuerySet:
        """Annotate `signing_rank` (see `signing_rank`)."""
        return self.annotate(signing_rank=signing_rank())

    def in_signing_order(self) -> EmployeeQuerySet:
        return self.with_signing_rank().order_by(*signing_order())


# The one definition of the signing order (seeds 000, 001, 003): the head of an agency signs
# first, then echelon II, III and IV officials, then staff. Every list that shows or enforces
# the order (live view, recap, the tablet's queue, representative candidates) sorts with
# `signing_order()` over `signing_rank()`, so they cannot disagree.
HEAD_RANK = 0


def signing_rank(employee: str = "") -> Case:
    """The rank of an employee: 0 for the head of any agency, else the echelon number
    (2, 3, 4; 9 for staff). `employee` is the path to the employee from the queried model,
    e.g. "employee" on signatures or expected signers; empty on employees."""
    prefix = f"{employee}__" if employee else ""
    agency_model = apps.get_model("signings", "Agency")
    heads = agency_model.objects.filter(head=OuterRef(f"{prefix}pk"))
    return Case(
        When(Exists(heads), then=Value(HEAD_RANK)),
        default=F(f"{prefix}echelon"),
        output_field=IntegerField(),
    )


def signing_order(employee: str = "") -> tuple[str, ...]:
    """Order by the annotated `signing_rank`, then one tie-break: agency path, then name."""
    prefix = f"{employee}__" if employee else ""
    return ("signing_rank", f"{prefix}agency__path", f"{prefix}name")


class Employee(CleanTextModel, models.Model):
    name = models.CharField(_("nama (tanpa gelar)"), max_length=150)
    title_prefix = models.CharField(_("gelar depan"), max_length=40, blank=True)
    title_suffix = models.CharField(_("gelar belakang"), max_length=60, blank=True)
    category = models.CharField(_("kategori"), max_length=8, choices=EmployeeCategory.choices)
    nip = IdentityNumberField(
        _("NIP"), max_length=18, null=True, blank=True, validators=[identity.validate_nip]
    )
    nik = IdentityNumberField(
        _("NIK"), max_length=16, null=True, blank=True, validators=[identity.validate_nik]
    )
    staff_number = models.CharField(
        _("nomor pegawai instansi"),
        max_length=30,
        blank=True,
        help_text=_("Untuk non-ASN tanpa NIK: nomor yang diterbitkan instansi."),
    )
    position = models.CharField(_("jabatan"), max_length=200)
    grade = models.CharField(
        _("pangkat/golongan"), max_length=8, choices=GRADE_CHOICES, blank=True
    )
    echelon = models.PositiveSmallIntegerField(
        _("eselon"), choices=Echelon.choices, default=Echelon.NONE
    )
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    agency = models.ForeignKey(
        "signings.Agency",
        verbose_name=_("unit/instansi"),
        on_delete=models.PROTECT,
        related_name="employees",
    )
    # Who witnesses this person's pact as "Menyaksikan" (Permenpan RB 49/2011): the direct
    # superior, in the same agency or one above it (Employee.clean).
    superior = models.ForeignKey(
        "self", verbose_name=_("atasan langsung"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="subordinates",
        help_text=_("Menyaksikan pakta integritas pegawai ini."),
    )
    is_active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        verbose_name = _("pegawai")
        verbose_name_plural = _("pegawai")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["agency", "is_active"], name="employee_agency_active_idx"),
            models.Index(fields=["name"], name="employee_name_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["nip"], condition=Q(nip__isnull=False), name="employee_nip_unique"
            ),
            models.UniqueConstraint(
                fields=["nik"], condition=Q(nik__isnull=False), name="employee_nik_unique"
            ),
            models.CheckConstraint(
                condition=Q(nip__isnull=True) | Q(nip__regex=r"^[0-9]{18}$"),
                name="employee_nip_18_digits",
            ),
            models.CheckConstraint(
                condition=Q(nik__isnull=True) | Q(nik__regex=r"^[0-9]{16}$"),
                name="employee_nik_16_digits",
            ),
            # ASN are identified by NIP; non-ASN by NIK or an agency-issued number.
            models.CheckConstraint(
                condition=(
                    Q(category__in=EmployeeCategory.asn(), nip__isnull=False)
                    | (
                        Q(category__in=EmployeeCategory.non_asn(), nip__isnull=True)
                        & (Q(nik__isnull=False) | ~Q(staff_number=""))
                    )
                ),
                name="employee_identity_matches_category",
            ),
            models.CheckConstraint(
                condition=(
                    Q(grade="")
                    | Q(category=EmployeeCategory.PNS, grade__in=list(PNS_GRADES))
                    | Q(category=EmployeeCategory.PPPK, grade__in=PPPK_GRADES)
                ),
                name="employee_grade_matches_category",
            ),
            models.CheckConstraint(condition=~Q(superior=F("pk")),
                                   name="employee_not_own_superior"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name as printed: "Dr. Ir. Budi Santoso, M.Si"."""
        name = self.name
        if self.title_prefix:
            name = f"{self.title_prefix} {name}"
        if self.title_suffix:
            name = f"{name}, {self.title_suffix}"
        return name

    @property
    def grade_label(self) -> str:
        """Pangkat/golongan as printed on the pact: "Penata Tingkat I (III/d)"."""
        if not self.grade:
            return ""
        if self.category == EmployeeCategory.PNS:
            return f"{PNS_GRADES.get(self.grade, '')} ({self.grade})".strip()
        return f"Golongan {self.grade}"

    @property
    def masked_identity(self) -> str:
        if self.nip:
            return identity.mask_nip(self.nip)
        if self.nik:
            return identity.mask_nik(self.nik)
        return self.staff_number

    def clean(self) -> None:
        """Normalise NIP/NIK and derive birth date and sex from them."""
        errors: dict[str, list] = {}
        if self.nip:
            try:
                kind = self.category if self.category in EmployeeCategory.asn() else None
                info = identity.parse_nip(self.nip, kind=kind)
            except identity.IdentityError as exc:
                errors["nip"] = [ValidationError(exc.message, code=exc.code)]
            else:
                self.nip = info.nip
                self.birth_date = info.birth_date
                self.sex = info.sex
        if self.nik:
            try:
                nik_info = identity.parse_nik(self.nik)
            except identity.IdentityError as exc:
                errors["nik"] = [ValidationError(exc.message, code=exc.code)]
            else:
                self.nik = nik_info.nik
                if not self.nip:
                    self.birth_date = nik_info.birth_date
                    self.sex = nik_info.sex
        if self.category in EmployeeCategory.asn() and not self.nip:
            errors.setdefault("nip", []).append(
                ValidationError(_("NIP wajib diisi untuk PNS dan PPPK."), code="nip.required")
            )
        if self.category in EmployeeCategory.non_asn():
            if self.nip:
                errors.setdefault("nip", []).append(
                    ValidationError(
                        _("Pegawai non-ASN tidak memiliki NIP; isi NIK atau nomor pegawai."),
                        code="nip.non_asn",
                    )
                )
            if not self.nik and not self.staff_number:
                errors.setdefault("nik", []).append(
                    ValidationError(
                        _("Pegawai non-ASN wajib memiliki NIK atau nomor pegawai instansi."),
                        code="nik.required",
                    )
                )
        if self.grade:
            valid = (
                (self.category == EmployeeCategory.PNS and self.grade in PNS_GRADES)
                or (self.category == EmployeeCategory.PPPK and self.grade in PPPK_GRADES)
            )
            if not valid:
                errors["grade"] = [
                    ValidationError(
                        _("Golongan %(grade)s tidak berlaku untuk kategori %(category)s."),
                        params={"grade": self.grade, "category": self.get_category_display()},
                        code="grade.category",
                    )
                ]
        superior_error = self.superior_problem()
        if superior_error:
            # Not keyed "superior": forms name it otherwise (the superior's NIP).
            errors[NON_FIELD_ERRORS] = [ValidationError(superior_error, code="superior.scope")]
        if errors:
            raise ValidationError(errors)

    def superior_problem(self) -> str:
        """Why the superior cannot be this person's, or ""."""
        superior = self.superior
        if superior is None:
            return ""
        return superior_rule_problem(
            same_person=bool(self.pk) and superior.pk == self.pk,
            agency=self.agency if self.agency_id else None, superior_agency=superior.agency)


def superior_rule_problem(*, same_person: bool, agency: Agency | None,
                          superior_agency: Agency) -> str:
    """The one rule for a direct superior, for the employee form and the roster import alike
    (the import checks people who have no primary key yet): never oneself, and from the
    employee's unit or one above it."""
    if same_person:
        return str(_("Pegawai tidak dapat menjadi atasan langsungnya sendiri."))
    if agency is not None and not agency.path.startswith(superior_agency.path):
        return str(_("Atasan langsung harus dari unit yang sama atau unit di atasnya."))
    return ""

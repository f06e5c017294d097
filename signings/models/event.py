from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    APEL = "apel", _("Apel")
    UPACARA = "upacara", _("Upacara")
    SEMINAR = "seminar", _("Seminar")
    OTHER = "other", _("Lainnya")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    OPEN = "open", _("Dibuka")
    CLOSED = "closed", _("Ditutup")


class IdentityCheck(models.TextChoices):
    SUPERVISED = "supervised", _("Diawasi petugas (tanpa pemeriksaan)")
    BIRTH_DATE = "birth_date", _("Tanggal lahir pegawai")


# How long a tablet may sit untouched with a person chosen (seconds): long enough to read a
# pact, short enough that the next person in the queue does not find the last one's screen.
KIOSK_IDLE_MIN = 20
KIOSK_IDLE_MAX = 600


class SigningEventQuerySet(models.QuerySet):
    def in_agency(self, agency) -> SigningEventQuerySet:
        return self.filter(agency__path__startswith=agency.path)

    def in_agencies(self, agencies) -> SigningEventQuerySet:
        condition = Q(pk__in=[])
        for agency in agencies:
            condition |= Q(agency__path__startswith=agency.path)
        return self.filter(condition)

    def open(self) -> SigningEventQuerySet:
        return self.filter(status=EventStatus.OPEN)

    def with_counts(self) -> SigningEventQuerySet:
        """Annotate expected_count, signed_count, absent_count and missing_count.

        Correlated subqueries, not joins: joining the expected list and the signatures of a
        5,000-person event multiplies their rows before counting.
        """
        from signings.models.signature import Signature

        def count(queryset) -> models.Func:
            per_event = (queryset.filter(event=models.OuterRef("pk")).order_by()
                         .values("event").annotate(n=models.Count("pk")).values("n"))
            return models.functions.Coalesce(
                models.Subquery(per_event, output_field=models.IntegerField()), 0)

        return self.annotate(
            expected_count=count(ExpectedSigner.objects.all()),
            signed_count=count(Signature.objects.valid()),
            absent_count=count(AttendanceOutcome.objects.filter(status=AttendanceStatus.ABSENT)),
        ).annotate(
            missing_count=models.F("expected_count") - models.F("signed_count")
            - models.F("absent_count")
        )


class SigningEvent(models.Model):
    agency = models.ForeignKey(
        "signings.Agency",
        verbose_name=_("instansi"),
        on_delete=models.PROTECT,
        related_name="events",
        help_text=_("Acara mencakup instansi ini dan seluruh unit di bawahnya."),
    )
    template_version = models.ForeignKey(
        "signings.PactTemplateVersion",
        verbose_name=_("versi templat"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    kind = models.CharField(_("jenis acara"), max_length=10, choices=EventKind.choices)
    title = models.CharField(_("judul acara"), max_length=250)
    date = models.DateField(_("tanggal"))
    venue = models.CharField(_("tempat"), max_length=250)
    status = models.CharField(
        _("status"), max_length=8, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    identity_check = models.CharField(
        _("pemeriksaan identitas di tablet"),
        max_length=12,
        choices=IdentityCheck.choices,
        default=IdentityCheck.SUPERVISED,
    )
    enforce_signing_order = models.BooleanField(
        _("urutan penandatanganan"),
        default=False,
        help_text=_("Kepala instansi menandatangani lebih dulu, lalu eselon II, III, IV, staf."),
    )
    kiosk_idle_seconds = models.PositiveSmallIntegerField(
        _("batas diam di tablet (detik)"),
        default=60,
        help_text=_("Tablet kembali ke pencarian dan menghapus data penanda tangan bila tidak "
                    "disentuh selama ini (20–600 detik)."),
    )
    pledge_read = models.BooleanField(_("ikrar telah dibacakan"), default=False)
    witnesses = models.JSONField(
        _("saksi dan tamu"),
        default=list,
        blank=True,
        help_text=_("Daftar nama dan jabatan saksi/tamu, satu per baris."),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SigningEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("acara penandatanganan")
        verbose_name_plural = _("acara penandatanganan")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=EventStatus.OPEN) | Q(opened_at__isnull=False),
                name="event_open_has_opened_at",
            ),
            models.CheckConstraint(
                condition=~Q(status=EventStatus.CLOSED) | Q(closed_at__isnull=False),
                name="event_closed_has_closed_at",
            ),
            models.CheckConstraint(
                condition=Q(kiosk_idle_seconds__gte=KIOSK_IDLE_MIN)
                & Q(kiosk_idle_seconds__lte=KIOSK_IDLE_MAX),
                name="event_kiosk_idle_seconds_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d-%m-%Y})"

    @property
    def is_open(self) -> bool:
        return self.status == EventStatus.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == EventStatus.CLOSED


class EventStatusChange(models.Model):
    """Every transition of an event's status, reopenings included, with who and why."""

    event = models.ForeignKey(SigningEvent, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=8, choices=EventStatus.choices)
    to_status = models.CharField(max_length=8, choices=EventStatus.choices)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("perubahan status acara")
        verbose_name_plural = _("perubahan status acara")
        ordering = ["changed_at"]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.from_status} → {self.to_status}"


class ExpectedSignerQuerySet(models.QuerySet):
    def unsigned(self) -> ExpectedSignerQuerySet:
        from signings.models.signature import Signature

        signed = Signature.objects.valid().filter(
            event=models.OuterRef("event"), employee=models.OuterRef("employee")
        )
        return self.exclude(models.Exists(signed))


class ExpectedSigner(models.Model):
    """Who is expected to sign at an event (defaults to the active staff of its subtree)."""

    event = models.ForeignKey(SigningEvent, on_delete=models.CASCADE, related_name="expected")
    employee = models.ForeignKey(
        "signings.Employee", on_delete=models.PROTECT, related_name="expected_at"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    objects = ExpectedSignerQuerySet.as_manager()

    class Meta:
        verbose_name = _("peserta yang diharapkan")
        verbose_name_plural = _("peserta yang diharapkan")
        constraints = [
            models.UniqueConstraint(fields=["event", "employee"], name="expected_signer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.employee} @ {self.event_id}"


class AttendanceStatus(models.TextChoices):
    ABSENT = "absent", _("Tidak hadir")
    SIGN_LATER = "sign_later", _("Menandatangani kemudian")


class AbsenceReason(models.TextChoices):
    SICK = "sick", _("Sakit")
    LEAVE = "leave", _("Cuti")
    DUTY_TRAVEL = "duty_travel", _("Dinas luar")
    OTHER = "other", _("Lainnya")


class AttendanceOutcome(models.Model):
    """What happened to an expected signer who did not sign at the assembly."""

    event = models.ForeignKey(SigningEvent, on_delete=models.CASCADE, related_name="outcomes")
    employee = models.ForeignKey(
        "signings.Employee", on_delete=models.PROTECT, related_name="attendance_outcomes"
    )
    status = models.CharField(_("status"), max_length=12, choices=AttendanceStatus.choices)
    reason = models.CharField(
        _("alasan"), max_length=12, choices=AbsenceReason.choices, blank=True
    )
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("keterangan kehadiran")
        verbose_name_plural = _("keterangan kehadiran")
        constraints = [
            models.UniqueConstraint(fields=["event", "employee"], name="attendance_outcome_unique"),
            models.CheckConstraint(
                condition=~Q(status=AttendanceStatus.ABSENT) | ~Q(reason=""),
                name="absence_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(reason=AbsenceReason.OTHER) | ~Q(note=""),
                name="other_reason_has_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee}: {self.get_status_display()}"

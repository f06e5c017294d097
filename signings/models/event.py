from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from signings.models.fields import CleanTextModel


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

    def open(self) -> SigningEventQuerySet:
        return self.filter(status=EventStatus.OPEN)

    def with_counts(self) -> SigningEventQuerySet:
        """Annotate `tally`: {"expected": .., "signed": .., "absent": .., "missing": ..} as
        `ExpectedSignerQuerySet.with_state` defines them (templates: `event.tally.signed`).

        One correlated subquery per event computes the four counts in one pass over its
        expected list; no join in the outer query, which would multiply rows.
        """
        per_event = (
            ExpectedSigner.objects.filter(event=models.OuterRef("pk")).with_state()
            .order_by().values("event")
            .annotate(tally=models.functions.JSONObject(**tally_counts())).values("tally")
        )
        empty = models.functions.JSONObject(**{tally: models.Value(0) for tally in Tally.values})
        return self.annotate(tally=models.functions.Coalesce(
            models.Subquery(per_event, output_field=models.JSONField()), empty,
            output_field=models.JSONField()))


class SigningEvent(CleanTextModel, models.Model):
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
    # Overrides every signer's direct superior as the one who witnesses ("Menyaksikan").
    witness = models.ForeignKey(
        "signings.Employee", verbose_name=_("saksi pakta (Menyaksikan)"),
        on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text=_("Bila diisi, pejabat ini menyaksikan semua pakta acara ini menggantikan "
                    "atasan langsung masing-masing."),
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


class Tally(models.TextChoices):
    """The four counts of an event, with the one set of words every page, the recap and the
    XLSX use for them. What each one counts: `ExpectedSignerQuerySet.with_state`."""

    EXPECTED = "expected", _("Diharapkan")
    SIGNED = "signed", _("Sudah tanda tangan")
    ABSENT = "absent", _("Tidak hadir")
    MISSING = "missing", _("Belum tanda tangan")


# Which expected signers each count takes, over the annotations of `with_state`.
TALLY_CONDITIONS: dict[str, Q] = {
    Tally.EXPECTED: Q(),
    Tally.SIGNED: Q(has_signed=True),
    Tally.ABSENT: Q(has_signed=False, has_absence=True),
    Tally.MISSING: Q(has_signed=False, has_absence=False),
}


def tally_counts() -> dict[str, models.Aggregate]:
    """The four counts as aggregates over `ExpectedSigner.objects.with_state()`, by name, for
    `aggregate()` or a grouped `values().annotate()`."""
    return {
        str(tally): models.Count("pk", filter=TALLY_CONDITIONS[tally] or None)
        for tally in Tally.values
    }


class ExpectedSignerQuerySet(models.QuerySet):
    def with_state(self) -> ExpectedSignerQuerySet:
        """Annotate `has_signed` and `has_absence`: the one definition of the counts.

        - expected: every row of the event's expected list. Nobody outside it is counted.
        - signed: has a valid (not voided) signature of their own at the event, whatever the
          method. Being named in someone else's representative signature is not signing: the
          law asks for a signature linked to the signer alone (UU ITE art. 11, PP 71/2019
          art. 59), so the covered people stay missing; the live view marks them as covered.
        - absent: not signed, and recorded "tidak hadir" (with a reason). A later signature
          settles the absence: that person counts as signed only.
        - missing: neither signed nor absent. "Sign later" is an intention, not an outcome: those
          people still owe a signature, so they are missing (the lists show their note), and
          they do not hold up the tablet's signing order (`services.kiosk`).
        expected = signed + absent + missing, always.
        """
        # LEFT JOINs rather than EXISTS: PostgreSQL hash-joins a 5,000-person event once,
        # where EXISTS would run a subplan per row and per count. They cannot multiply rows:
        # there is at most one valid signature (a partial unique constraint) and one
        # attendance outcome (unique) per event and employee.
        return self.annotate(
            own_signature=models.FilteredRelation(
                "employee__signatures",
                condition=Q(employee__signatures__event=models.F("event"),
                            employee__signatures__voided_at__isnull=True)),
            absence=models.FilteredRelation(
                "employee__attendance_outcomes",
                condition=Q(employee__attendance_outcomes__event=models.F("event"),
                            employee__attendance_outcomes__status=AttendanceStatus.ABSENT)),
        ).annotate(
            has_signed=models.ExpressionWrapper(Q(own_signature__id__isnull=False),
                                                output_field=models.BooleanField()),
            has_absence=models.ExpressionWrapper(Q(absence__id__isnull=False),
                                                 output_field=models.BooleanField()),
        )

    def in_tally(self, tally: str) -> ExpectedSignerQuerySet:
        """The expected signers one count counts (e.g. `in_tally(Tally.MISSING)`)."""
        return self.with_state().filter(TALLY_CONDITIONS[tally])

    def tally(self) -> dict[str, int]:
        """The four counts of these expected signers: {"expected": .., "signed": .., ...}."""
        return self.with_state().aggregate(**tally_counts())

    def in_signing_order(self) -> ExpectedSignerQuerySet:
        from signings.models.employee import signing_order, signing_rank

        return self.annotate(signing_rank=signing_rank("employee")).order_by(
            *signing_order("employee"))


class ExpectedSigner(models.Model):
    """Who is expected to sign at an event (defaults to the active staff of its subtree)."""

    event = models.ForeignKey(SigningEvent, on_delete=models.CASCADE, related_name="expected")
    employee = models.ForeignKey(
        "signings.Employee", on_delete=models.PROTECT, related_name="expected_at"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    # The tablet's offline birth-date check: scrypt(birth date, random per-person salt), made
    # once for the birth date it was made from (remade when the employee's birth date changes).
    birth_salt = models.CharField(max_length=32, blank=True)
    birth_verifier = models.CharField(max_length=64, blank=True)
    verifier_birth_date = models.DateField(null=True, blank=True)

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


class AttendanceOutcome(CleanTextModel, models.Model):
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

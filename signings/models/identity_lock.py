"""Wrong birth dates at the kiosk: counted per person and event, across every tablet."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from signings.models.fields import within_time_bounds

# Wrong birth dates before a person is locked on an event until an officer unlocks them.
MAX_WRONG_ATTEMPTS = 3


class IdentityLock(models.Model):
    """How many wrong birth dates a person has typed at an event since the last unlock, and
    whether that locked them. One row per (event, employee), created at the first wrong date."""

    event = models.ForeignKey(
        "signings.SigningEvent", on_delete=models.CASCADE, related_name="identity_locks"
    )
    employee = models.ForeignKey(
        "signings.Employee", on_delete=models.PROTECT, related_name="identity_locks"
    )
    attempts = models.PositiveIntegerField(_("tanggal lahir salah"), default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(_("dikunci pada"), null=True, blank=True)
    unlocked_at = models.DateTimeField(_("dibuka pada"), null=True, blank=True)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("kunci identitas")
        verbose_name_plural = _("kunci identitas")
        constraints = [
            models.UniqueConstraint(fields=["event", "employee"],
                                    name="identity_lock_per_event_employee"),
            # An unlock names who did it.
            models.CheckConstraint(
                condition=Q(unlocked_at__isnull=True) | Q(unlocked_by__isnull=False),
                name="identity_lock_unlock_by",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} @ {self.event_id}: {self.attempts}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class IdentityAttempt(models.Model):
    """One report of wrong birth dates, from a tablet's outbox or the online check; the
    client's UUID makes a resent report count once."""

    attempt_id = models.UUIDField(unique=True)
    event = models.ForeignKey("signings.SigningEvent", on_delete=models.CASCADE,
                              related_name="+")
    employee = models.ForeignKey("signings.Employee", on_delete=models.PROTECT, related_name="+")
    device = models.ForeignKey("signings.KioskDevice", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    wrong = models.PositiveSmallIntegerField(default=1)
    client_at = models.DateTimeField(null=True, blank=True)
    # The tablet's time when it was not believed (services/tablet_times.py), as sent.
    untrusted_client_at = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("percobaan identitas")
        verbose_name_plural = _("percobaan identitas")
        constraints = [
            models.CheckConstraint(condition=Q(wrong__gte=1) & Q(wrong__lte=MAX_WRONG_ATTEMPTS),
                                   name="identity_attempt_wrong_range"),
            models.CheckConstraint(condition=within_time_bounds("client_at"),
                                   name="identity_attempt_client_at_bounded"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}"

"""Kiosk tablets: the shared devices an event's signers sign on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from signings.models.fields import CleanTextModel, within_offset_limit


class KioskDevice(CleanTextModel, models.Model):
    """A shared tablet paired to one event; it holds a device token, never a user session."""

    event = models.ForeignKey(
        "signings.SigningEvent", on_delete=models.CASCADE, related_name="kiosks"
    )
    name = models.CharField(_("nama tablet"), max_length=80)
    # Only hashes are stored: a database leak must not let anyone act as a tablet.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    pairing_code_hash = models.CharField(max_length=64, blank=True)
    pairing_expires_at = models.DateTimeField(null=True, blank=True)
    paired_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    last_seen_at = models.DateTimeField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    # What the tablet last told us: signatures waiting in its outbox, and how far its clock is
    # from ours (tablet minus server, seconds) so an officer can spot a wrong clock.
    reported_pending = models.PositiveIntegerField(default=0)
    clock_offset_seconds = models.IntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Who answers for what happens on this tablet: the officer who added it, until changed on
    # the tablets page. Copied onto every signature made on it.
    responsible_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("petugas penanggung jawab"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tablet kios")
        verbose_name_plural = _("tablet kios")
        ordering = ["event", "name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="kiosk_name_per_event"),
            models.CheckConstraint(condition=within_offset_limit("clock_offset_seconds"),
                                   name="kiosk_clock_offset_bounded"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

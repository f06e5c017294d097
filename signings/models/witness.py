"""The witness of a pact ("Menyaksikan", Permenpan RB 49/2011): their signature, and the
personal links through which they sign on their own device.

A witness signature is its own row, written once and never changed: the pact the signer
sealed stays as it was, and the witnessed pact is issued as a new sealed file
(services/pacts.py `issue_witnessed`).
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from signings.models.fields import within_time_bounds


class WitnessMethod(models.TextChoices):
    OFFICER_SCREEN = "officer_screen", _("Layar petugas")
    OWN_DEVICE = "own_device", _("Perangkat sendiri (tautan pribadi)")


class WitnessIdentity(models.TextChoices):
    BIRTH_DATE = "birth_date", _("Tanggal lahir, diperiksa server")
    OFFICER = "officer", _("Diperiksa petugas")
    PERSONAL_LINK = "personal_link", _("Tautan pribadi sekali pakai")


class WitnessRecordError(Exception):
    """Raised on any attempt to change or delete a recorded witness signature."""


def new_link_token() -> str:
    return secrets.token_urlsafe(24)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class WitnessLinkQuerySet(models.QuerySet):
    def usable(self) -> WitnessLinkQuerySet:
        return self.filter(used_at__isnull=True, expires_at__gt=timezone.now())


class WitnessLink(models.Model):
    """A one-time link for one witness at one event; only the token's SHA-256 is stored."""

    event = models.ForeignKey("signings.SigningEvent", on_delete=models.PROTECT,
                              related_name="witness_links")
    witness = models.ForeignKey("signings.Employee", on_delete=models.PROTECT,
                                related_name="witness_links", verbose_name=_("saksi"))
    token_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("berlaku sampai"))
    used_at = models.DateTimeField(_("dipakai pada"), null=True, blank=True)

    objects = WitnessLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("tautan saksi")
        verbose_name_plural = _("tautan saksi")
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")),
                                   name="witness_link_expires_after_creation"),
            models.CheckConstraint(
                condition=Q(token_sha256__regex=r"^[0-9a-f]{64}$"),  # noqa: S106 (a hash)
                name="witness_link_token_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.witness} — {self.event}"


class WitnessSignature(models.Model):
    signature = models.OneToOneField("signings.Signature", on_delete=models.PROTECT,
                                     related_name="witness_signature")
    witness = models.ForeignKey("signings.Employee", on_delete=models.PROTECT,
                                related_name="witness_signatures", verbose_name=_("saksi"))
    method = models.CharField(_("cara"), max_length=16, choices=WitnessMethod.choices)
    identity_method = models.CharField(_("pemeriksaan identitas"), max_length=16,
                                       choices=WitnessIdentity.choices)
    image = models.FileField(_("gambar tanda tangan saksi"), upload_to="witness/%Y/%m/")
    image_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField(_("waktu menyaksikan"), default=timezone.now)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+")
    link = models.ForeignKey(WitnessLink, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="signatures")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("tanda tangan saksi")
        verbose_name_plural = _("tanda tangan saksi")
        ordering = ["signed_at"]
        constraints = [
            models.CheckConstraint(condition=Q(image_sha256__regex=r"^[0-9a-f]{64}$"),
                                   name="witness_signature_image_hex"),
            models.CheckConstraint(
                condition=(Q(method=WitnessMethod.OFFICER_SCREEN, officer__isnull=False,
                             identity_method__in=[WitnessIdentity.BIRTH_DATE,
                                                  WitnessIdentity.OFFICER])
                           | Q(method=WitnessMethod.OWN_DEVICE, link__isnull=False,
                               identity_method=WitnessIdentity.PERSONAL_LINK)),
                name="witness_signature_method_evidence",
            ),
            models.CheckConstraint(condition=within_time_bounds("signed_at", null=False),
                                   name="witness_signature_signed_at_bounded"),
        ]

    def __str__(self) -> str:
        return f"{self.witness} menyaksikan {self.signature}"

    def save(self, *args, **kwargs) -> None:
        # Written once: the sealed, witnessed pact is made from this row.
        if not self._state.adding:
            raise WitnessRecordError("A witness signature cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise WitnessRecordError("A witness signature cannot be deleted.")

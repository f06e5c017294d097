from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from signings.models.signature import VERIFICATION_CODE_LENGTH


class EventRecap(models.Model):
    """One sealed recap of an event, per state of the event it was rendered from.

    The recap is the official record of the assembly, so like a pact it is sealed, carries
    its own verification code (printed with a QR, looked up on /v/) and its hash is written
    to the audit log. A new state of the event (a late signature, a void, a closed event)
    gives a new row; earlier rows stay, so a printed earlier recap can still be checked.
    Rows are written by signings/services/recaps.py only.
    """

    event = models.ForeignKey(
        "signings.SigningEvent", on_delete=models.PROTECT, related_name="recaps",
        verbose_name=_("acara"),
    )
    # signings.services.recaps.state_fingerprint: what the recap prints, not when it was made.
    state = models.CharField(_("sidik keadaan acara"), max_length=64)
    verification_code = models.CharField(
        _("kode verifikasi"), max_length=VERIFICATION_CODE_LENGTH, unique=True, editable=False,
    )
    sha256 = models.CharField(_("SHA-256 berkas"), max_length=64)
    content_sha256 = models.CharField(_("SHA-256 sebelum disegel"), max_length=64)
    file = models.FileField(_("berkas"), upload_to="recaps/%Y/%m/", max_length=200)
    chain_head = models.CharField(_("kepala rantai audit"), max_length=64)
    chain_count = models.PositiveBigIntegerField(_("jumlah catatan audit"))
    made_at = models.DateTimeField(_("dibuat pada"))

    class Meta:
        verbose_name = _("rekap acara")
        verbose_name_plural = _("rekap acara")
        ordering = ["event", "made_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "state"], name="event_recap_one_per_state"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"),
                                   name="event_recap_sha256_hex"),
            models.CheckConstraint(condition=Q(content_sha256__regex=r"^[0-9a-f]{64}$"),
                                   name="event_recap_content_sha256_hex"),
        ]
        indexes = [models.Index(fields=["sha256"], name="event_recap_sha256_idx")]

    def __str__(self) -> str:
        return f"Rekap {self.event} ({self.made_at:%Y-%m-%d %H:%M})"


class RecapCertifiedSignature(models.Model):
    """A recap signed by a person with their BSrE certified signature (the witness, the head
    of agency), typed on their own device. Each signs the latest signed file of the recap, so
    a second signer adds to the first. The passphrase or TOTP is never kept: only who BSrE's
    certificate names, who was logged in, and the file. Rows are written by
    signings/services/recap_signatures.py only."""

    recap = models.ForeignKey(EventRecap, on_delete=models.PROTECT,
                              related_name="certified_signatures", verbose_name=_("rekap"))
    signer_name = models.CharField(_("nama pada sertifikat"), max_length=300)
    signer_role = models.CharField(_("sebagai"), max_length=100)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("akun yang masuk"))
    file = models.FileField(_("berkas"), upload_to="recaps/signed/%Y/%m/", max_length=200)
    sha256 = models.CharField(_("SHA-256 berkas"), max_length=64, unique=True)
    signed_at = models.DateTimeField(_("ditandatangani pada"))

    class Meta:
        verbose_name = _("tanda tangan tersertifikasi rekap")
        verbose_name_plural = _("tanda tangan tersertifikasi rekap")
        ordering = ["recap", "signed_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"),
                                   name="recap_certified_signature_sha256_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.signer_name} — {self.recap}"

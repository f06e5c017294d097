from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from signings.models.fields import (
    CleanTextModel,
    within_offset_limit,
    within_time_bounds,
)

# Crockford-style alphabet without look-alikes (0/O, 1/I/L): printed under the QR code and
# typed by hand by auditors.
VERIFICATION_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
VERIFICATION_CODE_LENGTH = 12  # 31**12 ≈ 8e17: not guessable, not sequential


def new_verification_code() -> str:
    return "".join(secrets.choice(VERIFICATION_ALPHABET) for _ in range(VERIFICATION_CODE_LENGTH))


class SignatureMethod(models.TextChoices):
    TABLET = "tablet", _("Tablet (kios)")
    OFFICER = "officer", _("Layar petugas")
    PAPER = "paper", _("Kertas (pindaian)")
    REPRESENTATIVE = "representative", _("Perwakilan")


class IdentityMethod(models.TextChoices):
    BIRTH_DATE_ONLINE = "birth_date_online", _("Tanggal lahir, diperiksa server")
    BIRTH_DATE_OFFLINE = "birth_date_offline", _("Tanggal lahir, diperiksa tablet")
    OFFICER = "officer", _("Diperiksa petugas")
    NONE = "none", _("Tanpa pemeriksaan")


class IdentityResult(models.TextChoices):
    PASSED = "passed", _("Cocok")
    NOT_CHECKED = "not_checked", _("Tidak diperiksa")
    NO_BIRTH_DATE = "no_birth_date", _("Tanggal lahir tidak tercatat")


class SealStatus(models.TextChoices):
    """Where the pact's PDF stands with its seal. Only the BSrE backend ever leaves one
    awaiting or refused: the local seal is made with the PDF, or not at all."""

    PENDING = "pending", _("Belum dibuat")
    SEALED = "sealed", _("Tersegel")
    AWAITING = "awaiting", _("Menunggu segel BSrE")
    REFUSED = "refused", _("Segel ditolak BSrE")


class SignatureQuerySet(models.QuerySet):
    def awaiting_seal(self) -> SignatureQuerySet:
        return self.filter(seal_status=SealStatus.AWAITING)

    def valid(self) -> SignatureQuerySet:
        return self.filter(voided_at__isnull=True)

    def voided(self) -> SignatureQuerySet:
        return self.filter(voided_at__isnull=False)

    def in_agency(self, agency) -> SignatureQuerySet:
        return self.filter(event__agency__path__startswith=agency.path)

    def in_signing_order(self) -> SignatureQuerySet:
        """In the one signing order (`employee.signing_order`); a voided signature and its
        replacement, same person, by time."""
        from signings.models.employee import signing_order, signing_rank

        return self.annotate(signing_rank=signing_rank("employee")).order_by(
            *signing_order("employee"), "signed_at", "pk")


class Signature(CleanTextModel, models.Model):
    # Made by the client (the tablet's outbox) so a resend is recognised, or by the server.
    submission_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    verification_code = models.CharField(
        max_length=VERIFICATION_CODE_LENGTH, unique=True, default=new_verification_code,
        editable=False,
    )
    event = models.ForeignKey(
        "signings.SigningEvent", on_delete=models.PROTECT, related_name="signatures"
    )
    employee = models.ForeignKey(
        "signings.Employee", on_delete=models.PROTECT, related_name="signatures"
    )
    method = models.CharField(_("cara"), max_length=16, choices=SignatureMethod.choices)
    signed_at = models.DateTimeField(_("waktu tanda tangan (server)"), default=timezone.now)
    client_signed_at = models.DateTimeField(_("waktu menurut tablet"), null=True, blank=True)
    received_at = models.DateTimeField(_("diterima server"), auto_now_add=True)
    # Tablet clock minus server clock when the tablet sent it; flagged when far off, because
    # then client_signed_at (and the signing time derived from it) cannot be trusted.
    clock_offset_seconds = models.IntegerField(null=True, blank=True)
    clock_suspect = models.BooleanField(_("jam tablet meragukan"), default=False)
    # The tablet's times that were not believed (no real moment, or outside the event's
    # window: services/tablet_times.py), as the text it sent: {"client_signed_at": "..."}.
    untrusted_times = models.JSONField(_("waktu tablet yang tidak dipakai"), default=dict,
                                       blank=True)
    image = models.FileField(_("gambar tanda tangan"), upload_to="signatures/%Y/%m/", blank=True)
    thumbnail = models.FileField(upload_to="signatures/thumbs/%Y/%m/", blank=True)
    strokes = models.JSONField(_("data goresan"), default=list, blank=True)
    paper_scan = models.FileField(_("pindaian kertas"), upload_to="paper/%Y/%m/", blank=True)
    template_hash = models.CharField(_("hash teks yang ditandatangani"), max_length=64)
    payload_hash = models.CharField(max_length=64, blank=True)
    device = models.ForeignKey(
        "signings.KioskDevice", on_delete=models.PROTECT, null=True, blank=True,
        related_name="signatures",
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    # The evidence of how it happened: the consent statement shown and when it was ticked
    # (tablet clock), how identity was checked and with what result, how many wrong birth
    # dates came before, and the officer answering for the tablet at that moment.
    consent_hash = models.CharField(_("hash pernyataan persetujuan"), max_length=64, blank=True)
    consent_at = models.DateTimeField(_("waktu persetujuan (tablet)"), null=True, blank=True)
    identity_method = models.CharField(_("pemeriksaan identitas"), max_length=24,
                                       choices=IdentityMethod.choices, default=IdentityMethod.NONE)
    identity_result = models.CharField(_("hasil pemeriksaan identitas"), max_length=16,
                                       choices=IdentityResult.choices,
                                       default=IdentityResult.NOT_CHECKED)
    identity_wrong_attempts = models.PositiveSmallIntegerField(
        _("tanggal lahir salah sebelumnya"), default=0)
    responsible_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("petugas penanggung jawab tablet"),
    )
    represented_group = models.CharField(_("mewakili"), max_length=250, blank=True)
    # Optional, for a representative signature: exactly which expected signers the named
    # group covers, so auditors need not guess from the group's name.
    represented_employees = models.ManyToManyField(
        "signings.Employee", blank=True, related_name="represented_by",
        verbose_name=_("pegawai yang diwakili"),
    )
    # Who is to witness this pact ("Menyaksikan"), fixed when it was signed so every render of
    # it names the same person (services/witnesses.py: the event's witness, else the superior).
    witness = models.ForeignKey(
        "signings.Employee", on_delete=models.PROTECT, null=True, blank=True,
        related_name="witnessed_signatures", verbose_name=_("saksi (Menyaksikan)"),
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    pdf = models.FileField(upload_to="pacts/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)
    seal_status = models.CharField(_("status segel"), max_length=10, choices=SealStatus.choices,
                                   default=SealStatus.PENDING)
    # Tries at the BSrE seal since the last success: the retry's backoff grows with it.
    seal_attempts = models.PositiveIntegerField(_("percobaan segel"), default=0)
    voided_at = models.DateTimeField(_("dibatalkan pada"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    void_reason = models.TextField(_("alasan pembatalan"), blank=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("tanda tangan")
        verbose_name_plural = _("tanda tangan")
        ordering = ["signed_at"]
        indexes = [
            models.Index(fields=["event", "signed_at"], name="signature_event_time_idx"),
            models.Index(fields=["seal_status"], name="signature_awaiting_seal_idx",
                         condition=Q(seal_status="awaiting")),
        ]
        constraints = [
            # One standing signature per person per event; a voided one stays on record and
            # frees the slot for a new one.
            models.UniqueConstraint(
                fields=["event", "employee"],
                condition=Q(voided_at__isnull=True),
                name="signature_one_per_event_employee",
            ),
            models.CheckConstraint(
                condition=(
                    Q(voided_at__isnull=True, voided_by__isnull=True, void_reason="")
                    | (Q(voided_at__isnull=False, voided_by__isnull=False) & ~Q(void_reason=""))
                ),
                name="signature_void_complete",
            ),
            models.CheckConstraint(
                condition=~Q(method=SignatureMethod.TABLET) | Q(device__isnull=False),
                name="signature_tablet_has_device",
            ),
            models.CheckConstraint(
                condition=Q(method=SignatureMethod.TABLET) | Q(officer__isnull=False),
                name="signature_officer_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(method=SignatureMethod.REPRESENTATIVE) | ~Q(represented_group=""),
                name="signature_representative_group",
            ),
            models.CheckConstraint(condition=~Q(witness=F("employee")),
                                   name="signature_witness_not_signer"),
            models.CheckConstraint(condition=Q(seal_status__in=SealStatus.values),
                                   name="signature_seal_status_known"),
            # A pact is offered for download only sealed: no other status keeps a file.
            models.CheckConstraint(condition=Q(seal_status=SealStatus.SEALED) | Q(pdf=""),
                                   name="signature_pdf_only_sealed"),
            models.CheckConstraint(
                condition=Q(consent_hash="") | Q(consent_hash__regex=r"^[0-9a-f]{64}$"),
                name="signature_consent_hash_hex",
            ),
            # Times Python can read back, whatever a tablet sent (signings/clock.py).
            models.CheckConstraint(condition=within_time_bounds("signed_at", null=False),
                                   name="signature_signed_at_bounded"),
            models.CheckConstraint(condition=within_time_bounds("received_at", null=False),
                                   name="signature_received_at_bounded"),
            models.CheckConstraint(condition=within_time_bounds("client_signed_at"),
                                   name="signature_client_signed_at_bounded"),
            models.CheckConstraint(condition=within_time_bounds("consent_at"),
                                   name="signature_consent_at_bounded"),
            models.CheckConstraint(condition=within_offset_limit("clock_offset_seconds"),
                                   name="signature_clock_offset_bounded"),
            # A birth-date method passed; no check means no result; an officer check passed.
            models.CheckConstraint(
                condition=(
                    Q(identity_method__in=[IdentityMethod.BIRTH_DATE_ONLINE,
                                           IdentityMethod.BIRTH_DATE_OFFLINE,
                                           IdentityMethod.OFFICER],
                      identity_result=IdentityResult.PASSED)
                    | Q(identity_method=IdentityMethod.NONE,
                        identity_result__in=[IdentityResult.NOT_CHECKED,
                                             IdentityResult.NO_BIRTH_DATE])
                ),
                name="signature_identity_method_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} — {self.event}"

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None

    @property
    def seal_missing(self) -> bool:
        """BSrE's seal awaited or refused: no PDF is offered meanwhile."""
        return self.seal_status in (SealStatus.AWAITING, SealStatus.REFUSED)

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class SealCertificate(models.Model):
    """Every certificate the installation has ever sealed PDFs with.

    A pact stays verifiable after the seal certificate is renewed (or its key file lost): the
    upload check accepts a seal made by any certificate registered here that was valid at the
    seal's timestamp. Rows are written by signings/services/seal_certificates.py only.
    """

    fingerprint = models.CharField(_("sidik jari SHA-256"), max_length=64, unique=True)
    subject = models.CharField(_("subjek"), max_length=500)
    issuer = models.CharField(_("penerbit"), max_length=500)
    serial = models.CharField(_("nomor seri"), max_length=100)
    not_before = models.DateTimeField(_("berlaku sejak"))
    not_after = models.DateTimeField(_("berlaku sampai"))
    der = models.BinaryField(_("sertifikat (DER)"))
    first_used_at = models.DateTimeField(_("pertama dipakai"))
    last_used_at = models.DateTimeField(_("terakhir dipakai"))

    class Meta:
        verbose_name = _("sertifikat segel")
        verbose_name_plural = _("sertifikat segel")
        ordering = ["first_used_at"]
        constraints = [
            models.CheckConstraint(condition=Q(not_before__lt=F("not_after")),
                                   name="seal_certificate_validity_ordered"),
            models.CheckConstraint(condition=Q(first_used_at__lte=F("last_used_at")),
                                   name="seal_certificate_use_ordered"),
            models.CheckConstraint(condition=Q(fingerprint__regex=r"^[0-9a-f]{64}$"),
                                   name="seal_certificate_fingerprint_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.not_before:%Y-%m-%d}–{self.not_after:%Y-%m-%d})"

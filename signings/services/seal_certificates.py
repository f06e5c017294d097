"""The register of seal certificates: every certificate ever used to seal, and which one to
accept for a given seal (signings/models/seal_certificate.py)."""

from __future__ import annotations

import datetime

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from signings.models import SealCertificate
from signings.pdf import bsre_seal, seal
from signings.services import audit
from signings.services.context import AuditContext

ACTION_REGISTERED = "seal.certificate.registered"


def register_in_use(*, certificate: asn1_x509.Certificate,
                    context: AuditContext) -> SealCertificate:
    """Note that `certificate` is sealing now: registered (and audited) the first time, its
    last use moved forward every time. Called before each seal, so a pact is never issued
    under a certificate the upload check would not know."""
    fingerprint = seal.fingerprint(certificate)
    now = timezone.now()
    # Greatest: a worker whose clock reading is a moment older than the row another worker just
    # made must not move last use before first use (a check constraint refuses that).
    last_use = Greatest(F("last_used_at"), Value(now))
    if SealCertificate.objects.filter(fingerprint=fingerprint).update(last_used_at=last_use):
        return SealCertificate.objects.get(fingerprint=fingerprint)
    validity = certificate["tbs_certificate"]["validity"]
    with transaction.atomic():
        registered, created = SealCertificate.objects.get_or_create(
            fingerprint=fingerprint,
            defaults={
                "subject": certificate.subject.human_friendly[:500],
                "issuer": certificate.issuer.human_friendly[:500],
                "serial": format(certificate.serial_number, "x")[:100],
                "not_before": validity["not_before"].native,
                "not_after": validity["not_after"].native,
                "der": certificate.dump(),
                "first_used_at": now,
                "last_used_at": now,
            },
        )
        if created:
            audit.record(action=ACTION_REGISTERED, obj=registered, context=context, details={
                "fingerprint": fingerprint,
                "subject": registered.subject,
                "issuer": registered.issuer,
                "serial": registered.serial,
                "not_before": registered.not_before,
                "not_after": registered.not_after,
            })
        else:
            SealCertificate.objects.filter(pk=registered.pk).update(last_used_at=last_use)
    return registered


def certificates() -> list[asn1_x509.Certificate]:
    return [asn1_x509.Certificate.load(bytes(der))
            for der in SealCertificate.objects.values_list("der", flat=True)]


def is_registered(certificate: asn1_x509.Certificate) -> bool:
    return SealCertificate.objects.filter(fingerprint=seal.fingerprint(certificate)).exists()


def valid_at(certificate: asn1_x509.Certificate, moment: datetime.datetime | None) -> bool:
    """Was this registered certificate valid when the seal was made?"""
    if moment is None:
        return False
    registered = SealCertificate.objects.filter(
        fingerprint=seal.fingerprint(certificate)).first()
    return registered is not None and registered.not_before <= moment <= registered.not_after


def seal_reason(*, title: str, signer: str) -> str:
    """The seal's /Reason names the document itself: an Ikrar Netralitas is not a pact."""
    title = " ".join(title.split())
    return f"{title} — {signer}" if signer else title


def seal_document(pdf: bytes, *, title: str, signer: str, location: str,
                  context: AuditContext) -> bytes:
    """Seal a document Pakta issues, under a registered certificate: the local PKCS#12 key,
    or BSrE's seal (PAKTA_SIGNING_BACKEND=bsre; signings.pdf.bsre errors pass through)."""
    reason = seal_reason(title=title, signer=signer)
    if settings.PAKTA_SIGNING_BACKEND == "bsre":
        made = bsre_seal.seal_pdf(pdf, reason=reason, location=location)
        register_in_use(certificate=made.certificate, context=context)
        return made.pdf
    register_in_use(certificate=seal.seal_certificate(), context=context)
    return seal.seal_pdf(pdf, reason=reason, location=location)

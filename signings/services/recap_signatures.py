"""A person's BSrE certified signature on the event recap (PAKTA_SIGNING_BACKEND=bsre).

The witness or the head of agency signs on their own device, logged in to the officer console,
never at the kiosk: they type their NIK or e-mail and their BSrE passphrase (or the TOTP of
their BSrE app). Those go in one request to the Esign Client Service and are then dropped:
not in the database, the session, the audit log or any log line (tests/test_bsre_recap.py
looks for them everywhere). What is kept is the signed file, the name BSrE's certificate
gives, the role they signed in, and who was logged in.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from asn1crypto import x509 as asn1_x509
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from signings.models import EventRecap, RecapCertifiedSignature, SigningEvent
from signings.pdf import bsre, bsre_seal, seal
from signings.pdf import recap as recap_pdf
from signings.services import audit, recaps
from signings.services.context import AuditContext

ACTION_SIGNED = "audit.recap.certified_signature"
ACTION_REFUSED = "audit.recap.certified_signature_refused"


def _common_name(certificate: asn1_x509.Certificate) -> str:
    name = certificate.subject.native.get("common_name")
    return str(name) if name else certificate.subject.human_friendly


def _latest_file(recap: EventRecap, issued_data: bytes) -> bytes:
    """A second signer signs the file the first one signed, so both signatures stand."""
    latest = recap.certified_signatures.order_by("-signed_at", "-pk").first()
    if latest is None:
        return issued_data
    with latest.file.open("rb") as handle:
        data: bytes = handle.read()
    return data


@sensitive_variables("credentials")
def sign_recap(*, event: SigningEvent, role: str, credentials: bsre.Signer,
               user: Any, context: AuditContext) -> RecapCertifiedSignature:
    """Sign the recap of the event as it stands; bsre.BsreError (its message for the signer)
    when BSrE cannot or will not."""
    issued = recaps.issue_recap(event=event, context=context)
    document = _latest_file(issued.recap, issued.data)
    client = bsre.client()
    try:
        status = client.user_status(identity=credentials.identity, who=credentials.who)
        if not status.can_sign:
            raise bsre.BsreRefusedError(status.refusal, code=status.code)
        signed = client.sign_pdfs(
            [document], signer=credentials,
            properties=bsre.SignatureProperties(
                reason=f"{role} — {recap_pdf.recap_title(event)}", location=event.agency.city),
        )[0]
        certificate = bsre_seal.added_signature(document, signed)
    except bsre.BsreRefusedError as error:
        with transaction.atomic():
            audit.record(action=ACTION_REFUSED, obj=event, agency=event.agency, context=context,
                         details={"recap": issued.recap.pk, "role": role,
                                  "error": error.message, "code": error.code})
        raise
    file_sha = hashlib.sha256(signed).hexdigest()
    storage = RecapCertifiedSignature._meta.get_field("file").storage
    name = storage.save(
        RecapCertifiedSignature._meta.get_field("file").generate_filename(
            None,  # type: ignore[arg-type]  # upload_to is a string: no instance is read
            f"rekap-{event.pk}-{issued.recap.verification_code}-ttd-"
            f"{secrets.token_hex(4)}.pdf"),
        ContentFile(signed))
    with transaction.atomic():
        row = RecapCertifiedSignature.objects.create(
            recap=issued.recap, signer_name=_common_name(certificate)[:300],
            signer_role=role[:100], signed_by=user, file=name, sha256=file_sha,
            signed_at=timezone.now())
        audit.record(action=ACTION_SIGNED, obj=event, agency=event.agency, context=context,
                     details={"recap": issued.recap.pk,
                              "verification_code": issued.recap.verification_code,
                              "certified_signature": row.pk, "sha256": file_sha,
                              "signed_sha256": hashlib.sha256(document).hexdigest(),
                              "file": name, "signer_name": row.signer_name, "role": row.signer_role,
                              "certificate_sha256": seal.fingerprint(certificate)})
    return row


def signed_recaps(event: SigningEvent) -> QuerySet[RecapCertifiedSignature]:
    return RecapCertifiedSignature.objects.filter(recap__event=event).select_related(
        "recap", "signed_by").order_by("-signed_at", "-pk")

"""PAKTA_SIGNING_BACKEND=bsre: every pact sealed by BSrE's Esign Client Service (the stand-in
in tests/bsre_server.py), read back; an outage leaves pacts awaiting their seal, never the
signing; the queue drains when BSrE answers again."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from signings.models import AuditEntry, SealStatus, Signature
from signings.pdf import seal
from signings.services import bsre_queue, pacts, verification
from signings.services.context import AuditContext
from tests import factories

SYSTEM = AuditContext.system("test")


def _signature(open_event, hr_a, index=0):
    employee = list(open_event.expected.all())[index].employee
    return factories.signature(open_event, employee, officer=hr_a)


@pytest.mark.django_db
def test_a_pact_is_sealed_by_bsre_and_reads_back_as_our_seal(bsre, open_event, hr_a):
    signature = pacts.render_and_store(signature_id=_signature(open_event, hr_a).pk,
                                       context=SYSTEM)
    assert signature.seal_status == SealStatus.SEALED
    data = signature.pdf.read()
    check = verification._check_seal(data)
    assert check.valid, check.reason
    assert "Uji BSrE" in check.certificate.subject.human_friendly
    assert verification.check_upload(data).issued
    assert bsre.paths() == ["/api/v2/seal/get/totp", "/api/v2/seal/pdf"]
    body = bsre.calls[1][1]
    assert body["signatureProperties"][0]["tampilan"] == "INVISIBLE"
    assert body["idSubscriber"] == "SEAL-UJI-01"
    rendered = AuditEntry.objects.get(action=pacts.ACTION_RENDERED)
    assert rendered.details["sealed_by"] == "bsre"


@pytest.mark.django_db
def test_the_seal_code_is_fetched_once_while_it_is_valid(bsre, open_event, hr_a):
    for index in (0, 1):
        pacts.render_and_store(signature_id=_signature(open_event, hr_a, index).pk,
                               context=SYSTEM)
    assert bsre.paths().count("/api/v2/seal/get/totp") <= 1
    assert bsre.paths().count("/api/v2/seal/pdf") == 2

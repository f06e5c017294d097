"""Pacts whose BSrE seal could not be made yet (PAKTA_SIGNING_BACKEND=bsre).

Signing at the assembly never waits for BSrE: the signature commits and the pact is rendered
and sealed by a background task. When BSrE is down, slow or refuses the client service's
account, the pact is left "awaiting seal" (no file is offered meanwhile) and the task runs again
after 30 s, 60 s, 120 s, ... at most PAKTA_BSRE_RETRY_MAX_SECONDS apart. The first seal BSrE
makes after an outage queues every pact still awaiting, so the queue drains without waiting out
each backoff. A refusal (a document BSrE will not seal, a wrong seal code) is not retried: it
is logged for the administrator, who re-queues with `manage.py bsre_check --drain` once fixed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from signings import jobs
from signings.models import SealStatus, Signature
from signings.pdf import bsre
from signings.services import audit
from signings.services.context import AuditContext

logger = logging.getLogger(__name__)

ACTION_SEAL_AWAITING = "signing.pdf.seal_awaiting"
ACTION_SEAL_REFUSED = "signing.pdf.seal_refused"
OUTAGE_KEY = "bsre:outage"  # until the next seal BSrE makes: then the queue drains
# For a short while after BSrE failed, downloads do not try again inline: an auditor's request
# must not wait out PAKTA_BSRE_TIMEOUT on every click during an outage.
DOWN_KEY = "bsre:down"
FIRST_RETRY_SECONDS = 30.0


def backoff_seconds(attempts: int) -> float:
    """Seconds before try number `attempts + 1`."""
    ceiling: float = settings.PAKTA_BSRE_RETRY_MAX_SECONDS
    return float(min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), ceiling))


def seal_not_made(*, signature: Signature, error: bsre.BsreError,
                  context: AuditContext) -> Signature:
    """Record that BSrE did not seal this pact: awaiting (and retried) or refused."""
    status = SealStatus.AWAITING if error.retryable else SealStatus.REFUSED
    with transaction.atomic():
        locked = Signature.objects.select_for_update().get(pk=signature.pk)
        if locked.seal_status == SealStatus.SEALED and locked.pdf.name \
                and locked.pdf.storage.exists(locked.pdf.name):
            return locked  # another worker sealed it meanwhile
        locked.seal_status = status
        locked.seal_attempts += 1
        # The file, if any, went missing: no sealed pact stands behind the name any more.
        locked.pdf.name = ""
        locked.save(update_fields=["seal_status", "seal_attempts", "pdf"])
        details: dict[str, object] = {"backend": "bsre", "error": error.message, "code": error.code,
                   "http_status": error.http_status, "attempt": locked.seal_attempts}
        if error.retryable:
            retry_in = backoff_seconds(locked.seal_attempts)
            details["retry_in_seconds"] = retry_in
            jobs.enqueue_later_on_commit("render_signature_pdf", locked.pk, seconds=retry_in)
        audit.record(action=ACTION_SEAL_AWAITING if error.retryable else ACTION_SEAL_REFUSED,
                     obj=locked, agency=signature.employee.agency, details=details,
                     context=context)
    if error.retryable:
        cache.set(OUTAGE_KEY, True, timeout=None)
        cache.set(DOWN_KEY, True, timeout=FIRST_RETRY_SECONDS)
        logger.warning("BSrE did not seal pact %s (attempt %s): %s", locked.pk,
                       locked.seal_attempts, error.message)
    else:
        logger.error("BSrE refused to seal pact %s: %s", locked.pk, error.message)
    return locked


def known_down() -> bool:
    """BSrE failed within the last FIRST_RETRY_SECONDS: do not try it inline now."""
    return settings.PAKTA_SIGNING_BACKEND == "bsre" and bool(cache.get(DOWN_KEY))


def seal_made() -> None:
    """Called inside the transaction that stores a BSrE-sealed pact: the first one after an
    outage queues every pact still awaiting."""
    cache.delete(DOWN_KEY)
    if cache.get(OUTAGE_KEY):
        cache.delete(OUTAGE_KEY)
        transaction.on_commit(drain)


def drain(*, refused_too: bool = False) -> int:
    """Queue the render (and seal) of every pact awaiting its seal; returns how many."""
    statuses = [SealStatus.AWAITING, SealStatus.REFUSED] if refused_too else \
        [SealStatus.AWAITING]
    ids = list(Signature.objects.filter(seal_status__in=statuses).order_by("pk")
               .values_list("pk", flat=True))
    for pk in ids:
        jobs.enqueue("render_signature_pdf", pk)
    return len(ids)

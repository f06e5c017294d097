"""When audit checkpoints are made: after activity on a chain (at most one per
PAKTA_CHECKPOINT_INTERVAL) and at every event close.

Kept apart from signings.services.checkpoints (which makes and reads them, and appends to the
audit log) so that signings.services.audit can schedule after each append without the two
modules importing each other.
"""

from __future__ import annotations

import datetime
import logging
import threading

from django.conf import settings
from django.utils import timezone

from signings import jobs
from signings.models import AuditCheckpoint
from signings.models.audit import LEGACY_CHAIN

logger = logging.getLogger(__name__)

_scheduled: dict[str, datetime.datetime] = {}  # chain -> when this process's task will run
_scheduled_lock = threading.Lock()


def interval() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.PAKTA_CHECKPOINT_INTERVAL)


def schedule_after_activity(chain: str) -> None:
    """After a commit appended to `chain`: make sure a checkpoint task will run once the last
    checkpoint is PAKTA_CHECKPOINT_INTERVAL old. Costs one query per chain and interval per
    process; any other commit returns at the dictionary."""
    if chain == LEGACY_CHAIN:
        return
    now = timezone.now()
    with _scheduled_lock:
        pending = _scheduled.get(chain)
        if pending is not None and pending > now:
            return
        _scheduled[chain] = now + interval()  # provisional: no second query meanwhile
    latest = (AuditCheckpoint.objects.filter(chain=chain).order_by("-seq")
              .values_list("made_at", flat=True).first())
    # A chain's first checkpoint one interval after its first activity, then one interval
    # after the previous one, as long as there is activity.
    run_after = max(now, (latest if latest is not None else now) + interval())
    task = jobs.task("make_audit_checkpoint")
    try:
        if task.get_backend().supports_defer:
            task.using(run_after=run_after).enqueue(chain)
        elif run_after <= now:
            task.enqueue(chain)
        # else: a backend without deferred tasks (immediate, development): the next activity
        # after the due time makes it.
    except Exception:  # noqa: BLE001 - the commit is done; a missed schedule must not fail it
        logger.exception("Could not schedule the audit checkpoint of chain %s.", chain)
        run_after = now
    with _scheduled_lock:
        _scheduled[chain] = run_after


def schedule_now(chain: str) -> None:
    """At an event close: the closed record is anchored without waiting for the interval."""
    try:
        jobs.enqueue("make_audit_checkpoint", chain)
    except Exception:  # noqa: BLE001 - the close is committed; the next interval covers it
        logger.exception("Could not schedule the audit checkpoint of chain %s.", chain)

"""The sweep: jobs whose worker died are queued again, by whichever worker is alive.

Every `manage.py db_worker` process runs `sweep_forever` in a thread (signings/management/
commands/db_worker.py): at start, then every PAKTA_JOB_SWEEP_SECONDS. In the worker, because
there is nothing else to start and nothing to forget: a worker that restarts after a crash sweeps
at once, and as long as any worker lives, a dead one's job is queued again within
PAKTA_JOB_STALL_SECONDS + PAKTA_JOB_SWEEP_SECONDS (75 s by default). A thread, not a task that
re-enqueues itself: such a chain of tasks breaks when the worker dies while running the sweep,
and waits behind a long archive in the same queue.

Jobs with a state of their own (archives, BKN report PDFs; signings/services/job_attempts.py)
are the only ones that need this: a pact PDF whose task died is rendered on demand at its first
download (signings/services/pacts.ensure_pdf), and a lost checkpoint or verifier task is
scheduled again by the next activity.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection

from signings.services import archives, bkn_reports
from signings.services.context import AuditContext

logger = logging.getLogger(__name__)

SWEEP_LABEL = "task:stalled_jobs"


def sweep() -> dict[str, list[int]]:
    """One pass over every kind of job with a heartbeat; returns the ids queued again, by kind
    ("archive", "bkn_report")."""
    context = AuditContext.system(SWEEP_LABEL)
    return {"archive": archives.requeue_stalled(context=context),
            "bkn_report": bkn_reports.requeue_stalled(context=context)}


def sweep_forever(stop: threading.Event) -> None:
    try:
        while not stop.is_set():
            close_old_connections()
            try:
                requeued = sweep()
            except Exception:  # noqa: BLE001 - the database may be away for a while; try again
                logger.exception("The sweep for stalled jobs failed")
            else:
                for kind, ids in requeued.items():
                    if ids:
                        logger.warning("Queued again after their worker stopped: %s jobs %s",
                                       kind, ids)
            # A little jitter so several workers started together do not sweep in step.
            stop.wait(settings.PAKTA_JOB_SWEEP_SECONDS * random.uniform(0.9, 1.1))
    finally:
        connection.close()


def start_sweeper() -> Callable[[], None]:
    """Start the sweep in a daemon thread (it ends with the process at the latest); returns the
    function that stops it and waits for it (a `db_worker --batch` run in-process returns)."""
    stop = threading.Event()
    thread = threading.Thread(target=sweep_forever, args=(stop,), daemon=True,
                              name="stalled-jobs-sweep")
    thread.start()

    def stop_and_wait() -> None:
        stop.set()
        thread.join(timeout=60)

    return stop_and_wait


__all__ = ["start_sweeper", "sweep", "sweep_forever"]

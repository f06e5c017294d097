"""The sweep: jobs whose worker died are queued again, by whichever worker is alive.

Every `manage.py db_worker` process runs `sweep_forever` in a thread (signings/management/
commands/db_worker.py): at start, then every PAKTA_JOB_SWEEP_SECONDS. In the worker, because
there is nothing else to start and nothing to forget: a worker that restarts after a crash sweeps
at once, and as long as any worker lives, a dead one's job is queued again within
PAKTA_JOB_STALL_SECONDS + PAKTA_JOB_SWEEP_SECONDS (75 s by default). A thread, not a task that
re-enqueues itself: such a chain of tasks breaks when the worker dies while running the sweep,
and waits behind a long archive in the same queue.

Jobs with a state of their own are the only ones that need this: a pact PDF whose task died is
rendered on demand at its first download (signings/services/pacts.ensure_pdf), and a lost
checkpoint or verifier task is scheduled again by the next activity.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection

from signings.services import archives
from signings.services.context import AuditContext

logger = logging.getLogger(__name__)

SWEEP_LABEL = "task:stalled_jobs"


def sweep() -> list[int]:
    """One pass; returns the ids of the archive jobs queued again."""
    return archives.requeue_stalled(context=AuditContext.system(SWEEP_LABEL))


def sweep_forever(stop: threading.Event) -> None:
    try:
        while not stop.is_set():
            close_old_connections()
            try:
                requeued = sweep()
            except Exception:  # noqa: BLE001 - the database may be away for a while; try again
                logger.exception("The sweep for stalled jobs failed")
            else:
                if requeued:
                    logger.warning("Queued again after their worker stopped: archive jobs %s",
                                   requeued)
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

"""Background work as services see it: a task's name and its arguments.

The tasks in signings/tasks.py call services; if services imported signings.tasks back to
enqueue them, the two would import each other. So the dependency points one way: services ask
for work here by name, and signings.tasks registers each task here as it is defined
(SigningsConfig.ready imports signings.tasks, so every process knows them all).
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.tasks import Task
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

logger = logging.getLogger(__name__)

_tasks: dict[str, Task] = {}


def provides(task: Task) -> Task:
    """Decorator for a task in signings.tasks: services may enqueue it by its function name."""
    _tasks[task.name] = task
    return task


def task(name: str) -> Task:
    """The task `name`, for callers that set options (`.using(run_after=...)`) first."""
    try:
        return _tasks[name]
    except KeyError:
        raise LookupError(f"No background task named {name!r} in signings.tasks") from None


def enqueue(name: str, *args) -> None:
    """Start the task `name`; call it from transaction.on_commit so it sees committed rows.

    A queue that cannot be reached (Redis down) is logged, never raised: the work it carries
    is committed already, and each task has its way back (a pact renders at its first
    download, a stalled archive can be run again, the next activity schedules a checkpoint).
    """
    wanted = task(name)  # an unknown name is a bug: raised
    try:
        wanted.enqueue(*args)
    except Exception:  # noqa: BLE001 - see above: the commit is done, the request must not fail
        logger.exception("Could not enqueue background task %s%r.", name, args)


def enqueue_on_commit(name: str, *args) -> None:
    """Start the task `name` once the current transaction commits.

    With the database backend the task row is written now, inside the transaction: it
    commits or rolls back with the change that asked for it, no worker sees it earlier, and
    it costs no commit of its own (a signature would otherwise pay two). Any other backend
    gets the task from transaction.on_commit, through enqueue (an unreachable queue logged).
    """
    found = task(name)
    if isinstance(found.get_backend(), DatabaseBackend):
        found.enqueue(*args)
    else:
        transaction.on_commit(lambda: enqueue(name, *args))


def enqueue_later_on_commit(name: str, *args, seconds: float) -> None:
    """Start the task `name` `seconds` after the current transaction commits, on a backend that
    can wait (the database queue, RQ). One that cannot (the immediate backend) would run it at
    once, again and again while the cause lasts: nothing is queued there, and the work waits
    for its next trigger (signings/services/pacts.py drains the seals awaiting BSrE)."""
    found = task(name)
    if not found.get_backend().supports_defer:
        logger.info("Task backend cannot defer: %s%r waits for its next trigger.", name, args)
        return
    run_after = timezone.now() + datetime.timedelta(seconds=seconds)
    transaction.on_commit(lambda: _enqueue_deferred(found, run_after, args))


def _enqueue_deferred(found: Task, run_after, args) -> None:
    try:
        found.using(run_after=run_after).enqueue(*args)
    except Exception:  # noqa: BLE001 - as in enqueue: the commit is done
        logger.exception("Could not enqueue background task %s%r.", found.name, args)

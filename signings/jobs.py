"""Background work as services see it: a task's name and its arguments.

The tasks in signings/tasks.py call services; if services imported signings.tasks back to
enqueue them, the two would import each other. So the dependency points one way: services ask
for work here by name, and signings.tasks registers each task here as it is defined
(SigningsConfig.ready imports signings.tasks, so every process knows them all).
"""

from __future__ import annotations

from django.tasks import Task

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
    """Start the task `name`; call it from transaction.on_commit so it sees committed rows."""
    task(name).enqueue(*args)

"""The RQ job class for Pakta's tasks on Redis (TASKS_BACKEND=rq; docs/operations.md).

`manage.py rqworker` picks it from settings.RQ["JOB_CLASS"]. django-tasks-rq's Job runs a
django.tasks task; this one also gives each task a sound database connection, as Django does
around a request: RQ knows nothing of Django, and a worker that keeps its process between
jobs (`--worker-class rq.SimpleWorker`) would otherwise use a connection the database closed
long ago, or one left in a failed transaction by the task before.
"""

from __future__ import annotations

from typing import Any

from django.db import close_old_connections
from django_tasks_rq import Job as TaskJob


class Job(TaskJob):
    def perform(self) -> Any:
        close_old_connections()
        try:
            return super().perform()
        finally:
            close_old_connections()

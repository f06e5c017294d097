"""django-tasks-db's `db_worker`, unchanged, plus the sweep for jobs whose worker died.

`signings` comes before `django_tasks_db` in INSTALLED_APPS, so `manage.py db_worker` is this
command: however the worker is started (bin/run, systemd, a container), the sweep runs with it
(signings/services/stalled_jobs.py, docs/operations.md "When a worker dies").
"""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from signings.services import stalled_jobs


class Command(DatabaseWorkerCommand):
    help = DatabaseWorkerCommand.help + ", and queue again the jobs of workers that died"

    def handle(self, *args, **options):
        # With --reload the command runs twice: a watching parent and the child that works.
        # Only the process that runs tasks sweeps.
        sweeps = (options["batch"] or not options["reload"]
                  or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true")
        stop_sweeper = stalled_jobs.start_sweeper() if sweeps else None
        try:
            super().handle(*args, **options)
        finally:
            if stop_sweeper is not None:
                stop_sweeper()

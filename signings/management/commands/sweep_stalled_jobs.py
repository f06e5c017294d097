import threading

from django.core.management.base import BaseCommand

from signings.services import stalled_jobs


class Command(BaseCommand):
    help = ("Queue again the archive and BKN report jobs whose worker died (heartbeat older than "
            "PAKTA_JOB_STALL_SECONDS). Every db_worker already does this; run it by hand, or "
            "with --forever beside a worker of another task backend (docs/operations.md).")

    def add_arguments(self, parser):
        parser.add_argument("--forever", action="store_true",
                            help="sweep every PAKTA_JOB_SWEEP_SECONDS until stopped")

    def handle(self, *args, **options):
        if options["forever"]:
            stalled_jobs.sweep_forever(threading.Event())
            return
        requeued = stalled_jobs.sweep()
        for kind, ids in requeued.items():
            self.stdout.write(f"Queued again ({kind}): {', '.join(map(str, ids)) or 'none'}")

import asyncio
import logging

from django.core.management.base import BaseCommand, CommandError

from signings.archive_verifier import verify_arsip


class Command(BaseCommand):
    help = ("Verify an archive ZIP offline, as verify_arsip.py inside it does: every file's "
            "hash, the manifest's signature and timestamp, every PDF's seal, the checkpoint.")
    # Checking an archive needs nothing of this installation (no seal key, no TSA, no DB):
    # an auditor's copy of Pakta may run it as well as the server.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the archive ZIP")
        parser.add_argument("--akar", help="trust roots (PEM) to use instead of the archive's")

    def handle(self, *args, **options):
        # The validators' step-by-step INFO lines would bury the report.
        for name in ("pyhanko", "pyhanko_certvalidator"):
            logging.getLogger(name).setLevel(logging.WARNING)
        roots = None
        if options["akar"]:
            with open(options["akar"], "rb") as handle:
                roots = handle.read()
        report = asyncio.run(verify_arsip.verify(options["archive"], roots_file=roots))
        verify_arsip.print_report(report, self.stdout)
        if not report.ok:
            raise CommandError(f"{len(report.bad_files())} berkas bermasalah.")

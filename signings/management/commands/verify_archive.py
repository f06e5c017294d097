import asyncio

from django.core.management.base import BaseCommand, CommandError

from signings.archive_verifier import verify_arsip


class Command(BaseCommand):
    help = ("Verify an archive ZIP offline, as verify_arsip.py inside it does: every file's "
            "hash, the manifest's signature and timestamp, every PDF's seal, the checkpoint.")

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the archive ZIP")
        parser.add_argument("--akar", help="trust roots (PEM) to use instead of the archive's")

    def handle(self, *args, **options):
        roots = None
        if options["akar"]:
            with open(options["akar"], "rb") as handle:
                roots = handle.read()
        report = asyncio.run(verify_arsip.verify(options["archive"], roots_file=roots))
        verify_arsip.print_report(report, self.stdout)
        if not report.ok:
            raise CommandError(f"{len(report.bad_files())} berkas bermasalah.")

from django.core.management.base import BaseCommand, CommandError

from signings.services.audit_verify import verify_audit


class Command(BaseCommand):
    help = ("Verify every audit chain (links, hashes, sequence), against its newest signed "
            "checkpoint in storage, and every signature row against its audit entries.")

    def add_arguments(self, parser):
        parser.add_argument("--no-files", action="store_true",
                            help="Do not hash the signature images and PDFs in storage.")

    def handle(self, *args, **options):
        report = verify_audit(files=not options["no_files"])
        for chain in report.chains:
            anchored = (f", anchored at seq {chain.checkpoint_seq}"
                        if chain.checkpoint_seq is not None else "")
            self.stdout.write(f"Chain {chain.chain}: {chain.entries} entries verified"
                              f"{anchored}.")
            for warning in chain.warnings:
                self.stdout.write(self.style.WARNING(warning))
        for problem in report.problems:
            self.stderr.write(self.style.ERROR(problem))
        if report.problems:
            raise CommandError(
                f"Audit chain broken: {len(report.problems)} problem(s). {report.problems[0]}")
        entries = sum(chain.entries for chain in report.chains)
        self.stdout.write(self.style.SUCCESS(
            f"Audit chain intact: {entries} entries verified in {len(report.chains)} chain(s); "
            f"{report.signatures_checked} signatures match their audit entries."))

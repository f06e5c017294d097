from django.core.management.base import BaseCommand, CommandError

from signings.services import checkpoints
from signings.services.context import AuditContext


class Command(BaseCommand):
    help = ("Sign, timestamp and store a checkpoint of an audit chain now (all chains with "
            "--all, e.g. once after migrating, for the legacy chain).")

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--chain", help="e.g. agency-1, system, legacy")
        group.add_argument("--all", action="store_true")

    def handle(self, *args, **options):
        context = AuditContext.system("command:make_audit_checkpoint")
        if options["all"]:
            made = checkpoints.make_all(context=context)
        else:
            one = checkpoints.make_checkpoint(chain=options["chain"], context=context)
            if one is None:
                raise CommandError(f"Nothing to anchor in chain {options['chain']} (no entries, "
                                   "or another worker is making its checkpoint).")
            made = [one]
        for checkpoint in made:
            self.stdout.write(f"{checkpoint.chain}: seq {checkpoint.seq}, head "
                              f"{checkpoint.head_hash[:16]}…, {checkpoint.storage_prefix}.json")

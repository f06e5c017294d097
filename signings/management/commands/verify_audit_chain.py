from django.core.management.base import BaseCommand, CommandError

from signings.services.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and report the first broken link."

    def handle(self, *args, **options):
        checked, broken = verify_chain()
        if broken is not None:
            when = broken.at.strftime("%Y-%m-%d %H:%M:%S")
            raise CommandError(
                f"Audit chain broken at entry #{broken.pk} ({broken.action}, {when}) after "
                f"{checked} intact entries: the entry or its predecessor was changed outside "
                "the application."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} entries verified."))

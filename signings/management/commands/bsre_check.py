"""Test the connection to the agency's BSrE Esign Client Service (docs/bsre.md).

    manage.py bsre_check                      reachable, and the basic-auth account accepted
    manage.py bsre_check --nik 3201...        can this person sign? (/api/v2/user/check/status)
    manage.py bsre_check --seal               the agency seal's id and TOTP give a seal code
    manage.py bsre_check --drain [--refused]  queue again every pact awaiting its seal

Exits non-zero on any failure, with BSrE's answer in words.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from signings.pdf import bsre
from signings.services import bsre_queue

# A NIK no one has: the status endpoint answers NOT_REGISTERED, which proves the way there.
PROBE_NIK = "0000000000000000"


class Command(BaseCommand):
    help = "Check the connection to BSrE's Esign Client Service (PAKTA_BSRE_*)."

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group()
        who.add_argument("--nik", help="The status of this person's certificate.")
        who.add_argument("--email", help="The status of this person's certificate.")
        parser.add_argument("--seal", action="store_true",
                            help="Also fetch a seal code with PAKTA_BSRE_SEAL_ID/_TOTP.")
        parser.add_argument("--drain", action="store_true",
                            help="Queue again every pact awaiting its BSrE seal.")
        parser.add_argument("--refused", action="store_true",
                            help="With --drain: the refused ones too (after fixing the cause).")

    def handle(self, *args, **options):
        if settings.PAKTA_SIGNING_BACKEND != "bsre":
            self.stdout.write("PAKTA_SIGNING_BACKEND is not bsre: checking BSrE anyway.")
        try:
            client = bsre.client()
            identity, who = ("email", options["email"]) if options["email"] else \
                ("nik", options["nik"] or PROBE_NIK)
            status = client.user_status(identity=identity, who=who)
            self.stdout.write(f"{settings.PAKTA_BSRE_URL}: reachable, account accepted.")
            if options["nik"] or options["email"]:
                verdict = "can sign" if status.can_sign else status.refusal
                self.stdout.write(f"{identity} status: {status.status} ({verdict})")
            if options["seal"]:
                client.forget_seal_code()
                client.seal_code(settings.PAKTA_BSRE_SEAL_ID, settings.PAKTA_BSRE_SEAL_TOTP)
                self.stdout.write("Seal: BSrE gave a seal code for PAKTA_BSRE_SEAL_ID.")
        except bsre.BsreError as error:
            raise CommandError(f"BSrE: {error.message}") from None
        if options["drain"]:
            count = bsre_queue.drain(refused_too=options["refused"])
            self.stdout.write(f"Queued {count} pact(s) for their BSrE seal.")

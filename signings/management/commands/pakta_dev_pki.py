from django.conf import settings
from django.core.management.base import BaseCommand

from signings.pdf import pki


class Command(BaseCommand):
    help = ("Create the development CA and TSA certificate (once) in PAKTA_DEV_PKI_DIR. "
            "Development, demo and tests only.")

    def handle(self, *args, **options):
        dev = pki.ensure_dev_pki(settings.PAKTA_DEV_PKI_DIR,
                                 base_url=settings.PAKTA_DEV_TSA_BASE_URL)
        self.stdout.write(f"Development CA in {dev.directory} (root: {dev.root_path}; "
                          f"CRL at {dev.crl_url()}).")

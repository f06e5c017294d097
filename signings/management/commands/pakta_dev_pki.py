from django.core.management.base import BaseCommand

from signings.pdf import seal


class Command(BaseCommand):
    help = ("Create the development CA and TSA certificate (once) in PAKTA_DEV_PKI_DIR. "
            "Development, demo and tests only.")

    def handle(self, *args, **options):
        dev = seal.dev_pki()
        self.stdout.write(f"Development CA in {dev.directory} (root: {dev.root_path}; "
                          f"CRL at {dev.crl_url()}).")

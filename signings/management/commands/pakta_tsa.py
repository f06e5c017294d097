from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand

from signings.pdf import seal, tsa_server


class Command(BaseCommand):
    help = ("Serve the development RFC 3161 time-stamp authority and the development CA's CRL "
            "at PAKTA_DEV_TSA_BASE_URL. Development and demo only: production uses a real TSA.")

    def handle(self, *args, **options):
        address = urlsplit(settings.PAKTA_DEV_TSA_BASE_URL)
        tsa_server.run(seal.dev_pki(), address.hostname or "127.0.0.1", address.port or 8011)

from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand

from signings.pdf import pki, tsa_server


class Command(BaseCommand):
    help = ("Serve the development RFC 3161 time-stamp authority and the development CA's CRL "
            "(PAKTA_DEV_TSA_BASE_URL). Development and demo only: production uses a real TSA.")

    def handle(self, *args, **options):
        dev = pki.ensure_dev_pki(settings.PAKTA_DEV_PKI_DIR,
                                 base_url=settings.PAKTA_DEV_TSA_BASE_URL)
        address = urlsplit(settings.PAKTA_DEV_TSA_BASE_URL)
        host, port = address.hostname or "127.0.0.1", address.port or 8011
        tsa_server.run(dev, host, port)

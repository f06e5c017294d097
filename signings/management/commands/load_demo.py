from django.core.management.base import BaseCommand

from signings import demo


class Command(BaseCommand):
    help = "Load the demo agencies, staff, pact templates, events and users (idempotent)."

    def handle(self, *args, **options):
        counts = demo.load()
        self.stdout.write(self.style.SUCCESS(
            "Demo data ready: {agencies} agencies, {employees} employees, {events} events.".format(
                **counts)
        ))
        self.stdout.write(f"Demo users (password for all: {demo.DEMO_PASSWORD}):")
        for username, full_name, *_rest in demo.DEMO_USERS:
            self.stdout.write(f"  {username:<15} {full_name}")

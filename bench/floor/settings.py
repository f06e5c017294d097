"""Pakta's settings plus the floor view (bench/kiosk_vs_floor.py): same middleware, same
database, same server, so the only difference between the two endpoints is the view. Every kiosk
benchmark runs with them (bench/_kiosk_common.py)."""

from pakta.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench.floor.apps.FloorConfig"]  # noqa: F405
ROOT_URLCONF = "bench.floor.urls"

# With DEBUG off, start-up checks demand a public address, a TSA and a seal key. The benchmark
# renders and seals nothing (no task worker runs), so it needs none of them.
SILENCED_SYSTEM_CHECKS = ["pakta.E001", "pakta.E002", "pakta.E003", "pakta.E004", "pakta.E005"]

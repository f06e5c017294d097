"""Settings of a gunicorn started by a test (tests/servers.py): the test settings, with the cache
CACHE_URL names, as in production (tests/settings.py gives the test process a local one)."""

import os

from pakta.env import cache_settings
from tests.settings import *  # noqa: F403

CACHES = cache_settings(os.environ.get("CACHE_URL", ""))

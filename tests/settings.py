"""Test settings: the real pakta.settings, with test defaults for what the environment lacks.

Tests need no real secret and run against the local PostgreSQL server unless DATABASE_URL says
otherwise.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pakta")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("PAKTA_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# Tests seal with a development certificate from the test session's own CA (tests/conftest.py).
os.environ.setdefault("PAKTA_DEV_SEAL_ALLOWED", "1")

from pakta.settings import *  # noqa: E402, F403

# No collectstatic before tests: serve static files from the finders, unhashed.
STORAGES = {**STORAGES, "staticfiles": {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# The birth-date verifier's scrypt at a test cost (production: 2**13, see bench/kdf.py): every
# roster of every test makes one per person.
PAKTA_BIRTH_KDF_N = 2**8

# The tests enforce the Content-Security-Policy even when DEBUG=1 is in the environment
# (pytest-django turns DEBUG off after the settings were read).
from pakta.settings import _CSP  # noqa: E402

SECURE_CSP = _CSP
SECURE_CSP_REPORT_ONLY: dict = {}

# Each test starts with an empty cache (tests/conftest.py), which must neither need a database
# nor empty a Redis other processes use. The shared caches (database, Redis) are tested with
# real gunicorn workers: tests/test_shared_limits.py and tests/server_settings.py.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

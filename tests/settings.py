"""Test settings: the real pakta.settings, with test defaults for what the environment lacks.

Tests need no real secret and run against the local PostgreSQL server unless DATABASE_URL says
otherwise.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pakta")
os.environ.setdefault("SECURE_COOKIES", "0")

from pakta.settings import *  # noqa: E402, F403

# No collectstatic before tests: serve static files from the finders, unhashed.
STORAGES = {**STORAGES, "staticfiles": {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def import_settings(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c",
         "import pakta.settings as s; print(s.DATABASES['default']['ENGINE'])"],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60,
    )


def test_production_without_secret_key_fails_loudly():
    result = import_settings({})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_runs_without_secret_key_on_sqlite(tmp_path):
    result = import_settings({"DEBUG": "1", "PAKTA_VAR_DIR": str(tmp_path),
                              "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
    assert result.returncode == 0, result.stderr
    assert "sqlite3" in result.stdout


def test_database_url_picks_postgresql():
    result = import_settings({"SECRET_KEY": "x", "DATABASE_URL": "postgres://u@h:5432/d"})
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_indonesian_is_the_default_language(settings):
    assert settings.LANGUAGE_CODE == "id"
    assert settings.TIME_ZONE == "Asia/Jakarta"
    assert "en" in dict(settings.LANGUAGES)


def test_unexpected_boolean_stops_startup_naming_the_variable_and_the_accepted_values():
    result = import_settings({"SECRET_KEY": "x", "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEBUG='maybe'" in result.stderr
    assert "1/0, true/false, yes/no, on/off" in result.stderr


def test_unexpected_boolean_in_any_flag_stops_startup():
    result = import_settings({"SECRET_KEY": "x", "SECURE_COOKIES": "enabled"})
    assert result.returncode != 0
    assert "SECURE_COOKIES='enabled'" in result.stderr


def test_boolean_words_are_read_case_insensitively(tmp_path):
    for word in ("TRUE", "Yes", "on", "1"):
        result = import_settings({"DEBUG": word, "PAKTA_VAR_DIR": str(tmp_path),
                                  "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
        assert result.returncode == 0, (word, result.stderr)
    for word in ("FALSE", "No", "off", "0"):
        result = import_settings({"DEBUG": word, "SECRET_KEY": "x"})
        assert result.returncode == 0, (word, result.stderr)
        # Off means production: without a key the same value refuses to start.
        refused = import_settings({"DEBUG": word})
        assert "SECRET_KEY is not set" in refused.stderr, word

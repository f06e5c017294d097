import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def import_settings(env: dict,
                    show: str = "s.DATABASES['default']['ENGINE']") -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"SECRET_KEY", "DEBUG", "TASKS_BACKEND", "TASKS_REDIS_URL", "REDIS_URL",
                          "PAKTA_STORAGE", "AWS_STORAGE_BUCKET_NAME"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import pakta.settings as s; print({show})"],
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


def test_the_database_queue_and_a_shared_directory_are_the_defaults():
    result = import_settings({"SECRET_KEY": "x"}, show=(
        "s.TASKS['default']['BACKEND'], s.STORAGES['default']['BACKEND'], "
        "'django_rq' in s.INSTALLED_APPS"))
    assert result.stdout.split() == ["django_tasks_db.DatabaseBackend",
                                     "django.core.files.storage.FileSystemStorage", "False"]


def test_tasks_backend_rq_puts_the_queue_on_redis():
    result = import_settings(
        {"SECRET_KEY": "x", "TASKS_BACKEND": "rq", "TASKS_REDIS_URL": "redis://r.local:6379/2"},
        show="s.TASKS['default']['BACKEND'], s.RQ_QUEUES['default']['URL'], "
             "s.RQ['JOB_CLASS'], 'django_rq' in s.INSTALLED_APPS")
    assert result.stdout.split() == ["django_tasks_rq.RQBackend", "redis://r.local:6379/2",
                                     "pakta.task_queue.Job", "True"], result.stderr


def test_tasks_backend_rq_without_a_redis_url_stops_startup():
    result = import_settings({"SECRET_KEY": "x", "TASKS_BACKEND": "rq"})
    assert result.returncode != 0
    assert "TASKS_BACKEND=rq needs TASKS_REDIS_URL" in result.stderr


def test_an_unknown_tasks_backend_or_storage_stops_startup_naming_the_choices():
    result = import_settings({"SECRET_KEY": "x", "TASKS_BACKEND": "redis"})
    assert "TASKS_BACKEND='redis' is not a task backend" in result.stderr
    assert "Accepted: db, rq" in result.stderr
    result = import_settings({"SECRET_KEY": "x", "PAKTA_STORAGE": "nfs"})
    assert "PAKTA_STORAGE='nfs' is not a storage" in result.stderr
    assert "Accepted: files, s3." in result.stderr


def test_s3_storage_says_what_it_needs():
    result = import_settings({"SECRET_KEY": "x", "PAKTA_STORAGE": "s3"})
    assert result.returncode != 0
    if importlib.util.find_spec("storages") is None:
        assert "pip install -r requirements-s3.txt" in result.stderr
    else:
        assert "PAKTA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME" in result.stderr

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.parametrize(("variable", "value", "says"), [
    ("SESSION_COOKIE_AGE", "8h", "is not a whole number"),
    ("PAKTA_IMPORT_MAX_BYTES", "5MB", "is not a whole number"),
    ("AXES_FAILURE_LIMIT", "0", "below its minimum of 1"),
    ("PAKTA_JOB_STALL_SECONDS", "soon", "is not a number"),
])
def test_a_number_that_is_not_one_stops_startup_naming_the_variable(variable, value, says):
    result = import_settings({"SECRET_KEY": "x", variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{variable}={value!r}" in result.stderr
    assert says in result.stderr


def test_numbers_are_read_from_the_environment():
    result = import_settings({"SECRET_KEY": "x", "SESSION_COOKIE_AGE": " 3600 ",
                              "PAKTA_JOB_STALL_SECONDS": "90.5"},
                             show="(s.SESSION_COOKIE_AGE, s.PAKTA_JOB_STALL_SECONDS)")
    assert result.stdout.strip() == "(3600, 90.5)"


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


def security_settings(env: dict) -> dict:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"SECRET_KEY", "DEBUG", "PAKTA_HTTPS", "PAKTA_BEHIND_PROXY",
                          "SECURE_COOKIES"}}
    clean.update({"SECRET_KEY": "x", **env})
    script = (
        "import json, pakta.settings as s; from django.utils.csp import build_policy; "
        "print(json.dumps({'redirect': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS, "
        "'subdomains': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, 'preload': s.SECURE_HSTS_PRELOAD, "
        "'proxy': getattr(s, 'SECURE_PROXY_SSL_HEADER', None), "
        "'cookies': s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE, "
        "'csp': build_policy(s.SECURE_CSP)}))"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=clean,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_plain_http_by_default_no_redirect_no_hsts_no_upgrade():
    # The kiosk also runs on plain-HTTP intranets: nothing may force https there.
    found = security_settings({"SECURE_COOKIES": "0"})
    assert found["redirect"] is False
    assert found["hsts"] == 0
    assert found["proxy"] is None
    assert found["cookies"] is False
    assert "upgrade-insecure-requests" not in found["csp"]


def test_https_turns_on_redirect_hsts_and_upgrade():
    found = security_settings({"PAKTA_HTTPS": "1"})
    assert found["redirect"] is True
    assert found["hsts"] == 365 * 24 * 3600
    assert found["subdomains"] is True
    assert found["preload"] is False
    assert found["cookies"] is True
    assert "upgrade-insecure-requests" in found["csp"]
    assert security_settings({"PAKTA_HTTPS": "1", "PAKTA_HSTS_SECONDS": "300",
                              "PAKTA_HSTS_PRELOAD": "1"}) == {**found, "hsts": 300, "preload": True}


def test_forwarded_proto_is_trusted_only_behind_a_declared_proxy():
    assert security_settings({"PAKTA_HTTPS": "1"})["proxy"] is None
    assert security_settings({"PAKTA_HTTPS": "1", "PAKTA_BEHIND_PROXY": "1"})["proxy"] == [
        "HTTP_X_FORWARDED_PROTO", "https"]


def test_the_policy_allows_nothing_inline():
    policy = security_settings({})["csp"]
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert "script-src 'self';" in policy  # the nonce only when a page uses it
    assert "frame-ancestors 'none'" in policy


def test_debug_reports_the_policy_instead_of_enforcing_it(tmp_path):
    # Django's debug pages are inline-styled; the tests (DEBUG off) enforce the policy.
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    clean.update({"DEBUG": "1", "PAKTA_VAR_DIR": str(tmp_path),
                  "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
    result = subprocess.run(
        [sys.executable, "-c", "import pakta.settings as s; "
         "print(bool(s.SECURE_CSP), bool(s.SECURE_CSP_REPORT_ONLY))"],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["False", "True"], result.stderr


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

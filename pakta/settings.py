"""Pakta settings: everything that differs between machines comes from the environment.

DATABASE_URL   database (default: SQLite file var/pakta.sqlite3, for a zero-setup first run)
SECRET_KEY     required unless DEBUG is on
DEBUG          1/true/yes/on turns on debug mode (the quick start sets it); 0/false/no/off
               or unset turns it off; any other value stops startup
ALLOWED_HOSTS  comma-separated host names
MEDIA_ROOT     where signature images and PDFs are stored (default: var/media)
PAKTA_HTTPS    1 when browsers reach Pakta over https: redirect http to https, send HSTS
PAKTA_BEHIND_PROXY  1 when a reverse proxy terminates TLS and sets X-Forwarded-Proto
PAKTA_STORAGE  "files" (MEDIA_ROOT, a shared directory for several nodes) or "s3"
TASKS_BACKEND  "db" (the database queue, default) or "rq" (Redis, TASKS_REDIS_URL)
CACHE_URL      the cache every worker shares (rate limits): redis://host:6379/1, or unset for
               the database cache (table pakta_cache, made by migrate)
The production environment, complete: docs/operations.md ("The production environment").
What several nodes need: README.md ("Configuration"), docs/operations.md.
The parsers, and the checks that stop startup on a value Pakta does not know: pakta/env.py.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from pakta.env import (
    TASK_BACKENDS,
    cache_settings,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_seconds,
    ip_networks,
    media_storage,
    signing_backend,
    task_backend,
    tasks_redis_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PAKTA_VAR_DIR", BASE_DIR / "var"))


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=1 for local development only)."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    # Before django_tasks_db: its `db_worker` command is signings' (the same worker, plus the
    # sweep that queues again the jobs of a worker that died; docs/operations.md).
    "signings",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First: every response (even the redirect to https) and every log line get the id.
    "signings.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise, so static files keep their cache lifetime; everything else: no-store.
    "signings.middleware.PrivateResponseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "signings.middleware.IndonesianFirstLocaleMiddleware",
    # Before CSRF and anything else that reads the body: refuses an oversized one unread (413).
    "signings.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pakta.urls"
WSGI_APPLICATION = "pakta.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "signings.context_processors.roles",
                "signings.context_processors.tally",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'pakta.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Several processes (server and task worker) share one SQLite file in the demo.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits count here: one cache every worker process shares (pakta/env.py: cache_settings).
CACHES = cache_settings(os.environ.get("CACHE_URL", ""))

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Officers work on shared office machines: sessions end after 8 idle hours or on browser close.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=1)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Our own reverse proxies (addresses or networks, comma-separated): only behind one of them is
# X-Forwarded-For believed, so rate limits, lockouts and the audit log see the real client
# (signings/services/context.py: client_ip). Unset: REMOTE_ADDR, the connection's other end.
PAKTA_TRUSTED_PROXIES = ip_networks("PAKTA_TRUSTED_PROXIES")

# Failed logins are rows in the database (AccessAttempt, listed and lifted in the admin), counted
# under a row lock: every worker sees the same count without the cache.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "signings.services.context.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Where a task writes a large file (an archive) before it goes into storage: local to the
# worker, never read by another node. Best on the file system of MEDIA_ROOT (the finished
# file is then moved, not copied); not a RAM disk (an archive can be gigabytes).
PAKTA_SCRATCH_DIR = Path(os.environ.get("PAKTA_SCRATCH_DIR") or VAR_DIR / "scratch")

STORAGES = {
    "default": media_storage(),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests and the demo serve static files straight from the finders, no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Background tasks (docs/operations.md): the database queue needs nothing but the database;
# "rq" puts them on Redis, for workers on several machines. A dotted path names any backend.
TASKS = {"default": {"BACKEND": task_backend(), "QUEUES": ["default"]}}
# Longest a task may run on RQ before its worker kills it: an archive of a whole province.
PAKTA_TASK_TIMEOUT = env_int("PAKTA_TASK_TIMEOUT", 6 * 3600, minimum=1)
if TASKS["default"]["BACKEND"] == TASK_BACKENDS["rq"]:
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": tasks_redis_url(), "DEFAULT_TIMEOUT": PAKTA_TASK_TIMEOUT}}
    # `manage.py rqworker` runs our tasks with this job class (pakta/task_queue.py), in its
    # own process like db_worker: RQ's default forks a fresh process per job, which loads
    # fonts, WeasyPrint and pyHanko again for every pact (8x slower, bench/task_workers.py).
    RQ = {"JOB_CLASS": "pakta.task_queue.Job", "WORKER_CLASS": "rq.worker.SimpleWorker"}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Pakta's own knobs.
# A SIASN export of 20,000 ASN (64 columns) is about 14 MB as CSV.
PAKTA_IMPORT_MAX_BYTES = env_int("PAKTA_IMPORT_MAX_BYTES", 24 * 1024 * 1024, minimum=1)
PAKTA_SIGNATURE_MAX_BYTES = env_int("PAKTA_SIGNATURE_MAX_BYTES", 512 * 1024, minimum=1)
PAKTA_PAPER_SCAN_MAX_BYTES = env_int("PAKTA_PAPER_SCAN_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
# A recap of more signatories than PAKTA_RECAP_CHUNK_ROWS is rendered in chunks of about that many
# rows, PAKTA_RECAP_PROCESSES at a time in worker processes (each replaced after
# PAKTA_RECAP_TASKS_PER_CHILD chunks, so memory stays flat), then merged and sealed once.
PAKTA_RECAP_CHUNK_ROWS = env_int("PAKTA_RECAP_CHUNK_ROWS", 500, minimum=1)
PAKTA_RECAP_PROCESSES = env_int("PAKTA_RECAP_PROCESSES", min(os.cpu_count() or 1, 4), minimum=1)
PAKTA_RECAP_TASKS_PER_CHILD = env_int("PAKTA_RECAP_TASKS_PER_CHILD", 4, minimum=1)
# Printed, permanently, in every QR code: production must say it (signings/checks.py).
PAKTA_PUBLIC_BASE_URL = os.environ.get("PAKTA_PUBLIC_BASE_URL",
                                       "http://127.0.0.1:8000" if DEBUG else "")
PAKTA_SEAL_PKCS12 = os.environ.get("PAKTA_SEAL_PKCS12", str(VAR_DIR / "seal" / "dev-seal.p12"))
PAKTA_SEAL_PASSPHRASE = os.environ.get("PAKTA_SEAL_PASSPHRASE", "")
# RFC 3161 time-stamp authority for the long-term (PAdES B-LTA) seal; bin/run points it at the
# local responder. PEM bundle with the roots of the seal's and the TSA's certificate chains.
PAKTA_TSA_URL = os.environ.get("PAKTA_TSA_URL", "")
# Minutes between signed checkpoints of an audit chain while it has activity (docs/operations.md).
PAKTA_CHECKPOINT_INTERVAL = env_int("PAKTA_CHECKPOINT_INTERVAL", 15, minimum=1)
# Background jobs with a state of their own (archives): a running attempt writes a heartbeat
# every PAKTA_JOB_HEARTBEAT_SECONDS; one silent for PAKTA_JOB_STALL_SECONDS lost its worker and
# is queued again by the sweep every worker runs each PAKTA_JOB_SWEEP_SECONDS
# (docs/operations.md, "When a worker dies"). Seconds, fractions allowed.
PAKTA_JOB_HEARTBEAT_SECONDS = env_float("PAKTA_JOB_HEARTBEAT_SECONDS", 10, minimum=0.1)
PAKTA_JOB_STALL_SECONDS = env_float("PAKTA_JOB_STALL_SECONDS", 60, minimum=0.1)
PAKTA_JOB_SWEEP_SECONDS = env_float("PAKTA_JOB_SWEEP_SECONDS", 15, minimum=0.1)
PAKTA_TRUST_ROOTS = os.environ.get("PAKTA_TRUST_ROOTS", "")
# The project's own CA and TSA (development, demo, tests): signings/pdf/pki.py.
PAKTA_DEV_PKI_DIR = os.environ.get("PAKTA_DEV_PKI_DIR", str(VAR_DIR / "pki"))
PAKTA_DEV_TSA_BASE_URL = os.environ.get("PAKTA_DEV_TSA_BASE_URL", "http://127.0.0.1:8011")
# Issue a development seal when PAKTA_SEAL_PKCS12 is missing: never in production.
PAKTA_DEV_SEAL_ALLOWED = env_bool("PAKTA_DEV_SEAL_ALLOWED", DEBUG)
# Who seals: "local" (PAKTA_SEAL_PKCS12 above) or "bsre", BSrE's Esign Client Service installed
# by the agency (docs/bsre.md). The client service's basic-auth account and the agency seal's
# subscriber id and TOTP come from the environment (a secret store), never from the database.
PAKTA_SIGNING_BACKEND = signing_backend()
PAKTA_BSRE_URL = os.environ.get("PAKTA_BSRE_URL", "").strip().rstrip("/")
PAKTA_BSRE_USER = os.environ.get("PAKTA_BSRE_USER", "")
PAKTA_BSRE_PASSWORD = os.environ.get("PAKTA_BSRE_PASSWORD", "")
PAKTA_BSRE_SEAL_ID = os.environ.get("PAKTA_BSRE_SEAL_ID", "")
PAKTA_BSRE_SEAL_TOTP = os.environ.get("PAKTA_BSRE_SEAL_TOTP", "")
# Seconds: to connect, and for an answer (a seal of a long recap takes BSrE seconds).
PAKTA_BSRE_CONNECT_TIMEOUT = env_seconds("PAKTA_BSRE_CONNECT_TIMEOUT", 5)
PAKTA_BSRE_TIMEOUT = env_seconds("PAKTA_BSRE_TIMEOUT", 60)
# A pact awaiting its BSrE seal is tried again after 30 s, then twice as long each time, at
# most this long apart.
PAKTA_BSRE_RETRY_MAX_SECONDS = env_seconds("PAKTA_BSRE_RETRY_MAX_SECONDS", 3600)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# HTTPS is a property of the installation, not of DEBUG: the kiosk also runs on plain-HTTP
# intranets (docs/operations.md, "HTTPS di intranet"), where a redirect or HSTS would lock the
# tablets out. PAKTA_HTTPS=1 says browsers reach Pakta over https only.
PAKTA_HTTPS = env_bool("PAKTA_HTTPS")
SECURE_SSL_REDIRECT = PAKTA_HTTPS
SECURE_HSTS_SECONDS = env_int("PAKTA_HSTS_SECONDS", 365 * 24 * 3600) \
    if PAKTA_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("PAKTA_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("PAKTA_HSTS_PRELOAD")
# Only behind a proxy that sets (and overwrites) X-Forwarded-Proto: anyone else could send it.
if env_bool("PAKTA_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [
    # HSTS preloading is a promise made for a whole registrable domain (e.g. the regency's
    # go.id domain) by its owner, not by one application on a host under it: PAKTA_HSTS_PRELOAD.
    "security.W021",
]

# Content-Security-Policy on every response (Django's own, django.middleware.csp). Nothing
# inline runs: scripts and styles are static files. The nonce is for the kiosk's import map
# (an import map cannot be an external file) and the Django admin's one <style>.
_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    # data: for Bootstrap's inline SVG icons (select arrows, close buttons) and signature PNGs.
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "upgrade-insecure-requests": PAKTA_HTTPS,
}
# Enforced without DEBUG (and so in every test). With DEBUG only reported, in the browser's
# console: Django's own debug pages are inline-styled and would be unreadable.
SECURE_CSP = {} if DEBUG else _CSP
SECURE_CSP_REPORT_ONLY = _CSP if DEBUG else {}

# Our own error pages (Indonesian, with the request id) instead of Django's English ones.
CSRF_FAILURE_VIEW = "signings.views.errors.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "signings.request_id.RequestIdFilter"}},
    "formatters": {
        "pakta": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                    "filters": ["request_id"], "formatter": "pakta"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

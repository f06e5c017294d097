"""Pakta settings: everything that differs between machines comes from the environment.

DATABASE_URL   database (default: SQLite file var/pakta.sqlite3, for a zero-setup first run)
SECRET_KEY     required unless DEBUG is on
DEBUG          1/true/yes/on turns on debug mode (the quick start sets it); 0/false/no/off
               or unset turns it off; any other value stops startup
ALLOWED_HOSTS  comma-separated host names
MEDIA_ROOT     where signature images and PDFs are stored (default: var/media)
CACHE_URL      the cache every worker shares (rate limits): redis://host:6379/1, or unset for
               the database cache (table pakta_cache, made by migrate)
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PAKTA_VAR_DIR", BASE_DIR / "var"))


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no setting. Anything unexpected stops startup: a typo such as DEBUG=ture must not
    silently mean "off" (or "on") in production."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    word = value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value. Accepted (case-insensitive): "
        "1/0, true/false, yes/no, on/off."
    )


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


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
    "django_tasks_db",
    "signings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
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
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Several processes (server and task worker) share one SQLite file in the demo.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_settings(url: str) -> dict:
    """CACHES from CACHE_URL. Rate limits count in the cache, so every worker process must see
    the same one: Redis when given, else the database (no extra service; migrate makes the
    table). A per-process cache would let each gunicorn worker count on its own."""
    url = url.strip()
    scheme = url.partition("://")[0].lower()
    if not url or url.lower() == "db://":
        default = {
            # Django's DatabaseCache with counters that hold across processes (pakta/cache.py).
            "BACKEND": "pakta.cache.AtomicDatabaseCache",
            "LOCATION": "pakta_cache",
            # Culling deletes a third of the entries: rate-limit counters among them. Far above
            # what ten minutes of one government's visitors make.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    elif scheme in {"redis", "rediss", "unix"}:
        default = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            # A stalled Redis fails the request in seconds instead of hanging a worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    else:
        raise ImproperlyConfigured(
            f"CACHE_URL={url!r} is not understood. Use redis://host:6379/1 (rediss:// with "
            "TLS, unix:///path/redis.sock), or leave it unset (or db://) for the database cache."
        )
    return {"default": {**default, "KEY_PREFIX": "pakta"}}


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
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Our own reverse proxies (addresses or networks, comma-separated): only behind one of them is
# X-Forwarded-For believed, so rate limits, lockouts and the audit log see the real client
# (signings/services/context.py: client_ip). Unset: REMOTE_ADDR, the connection's other end.
PAKTA_TRUSTED_PROXIES = env_list("PAKTA_TRUSTED_PROXIES")
for _proxy in PAKTA_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"PAKTA_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network "
            "(e.g. 127.0.0.1,10.0.0.0/24)."
        ) from None

# Failed logins are rows in the database (AccessAttempt, listed and lifted in the admin), counted
# under a row lock: every worker sees the same count without the cache.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
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

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
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

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Pakta's own knobs.
PAKTA_IMPORT_MAX_BYTES = int(os.environ.get("PAKTA_IMPORT_MAX_BYTES", 5 * 1024 * 1024))
PAKTA_SIGNATURE_MAX_BYTES = int(os.environ.get("PAKTA_SIGNATURE_MAX_BYTES", 512 * 1024))
PAKTA_PAPER_SCAN_MAX_BYTES = int(os.environ.get("PAKTA_PAPER_SCAN_MAX_BYTES", 10 * 1024 * 1024))
# Printed, permanently, in every QR code: production must say it (signings/checks.py).
PAKTA_PUBLIC_BASE_URL = os.environ.get("PAKTA_PUBLIC_BASE_URL",
                                       "http://127.0.0.1:8000" if DEBUG else "")
PAKTA_SEAL_PKCS12 = os.environ.get("PAKTA_SEAL_PKCS12", str(VAR_DIR / "seal" / "dev-seal.p12"))
PAKTA_SEAL_PASSPHRASE = os.environ.get("PAKTA_SEAL_PASSPHRASE", "")
# RFC 3161 time-stamp authority for the long-term (PAdES B-LTA) seal; bin/run points it at the
# local responder. PEM bundle with the roots of the seal's and the TSA's certificate chains.
PAKTA_TSA_URL = os.environ.get("PAKTA_TSA_URL", "")
# Minutes between signed checkpoints of an audit chain while it has activity (docs/operations.md).
PAKTA_CHECKPOINT_INTERVAL = int(os.environ.get("PAKTA_CHECKPOINT_INTERVAL", 15))
PAKTA_TRUST_ROOTS = os.environ.get("PAKTA_TRUST_ROOTS", "")
# The project's own CA and TSA (development, demo, tests): signings/pdf/pki.py.
PAKTA_DEV_PKI_DIR = os.environ.get("PAKTA_DEV_PKI_DIR", str(VAR_DIR / "pki"))
PAKTA_DEV_TSA_BASE_URL = os.environ.get("PAKTA_DEV_TSA_BASE_URL", "http://127.0.0.1:8011")
# Issue a development seal when PAKTA_SEAL_PKCS12 is missing: never in production.
PAKTA_DEV_SEAL_ALLOWED = env_bool("PAKTA_DEV_SEAL_ALLOWED", DEBUG)

if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

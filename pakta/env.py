"""Reading pakta/settings.py's environment: the parsers, and the settings that are more than one
value (the cache, the media storage, the task backend), each checked so that a typo stops
startup with a sentence naming what is accepted instead of meaning something else.

Imported by the settings: Django is not set up yet, so nothing here may touch
django.conf.settings, the apps or the database.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})

# The database cache's table; migration signings/0014 creates it under the same name.
CACHE_TABLE = "pakta_cache"

TASK_BACKENDS = {"db": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}


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


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """A whole number of seconds, bytes or attempts. A typo (`60s`, `5MB`) or a number below
    `minimum` stops startup instead of raising a bare ValueError deep in the settings."""
    return int(_env_number(name, default, minimum, int, "a whole number"))


def env_float(name: str, default: float, *, minimum: float = 0) -> float:
    return _env_number(name, default, minimum, float, "a number")


def _env_number(name, default, minimum, kind, words):
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = kind(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not {words}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} is below its minimum of {minimum}.")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def ip_networks(name: str) -> list[str]:
    """A comma-separated list of addresses or networks (PAKTA_TRUSTED_PROXIES)."""
    entries = env_list(name)
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {entry!r} is not an IP address or network "
                "(e.g. 127.0.0.1,10.0.0.0/24)."
            ) from None
    return entries


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
            "LOCATION": CACHE_TABLE,
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


def media_storage() -> dict:
    """The media (signature images, pacts, recaps, archives, checkpoints): every read and write
    goes through the storage API, so a directory shared by every node (NFS) or an S3-compatible
    bucket hold them alike (docs/operations.md, "Several nodes")."""
    kind = os.environ.get("PAKTA_STORAGE", "files").strip().lower() or "files"
    if kind == "files":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(
            f"PAKTA_STORAGE={kind!r} is not a storage Pakta knows. Accepted: files, s3.")
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            "PAKTA_STORAGE=s3 needs django-storages with boto3: "
            "pip install -r requirements-s3.txt")
    bucket = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        raise ImproperlyConfigured("PAKTA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    options = {
        "bucket_name": bucket,
        # Empty means boto3's own lookup (AWS_ACCESS_KEY_ID etc., instance roles).
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "location": os.environ.get("AWS_LOCATION", ""),
        # Evidence is never overwritten: a name taken gets another one, as on a disk.
        "file_overwrite": False,
        # Private objects; downloads go through the app, which checks access and logs them.
        "default_acl": None,
        "querystring_auth": True,
        "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def task_backend() -> str:
    """TASKS_BACKEND: "db" (the database queue, default), "rq" (Redis), or the dotted path of
    any backend class; the dotted path either way."""
    name = os.environ.get("TASKS_BACKEND", "").strip() or "db"
    if "." not in name and name not in TASK_BACKENDS:
        raise ImproperlyConfigured(
            f"TASKS_BACKEND={name!r} is not a task backend Pakta knows. Accepted: "
            f"{', '.join(TASK_BACKENDS)}, or the dotted path of a backend class.")
    return TASK_BACKENDS.get(name, name)


def tasks_redis_url() -> str:
    """The Redis of TASKS_BACKEND=rq."""
    url = os.environ.get("TASKS_REDIS_URL") or os.environ.get("REDIS_URL", "")
    if not url:
        raise ImproperlyConfigured(
            "TASKS_BACKEND=rq needs TASKS_REDIS_URL (or REDIS_URL), e.g. "
            "redis://127.0.0.1:6379/0.")
    return url

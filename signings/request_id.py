"""One id per request, in the response header, on every log line and on the 500 page.

A person who sees the error page quotes the id; the operator finds the traceback on stderr
with it. An id sent by a reverse proxy (`X-Request-ID`) is kept so its logs and ours line up,
but only when it is a short token: a header is attacker-controlled text going into log lines.

Imported by the logging configuration (before the apps load): no models here.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
_SAFE = re.compile(r"[A-Za-z0-9._-]{8,64}")
_current: ContextVar[str | None] = ContextVar("pakta_request_id", default=None)


def choose(incoming: str | None) -> str:
    """The proxy's id when it is a safe token, else a new one."""
    if incoming and _SAFE.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def current() -> str | None:
    return _current.get()


def bind(request_id: str):
    """Make `request_id` the current one; pass the result to `unbind` when the request ends."""
    return _current.set(request_id)


def unbind(token) -> None:
    _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `record.request_id` ("-" outside a request) so formats can print `%(request_id)s`.

    Django logs a 4xx/5xx answer ("Not Found: /x/") after the middleware chain has returned,
    outside the context variable; those records carry the request itself (`extra`).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or current() or "-"
        return True

"""The only way WeasyPrint may load anything: our own static files and inline data: URLs.

Static files live under a virtual origin (``STATIC_ORIGIN``, a reserved ``.invalid`` host that
never resolves) so that relative URLs inside stylesheets (fonts.css -> *.ttf) join normally.
Everything else -- file:, other http(s) hosts, ftp:, unknown schemes -- is refused and noted, so a
hostile name such as ``<img src=file:///etc/passwd>`` (escaped anyway) can never read a file or
reach the network even if it somehow became markup.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import posixpath
import threading
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_ORIGIN = "https://static.pakta.invalid/static/"
# Large enough for a signature PNG or a paper scan, small enough to bound memory per resource.
MAX_DATA_URL_BYTES = 8 * 1024 * 1024
MAX_NOTED = 1000


class RefusedURLError(ValueError):
    """WeasyPrint catches it, logs a warning and renders without the resource."""


class SafeURLFetcher(URLFetcher):
    def __init__(self) -> None:
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self._lock = threading.Lock()
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return self._data(url)
        if url.startswith(STATIC_ORIGIN):
            return self._static(url)
        self._refuse(url)
        raise AssertionError("unreachable")  # pragma: no cover

    def _refuse(self, url: str) -> None:
        with self._lock:
            # The shared fetcher lives as long as the worker: keep only recent refusals.
            del self.refused[:-MAX_NOTED]
            self.refused.append(url[:200])
        raise RefusedURLError(f"Refused to fetch {url[:200]!r}: only static files and data: URLs.")

    def _static(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        relative = unquote(parts.path[len(urlsplit(STATIC_ORIGIN).path):])
        normalised = posixpath.normpath(relative)
        if (
            not relative
            or "\\" in relative
            or "\x00" in relative
            or normalised.startswith(("..", "/"))
            or normalised != relative.rstrip("/")
        ):
            self._refuse(url)
        # The finders only look inside STATICFILES_DIRS and app static folders, and refuse
        # paths that escape them.
        found = finders.find(normalised)
        if not found:
            self._refuse(url)
        with self._lock:
            del self.served[:-MAX_NOTED]
            self.served.append(normalised)
        with open(found, "rb") as handle:
            body = handle.read()
        content_type = mimetypes.guess_type(normalised)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def _data(self, url: str) -> URLFetcherResponse:
        header, sep, payload = url[5:].partition(",")
        if not sep:
            self._refuse(url)
        is_base64 = header.endswith(";base64")
        media_type = (header.removesuffix(";base64").split(";")[0] or "text/plain").lower()
        if len(payload) > MAX_DATA_URL_BYTES * 4 // 3 + 8:
            self._refuse(url[:60])
        try:
            body = base64.b64decode(payload, validate=True) if is_base64 else \
                unquote(payload).encode()
        except (binascii.Error, ValueError):
            self._refuse(url[:60])
        return URLFetcherResponse("data:", body, {"Content-Type": media_type})


def static_url(path: str) -> str:
    return STATIC_ORIGIN + path.lstrip("/")

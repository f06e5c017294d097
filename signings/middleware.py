import logging
import os
import tempfile

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.handlers.wsgi import LimitedStream
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

from signings import request_id, request_limits
from signings.views import errors

logger = logging.getLogger(__name__)


class IndonesianFirstLocaleMiddleware(LocaleMiddleware):
    """Bahasa Indonesia unless the user picked another language in the menu.

    Django's own middleware follows the browser's Accept-Language, which would show English to
    every officer whose browser happens to be set to English; here only the language cookie
    (set by the menu) counts.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RequestIdMiddleware:
    """First in the chain: every response, even a redirect to HTTPS, carries `X-Request-ID`,
    and every log line written while the request runs (the 500 traceback included) names it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id.choose(request.headers.get(request_id.HEADER))
        token = request_id.bind(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id.unbind(token)
        response[request_id.HEADER] = request.request_id
        return response


class PrivateResponseMiddleware:
    """`Cache-Control: no-store` and `X-Robots-Tag: noindex` on every response Django makes.

    Nearly every page carries personal data (names, NIPs, signatures, pacts, roster exports,
    archives), and a browser's disk cache or a shared proxy must keep none of it; the few that
    do not (the login form, the kiosk shell) gain nothing from caching. The public verify pages
    (/v/) show names and signing times to verifiers, never to search engines, and no other page
    belongs in an index either. Static files are served by whitenoise before this middleware and
    keep their long cache lifetimes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        return response


class RequestSizeLimitMiddleware:
    """Refuses a request body larger than its URL accepts, before anything reads it.

    Placed before CSRF: CsrfViewMiddleware reads `request.POST` for the token, which spools a
    multipart body to disk, so a check in the view comes after the whole upload has arrived.
    Here a declared `Content-Length` over the limit answers 413 at once, with nothing read. A
    body sent without a length (chunked) is read here, at most one byte past the limit and
    spooled to disk, so memory stays flat whatever arrives; Django then parses that copy.
    The limits: `signings/request_limits.py`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = _declared_length(request.META)
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        stream = request.META.get("wsgi.input")
        if not declared and not (chunked and stream is not None):
            return self.get_response(request)
        limit = request_limits.limit_for(request.path_info)
        if declared:
            if declared > limit.max_bytes:
                return too_large(request, limit, size=declared)
            return self.get_response(request)
        body = _read_at_most(stream, limit.max_bytes)
        if body is None:
            return too_large(request, limit, size=None)
        with body:
            size = body.seek(0, os.SEEK_END)
            body.seek(0)
            # Django reads a body without a length as empty; hand it the bounded copy instead.
            request.META["CONTENT_LENGTH"] = str(size)
            request._stream = LimitedStream(body, size)
            return self.get_response(request)


def _declared_length(meta) -> int:
    # Django reads an unreadable length as 0 and then reads nothing; so does the guard.
    try:
        return max(int(meta.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


_CHUNK = 64 * 1024
_SPOOL_IN_MEMORY = 512 * 1024


def _read_at_most(stream, max_bytes: int):
    """The body as a file, or None once it passes `max_bytes` (the rest is never read)."""
    body = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)
    total = 0
    while True:
        try:
            chunk = stream.read(min(_CHUNK, max_bytes + 1 - total))
        except Exception as error:
            # A broken chunk or a client gone mid-body; each WSGI server has its own exception.
            body.close()
            raise BadRequest("unreadable request body") from error
        if not chunk:
            return body
        total += len(chunk)
        if total > max_bytes:
            body.close()
            return None
        body.write(chunk)


def too_large(request, limit: request_limits.Limit, *, size: int | None):
    if size is None:
        logger.warning("Refused a chunked body for %s at its limit of %d bytes",
                       request.path, limit.max_bytes)
    else:
        logger.warning("Refused a body of %d bytes for %s unread (limit %d bytes)",
                       size, request.path, limit.max_bytes)
    if limit.api:
        response = JsonResponse(
            {"code": "request.too_large", "message": _("Kiriman terlalu besar."),
             "detail": {"max_bytes": limit.max_bytes}},
            status=413,
        )
    else:
        response = errors.page(request, "request_too_large.html", 413, size=size,
                               max_bytes=limit.max_bytes, back=request.get_full_path())
    return response

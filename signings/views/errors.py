"""The 400, 403 (and failed CSRF check), 404 and 500 pages, in Indonesian; the 413 page of
signings/middleware.py (a body over its URL's limit) renders through `page` too.

They render without the request: no context processors, no session, no database, so a page
shown because the database or a context processor failed cannot fail the same way. The 500
page shows the request id that the traceback on stderr carries (signings/request_id.py).
"""

from __future__ import annotations

import logging

from django.http import HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def page(request, template_name: str, status: int, **context) -> HttpResponse:
    body = loader.get_template(template_name).render(
        {"request_id": getattr(request, "request_id", ""), "status": status, **context})
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    return page(request, "400.html", 400)


def permission_denied(request, exception=None):
    return page(request, "403.html", 403)


def csrf_failure(request, reason: str = ""):
    # Django's reason is for the operator and already logged (django.security.csrf), with the
    # request id; the person gets what to do.
    return page(request, "403.html", 403, csrf=True)


def page_not_found(request, exception=None):
    return page(request, "404.html", 404)


def server_error(request):
    try:
        return page(request, "500.html", 500)
    except Exception:
        # The page itself failed (a missing static manifest entry, a broken template): still
        # answer in Indonesian with the id rather than let the server print its own page.
        logger.exception("The 500 page could not be rendered")
        text = _("Terjadi kesalahan di server. Kode permintaan: %(id)s") % {
            "id": getattr(request, "request_id", "-")}
        return HttpResponse(text, status=500, content_type="text/plain; charset=utf-8")

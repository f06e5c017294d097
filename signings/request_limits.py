"""How large a request body each URL accepts: one table, read before anything reads the body.

`signings.middleware.RequestSizeLimitMiddleware` looks the limit up here, by URL name (or
namespace), and refuses a larger body with 413 before CSRF, form parsing or a view touches it.
Each limit is the largest legitimate request to that URL: the file limit the form checks
(`PAKTA_IMPORT_MAX_BYTES`, ...) plus room for the multipart framing and the other fields, so a
file just over the form's own limit still gets the form's precise message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.urls import Resolver404, resolve

from signings.api.schemas import BATCH_MAX_BYTES
from signings.services.verification import MAX_UPLOAD_BYTES as VERIFY_UPLOAD_MAX_BYTES

KIB = 1024
MIB = 1024 * KIB

# Multipart boundaries, the part headers and the other fields of an upload form.
FORM_ALLOWANCE = 64 * KIB
# Room for the strokes and the other fields next to the largest signature image as base64.
STROKES_ALLOWANCE = 512 * KIB
# Every URL not in the table: forms of text (the largest, a pasted list of NIPs, has its own row).
DEFAULT_MAX_BYTES = 1 * MIB
# The kiosk API calls other than a submission: a pairing code, a birth date, a few ids.
API_MAX_BYTES = 64 * KIB
# A pact template is a page of text; a hundred pages is still a mistake, not a template.
TEMPLATE_MAX_BYTES = 256 * KIB


def max_submission_bytes() -> int:
    """A signature submission: the largest accepted PNG as base64 plus its strokes and fields."""
    return settings.PAKTA_SIGNATURE_MAX_BYTES * 4 // 3 + STROKES_ALLOWANCE


@dataclass(frozen=True)
class Limit:
    max_bytes: int
    api: bool = False  # answer as the kiosk API does: JSON {code, message, detail}


# Read on every request, not at import, so a setting changed by the environment or a test counts.
BY_URL_NAME: dict[str, Callable[[], int]] = {
    "hr:import_upload": lambda: settings.PAKTA_IMPORT_MAX_BYTES + FORM_ALLOWANCE,
    "hr:record_paper": lambda: settings.PAKTA_PAPER_SCAN_MAX_BYTES + FORM_ALLOWANCE,
    "hr:record_sign": max_submission_bytes,
    "hr:record_representative": max_submission_bytes,
    "hr:template_create": lambda: TEMPLATE_MAX_BYTES,
    "hr:template_edit": lambda: TEMPLATE_MAX_BYTES,
    "hr:event_expected": lambda: settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
    "verify:signature": lambda: VERIFY_UPLOAD_MAX_BYTES + FORM_ALLOWANCE,
    "kiosk:api:submit": max_submission_bytes,
    # Up to BATCH_MAX_ITEMS submissions in one body (the outbox flush).
    "kiosk:api:submit_batch": lambda: BATCH_MAX_BYTES,
}
BY_NAMESPACE: dict[str, Callable[[], int]] = {
    "kiosk:api": lambda: API_MAX_BYTES,
}
API_NAMESPACES = ("kiosk:api",)
API_PATH_PREFIX = "/api/"


def limit_for(path_info: str) -> Limit:
    """The limit of the URL at `path_info`; an unknown path gets the default (it will be a 404,
    but its body is refused first all the same)."""
    try:
        match = resolve(path_info)
    except Resolver404:
        return Limit(DEFAULT_MAX_BYTES, api=path_info.startswith(API_PATH_PREFIX))
    namespace = match.namespace
    api = any(namespace == ns or namespace.startswith(ns + ":") for ns in API_NAMESPACES)
    size = BY_URL_NAME.get(match.view_name) or BY_NAMESPACE.get(namespace)
    return Limit(size() if size is not None else DEFAULT_MAX_BYTES, api=api)

"""The kiosk JSON API: pairing, roster, status, submitting signatures.

Tablets authenticate with `Authorization: Device <token>`; no user session is involved. Every
refusal is JSON `{"code", "message", "detail"}` with a stable code, so the tablet's outbox can
tell a final refusal (drop it, tell the operator) from a reason to retry later.
"""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from ninja import NinjaAPI, Status
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyHeader
from pydantic import ValidationError as PydanticValidationError

from signings import clock, text
from signings.api.parser import BadNumberError, FiniteJsonParser
from signings.api.schemas import (
    BATCH_MAX_ITEMS,
    BatchIn,
    BatchOut,
    ErrorOut,
    IdentityAttemptIn,
    IdentityAttemptOut,
    IdentityCheckIn,
    IdentityCheckOut,
    PairIn,
    PairOut,
    RosterOut,
    StatusOut,
    SubmissionIn,
    SubmissionOut,
)
from signings.errors import PaktaError
from signings.models import Agency, Employee, KioskDevice, SignatureMethod, SigningEvent
from signings.pdf import pact_text
from signings.services import identity_checks, kiosk, signatures
from signings.services.context import AuditContext
from signings.services.signatures import SigningError
from signings.signature_image import decode_data_url


class DeviceRequest(HttpRequest):
    """For the type checker: a request DeviceAuth let through, with the paired tablet on
    `auth` (ninja sets it). Real requests are plain HttpRequests."""

    auth: KioskDevice


class DeviceAuth(APIKeyHeader):
    """`Authorization: Device <token>`. Also notes the tablet's last contact, its outbox size
    (`X-Kiosk-Pending`) and its clock (`X-Kiosk-Clock`, ISO 8601)."""

    param_name = "Authorization"

    def _get_key(self, request: HttpRequest) -> str | None:
        value = request.headers.get("Authorization", "")
        scheme, _sep, token = value.partition(" ")
        if scheme.lower() != kiosk.TOKEN_SCHEME.lower() or not token.strip():
            return None
        return token.strip()

    def authenticate(self, request: HttpRequest, key: str | None) -> KioskDevice | None:
        if key is None:
            return None
        device = kiosk.authenticate(key)
        pending = request.headers.get("X-Kiosk-Pending", "")
        now = timezone.now()
        # Both headers come from the tablet as they are: a count that is no ASCII number, or a
        # clock that names no real moment, is ignored rather than failing every request.
        kiosk.touch(
            device,
            pending=int(pending) if _PENDING.fullmatch(pending) else None,
            clock_offset=clock.header_offset(request.headers.get("X-Kiosk-Clock", ""), now),
            now=now,
        )
        return device


_PENDING = re.compile(r"[0-9]{1,6}")


api = NinjaAPI(
    title="Pakta kiosk API",
    version="1",
    description=(
        "Tablets pair once with a code from the HR officer, then work with a device token: "
        "`Authorization: Device <token>`. Submissions are idempotent by `submission_id`."
    ),
    urls_namespace="kiosk:api",
    auth=DeviceAuth(),
    # The interactive docs page loads Swagger UI from a CDN; Pakta serves no third-party
    # scripts, so only the schema itself is published.
    docs_url=None,
    parser=FiniteJsonParser(),
)


def error(request: HttpRequest, code: str, message: str | Promise, *, status: int,
          detail: dict[str, Any] | None = None) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": str(message), "detail": detail}, status=status
    )


@api.exception_handler(PaktaError)
def _refused(request: HttpRequest, exc: PaktaError) -> HttpResponse:
    return error(request, exc.code, exc.message, status=exc.status, detail=exc.detail)


@api.exception_handler(AuthenticationError)
def _no_credentials(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(request, "device.unknown",
                 _("Tablet ini belum dipasang. Masukkan kode pemasangan dari petugas."),
                 status=401)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _refused(request, _validation_refusal(exc.errors))


def _validation_refusal(errors: list[dict[str, Any]]) -> PaktaError:
    """A body (or a batch item) that does not match its schema."""
    # A hidden character gets its own code and a sentence naming the field; the tablet shows
    # it to the officer like any final refusal.
    text_errors = [e for e in errors if e.get("type") == "text.forbidden_character"]
    # Pydantic refuses a lone surrogate ("\ud800" in the JSON) before our check sees it.
    broken = [e for e in errors if e.get("type") == "string_unicode"]
    if text_errors or broken:
        message = (text_errors[0]["msg"] if text_errors
                   else text.message(broken[0]["loc"][-1], "\ud800"))
        return PaktaError("text.forbidden_character", message, status=422,
                          detail={"errors": _plain(text_errors or broken)})
    return PaktaError("request.invalid", _("Data kiriman tidak sah."), status=422,
                      detail={"errors": _plain(errors)})


def _plain(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The validation errors without the offending input: echoing a hidden character (or a
    whole image) back helps nobody."""
    return [{key: value for key, value in e.items() if key != "input"} for e in errors]


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, BadNumberError):
        return error(request, "request.bad_number",
                     _("Data kiriman berisi angka yang tidak sah (NaN, Infinity, atau terlalu "
                       "besar)."), status=422, detail={"number": str(exc.__cause__)})
    # Ninja's own refusals (an unparseable body, mostly), in the same shape as ours.
    return error(request, "request.invalid", _("Data kiriman tidak sah."),
                 status=exc.status_code, detail={"reason": str(exc)})


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Bodies over the URL's limit never get here (signings/request_limits.py refuses them
    # unread); this is Django's own DATA_UPLOAD_MAX_MEMORY_SIZE, when set lower.
    return error(request, "request.too_large", _("Kiriman terlalu besar."), status=413)


# What any endpoint taking a JSON body may answer before its own logic runs: the parser's 400
# (not JSON at all), Django's 413 (over DATA_UPLOAD_MAX_MEMORY_SIZE) and 422 (not the schema).
# Listed in the schema so that a client generated from it knows these answers too.
BODY_REFUSALS: dict[int, type[ErrorOut]] = {400: ErrorOut, 413: ErrorOut, 422: ErrorOut}


def event_out(event: SigningEvent) -> dict[str, Any]:
    version = event.template_version
    agency = Agency.objects.only("name", "city", "timezone").get(pk=event.agency_id)
    return {
        "id": event.pk,
        "title": event.title,
        "date": event.date,
        "venue": event.venue,
        "agency": agency.name,
        "city": agency.city,
        "status": event.status,
        "identity_check": event.identity_check,
        "enforce_signing_order": event.enforce_signing_order,
        "kiosk_idle_seconds": event.kiosk_idle_seconds,
        "timezone": agency.timezone,
        "template": {"hash": version.content_hash, **version.content()},
        "pact_html": pact_text.render_blank(version),
    }


def status_out(device: KioskDevice) -> dict[str, Any]:
    event = device.event
    return {
        "server_time": timezone.now(),
        "event_status": event.status,
        "template_hash": event.template_version.content_hash,
        "device": {"id": device.pk, "name": device.name},
        "expected_count": event.expected.count(),
        "signed": kiosk.signed_list(event),
        "awaited": [
            {"id": e.pk, "name": e.display_name, "position": e.position}
            for e in kiosk.awaited_signers(event)
        ],
        "locked": identity_checks.locked_ids(event),
    }


@api.post("/pair", auth=None, response={200: PairOut, 409: ErrorOut, **BODY_REFUSALS},
          url_name="pair", summary="Pair a tablet with a one-time code")
def pair(request: HttpRequest, payload: PairIn) -> dict[str, Any]:
    device, token = kiosk.pair_device(
        code=payload.code,
        user_agent=payload.user_agent or request.headers.get("User-Agent", ""),
        context=AuditContext.from_request(request),
    )
    return {"token": token, "device": {"id": device.pk, "name": device.name},
            "event": event_out(device.event)}


@api.get("/roster", response={200: RosterOut, 401: ErrorOut, 403: ErrorOut},
         url_name="roster", summary="Event, pact text and expected signers, for offline use")
@decorate_view(gzip_page)
def roster(request: DeviceRequest) -> dict[str, Any]:
    device = request.auth
    return {
        "event": event_out(device.event),
        "kdf": identity_checks.kdf(),
        "employees": kiosk.roster(device.event),
        "status": status_out(device),
    }


@api.get("/status", response={200: StatusOut, 401: ErrorOut, 403: ErrorOut},
         url_name="status", summary="Event status and who has signed (polled by tablets)")
@decorate_view(gzip_page)
def status(request: DeviceRequest) -> dict[str, Any]:
    return status_out(request.auth)


def _expected(device: KioskDevice, employee_id: int) -> Employee:
    employee = (Employee.objects.filter(pk=employee_id, expected_at__event=device.event)
                .select_related("agency").first())
    if employee is None:
        raise SigningError("employee.not_expected",
                           _("Pegawai ini tidak terdaftar sebagai peserta acara ini."))
    return employee


@api.post("/identity", response={200: IdentityCheckOut, 401: ErrorOut, 403: ErrorOut,
                                 423: ErrorOut, **BODY_REFUSALS},
          url_name="identity", summary="Check a typed birth date (tablets without a verifier)")
def identity(request: DeviceRequest, payload: IdentityCheckIn) -> dict[str, Any]:
    """For a roster entry without an offline verifier. A wrong date counts towards the lock
    here, on the server; a locked person gets 423 `identity.locked`.

    Answers only for people expected at the device's event; the signature is checked again
    when it is submitted.
    """
    device = request.auth
    employee = _expected(device, payload.employee_id)
    identity_checks.check_not_locked(device.event, employee)
    if employee.birth_date is None or employee.birth_date == payload.birth_date:
        return {"match": True, "locked": False,
                "attempts": identity_checks.wrong_attempts(device.event, employee)}
    lock = identity_checks.record_wrong_attempts(
        event=device.event, employee=employee,
        report=identity_checks.WrongDates(attempt_id=uuid.uuid4()),
        context=AuditContext.from_request(request, device=device),
    )
    return {"match": False, "locked": lock.is_locked, "attempts": lock.attempts}


@api.post("/identity-attempts", response={200: IdentityAttemptOut, 401: ErrorOut,
                                          403: ErrorOut, **BODY_REFUSALS},
          url_name="identity_attempts",
          summary="Report wrong birth dates the tablet checked itself (idempotent by attempt_id)")
def identity_attempts(request: DeviceRequest,
                      payload: IdentityAttemptIn) -> dict[str, Any]:
    """Sent through the outbox when a person is locked on the tablet after wrong dates; the
    server then locks them on every tablet (`locked` in /status) until an officer unlocks."""
    device = request.auth
    employee = _expected(device, payload.employee_id)
    lock = identity_checks.record_wrong_attempts(
        event=device.event, employee=employee,
        report=identity_checks.WrongDates(
            attempt_id=payload.attempt_id, wrong=payload.wrong,
            client_at=payload.client_at.value if payload.client_at else None,
            client_at_raw=payload.client_at.raw if payload.client_at else None),
        context=AuditContext.from_request(request, device=device),
    )
    return {"employee_id": employee.pk, "attempts": lock.attempts, "locked": lock.is_locked,
            "received_at": timezone.now()}


def _record(payload: SubmissionIn, *, device: KioskDevice,
            context: AuditContext) -> tuple[int, dict[str, Any]]:
    """Steps 5 onwards of docs/signing.md for one submission, the same for /signatures and
    each item of a batch: (status, body) as /signatures answers; a refusal raises."""
    if not payload.agreed:
        raise SigningError("agreement.missing",
                           _("Penanda tangan belum menyatakan setuju dengan isi pakta."),
                           status=422)
    times = {"client_signed_at": payload.client_signed_at,
             "client_sent_at": payload.client_sent_at, "consent_at": payload.consent_at}
    if any(moment is not None and moment.naive for moment in times.values()):
        raise SigningError("request.naive_time",
                           _("Waktu dari tablet harus menyertakan zona waktu."), status=422)
    employee = signatures.signer(payload.employee_id)
    image = decode_data_url(payload.image)
    result = signatures.record_signature(
        event=device.event,
        employee=employee,
        submission=signatures.Submission(
            method=SignatureMethod.TABLET,
            image_png=image,
            strokes=[list(map(list, stroke)) for stroke in payload.strokes],
            template_hash=payload.template_hash,
            submission_id=payload.submission_id,
            client_signed_at=payload.client_signed_at.value,
            client_sent_at=payload.client_sent_at.value if payload.client_sent_at else None,
            birth_date_claim=payload.birth_date,
            consent_hash=payload.consent_hash,
            consent_at=payload.consent_at.value if payload.consent_at else None,
            raw_times={name: moment.raw for name, moment in times.items() if moment},
            identity_method=payload.identity_method,
            identity_wrong_attempts=payload.identity_wrong_attempts,
        ),
        context=context,
    )
    signature = result.signature
    body = {
        "status": "recorded" if result.created else "duplicate",
        "submission_id": signature.submission_id,
        "employee_id": signature.employee_id,
        "verification_code": signature.verification_code,
        "signed_at": signature.signed_at,
        "received_at": signature.received_at,
        "clock_suspect": signature.clock_suspect,
    }
    return (201 if result.created else 200), body


@api.post(
    "/signatures",
    response={200: SubmissionOut, 201: SubmissionOut, 401: ErrorOut, 403: ErrorOut,
              409: ErrorOut, 423: ErrorOut, **BODY_REFUSALS},
    url_name="submit",
    summary="Submit one signature from the outbox (idempotent by submission_id)",
)
def submit(request: DeviceRequest, payload: SubmissionIn) -> Status[dict[str, Any]]:
    device = request.auth
    status, body = _record(payload, device=device,
                           context=AuditContext.from_request(request, device=device))
    return Status(status, body)


# --- the outbox flush in one request -------------------------------------------------------


def _parse_item(item: object) -> SubmissionIn:
    """Step 4 for one item: what /signatures would have refused as its body."""
    try:
        return SubmissionIn.model_validate(item)
    except PydanticValidationError as exc:
        raise _validation_refusal(
            [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
             for e in exc.errors(include_url=False)]
        ) from None


def _claimed_id(item: object) -> uuid.UUID | None:
    """The submission_id an item carries, for the tablet to match the answer, if it is one."""
    value = item.get("submission_id") if isinstance(item, dict) else None
    try:
        return uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _sent_on_arrival(submission: SubmissionIn, waited: datetime.timedelta) -> SubmissionIn:
    """The item as if it had been received when the batch arrived: its `client_sent_at` moved
    on by the time it waited behind the items before it, which is no clock skew. A reading the
    tablet's clock got wrong (no real moment, far out of bounds) stays as it was sent."""
    sent = submission.client_sent_at
    if sent is None or not sent.storable or sent.value is None:
        return submission
    return submission.model_copy(
        update={"client_sent_at": clock.ClientTime(raw=sent.raw, value=sent.value + waited)})


@api.post(
    "/signatures/batch",
    response={200: BatchOut, 401: ErrorOut, 403: ErrorOut, **BODY_REFUSALS},
    url_name="submit_batch",
    summary=f"Submit up to {BATCH_MAX_ITEMS} signatures from the outbox in one request; "
            "each is answered as /signatures would answer it alone",
)
def submit_batch(request: DeviceRequest, payload: BatchIn) -> Status[dict[str, Any]]:
    """The tablet flushes its outbox here when more than one signature waits.

    The device is authenticated once (DeviceAuth); then each item goes through the same checks,
    in the same order, as a request to /signatures, and through record_signature in its own
    transaction: a refused item undoes nothing of the others, a resent one is a duplicate. The
    answer is 200 with one result per item (the status and JSON /signatures would have given);
    the batch as a whole is refused only when it is too large or the tablet is not allowed.
    """
    items = payload.items
    if len(items) > BATCH_MAX_ITEMS:
        raise kiosk.KioskError(
            "batch.too_many",
            _("Terlalu banyak tanda tangan dalam satu kiriman (paling banyak %(n)d).")
            % {"n": BATCH_MAX_ITEMS},
            status=413, detail={"max_items": BATCH_MAX_ITEMS, "items": len(items)})
    arrived = timezone.now()
    device = request.auth
    context = AuditContext.from_request(request, device=device)
    results = []
    for item in items:
        try:
            submission = _sent_on_arrival(_parse_item(item), timezone.now() - arrived)
            status, body = _record(submission, device=device, context=context)
        except PaktaError as exc:
            status, body = exc.status, exc.as_json()
        results.append({"submission_id": _claimed_id(item), "http_status": status,
                        "body": body})
    return Status(200, {"results": results})

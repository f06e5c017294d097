"""Request and response shapes of the kiosk API (they make its OpenAPI schema)."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any, Literal, get_args, get_origin

from ninja import Field, Schema
from pydantic import (
    FiniteFloat,
    PlainValidator,
    SkipValidation,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from signings import clock, text

MAX_STROKES = 200
MAX_POINTS_PER_STROKE = 2000

# The outbox flush in one request (`kiosk:api:submit_batch`): at most this many signatures, and
# at most this many bytes of body. Twenty drawn signatures are well under 2 MiB; one submission
# at its own limit (about 1.2 MiB) still fits alone. Below Django's DATA_UPLOAD_MAX_MEMORY_SIZE
# (5 MiB), which reading the body enforces. The tablet packs its batches by both (it is told
# them in the app's config) and sends anything larger one by one.
BATCH_MAX_ITEMS = 20
BATCH_MAX_BYTES = 4 * 1024 * 1024

# x, y (canvas pixels), milliseconds since the first point. The parser already refuses NaN
# and infinities (signings/api/parser.py); a Point says so too.
Point = tuple[FiniteFloat, FiniteFloat, FiniteFloat]


def _refuse_forbidden_characters(value: Any, field: str) -> None:
    """Every string in an input, however nested, passes signings.text."""
    if isinstance(value, str):
        char = text.forbidden_character(value)
        if char is not None:
            raise PydanticCustomError("text.forbidden_character", text.message(field, char))
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_forbidden_characters(item, field)
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_forbidden_characters(key, field)
            _refuse_forbidden_characters(item, field)


def _holds_text(annotation: Any) -> bool:
    """Whether a field of this type can hold free text (a Literal cannot: its values are ours)."""
    if annotation is str:
        return True
    if get_origin(annotation) is Literal:
        return False
    return any(_holds_text(arg) for arg in get_args(annotation))


class CleanIn(Schema):
    """A request body: no string in it carries a character signings.text refuses (the API
    answers `text.forbidden_character`, naming the field)."""

    @field_validator("*", mode="after")
    @classmethod
    def _clean_text(cls, value: Any, info: ValidationInfo) -> Any:
        # Only fields that can hold text are walked: the strokes are up to 400,000 points of
        # floats, and walking them would cost a second per request.
        name = info.field_name or ""
        if _holds_text(cls.model_fields[name].annotation):
            _refuse_forbidden_characters(value, name)
        return value


def _tablet_time(value: Any, info: ValidationInfo) -> clock.ClientTime:
    """A tablet's clock reading, read without trusting it: any text shaped like an ISO 8601
    date-time is accepted, real or not (the service decides what it may be used for)."""
    if isinstance(value, clock.ClientTime):
        return value
    if not isinstance(value, str) or not clock.looks_like_time(value):
        raise PydanticCustomError(
            "datetime_from_date_parsing",
            "Input should be an ISO 8601 date-time, e.g. 2024-01-17T08:30:00+07:00",
        )
    _refuse_forbidden_characters(value, info.field_name or "time")
    return clock.read(value)


# In the schema a date-time string; in the code a ClientTime (its text and what it names).
TabletTime = Annotated[
    clock.ClientTime,
    PlainValidator(_tablet_time),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class ErrorOut(Schema):
    code: str = Field(description="Stable machine-readable reason, e.g. signature.already_signed")
    message: str = Field(description="Explanation for people, in the request's language")
    detail: dict | None = None


class PairIn(CleanIn):
    code: str = Field(max_length=40, description="Pairing code shown by the officer")
    user_agent: str = Field("", max_length=300)


class TemplateOut(Schema):
    hash: str = Field(description="content_hash of the template version; sent back on submit")
    title: str
    opening: str
    points: list[str]
    closing: str
    sanctions: str
    legal_basis: list[str]
    election: str


class EventOut(Schema):
    id: int
    title: str
    date: datetime.date
    venue: str
    agency: str
    city: str
    status: Literal["draft", "open", "closed"]
    identity_check: Literal["supervised", "birth_date"]
    enforce_signing_order: bool
    kiosk_idle_seconds: int = Field(description="Return to search after this long untouched")
    timezone: str = Field(description="IANA zone of the agency: the pact's date is its local day")
    template: TemplateOut
    pact_html: str = Field(
        description="templates/pact/_body.html with the signer's details as empty "
        "[data-pact-field] spans; the tablet fills them with text"
    )


class DeviceOut(Schema):
    id: int
    name: str


class PairOut(Schema):
    token: str = Field(description="Device token: send as `Authorization: Device <token>`")
    device: DeviceOut
    event: EventOut


class RosterEntry(Schema):
    id: int
    name: str
    search_name: str
    position: str
    unit: str
    grade: str
    agency: str = Field(description="Full agency name, as printed in the pact")
    identity_label: str = Field(description="NIP, NIK or Nomor pegawai")
    masked: str = Field(description="NIP/NIK with all but the last 4 digits hidden (no "
                              "birth-date digits)")
    digits_tail: str = Field(description="The digits the mask shows")
    birth_check: Literal["scrypt", "server", "none"] = Field(
        description="How the tablet checks the birth date: with birth_verifier, by asking "
                    "/identity (verifier not made yet: reload the roster later), or not at all "
                    "(birth date unknown)"
    )
    birth_salt: str = Field(description="Per-person random salt of the birth-date verifier")
    birth_verifier: str = Field(
        description="hex scrypt(YYYY-MM-DD, birth_salt) with the roster's `kdf` parameters; "
                    "empty when the birth date is unknown"
    )
    rank: int = Field(description="Signing order: 0 head of agency, 2-4 echelon, 9 staff")
    excused: bool = Field(description="Has an attendance note (absent / sign later)")


class SignedOut(Schema):
    employee_id: int
    signed_at: datetime.datetime
    where: str = Field(description="Tablet name, empty for other methods")
    method: str


class AwaitedOut(Schema):
    id: int
    name: str
    position: str


class StatusOut(Schema):
    server_time: datetime.datetime
    event_status: Literal["draft", "open", "closed"]
    template_hash: str
    device: DeviceOut
    expected_count: int
    signed: list[SignedOut]
    awaited: list[AwaitedOut]
    locked: list[int] = Field(
        description="Employees locked after wrong birth dates, until an officer unlocks them"
    )


class KdfOut(Schema):
    name: Literal["scrypt"]
    N: int
    r: int
    p: int
    dkLen: int  # noqa: N815 (the option's name in @noble/hashes, which reads it as is)


class RosterOut(Schema):
    event: EventOut
    kdf: KdfOut = Field(description="Parameters of every birth_verifier in the roster")
    employees: list[RosterEntry]
    status: StatusOut


class SubmissionIn(CleanIn):
    submission_id: uuid.UUID = Field(description="Made by the tablet; a resend reuses it")
    employee_id: int
    image: str = Field(description="data:image/png;base64,… of the drawn signature")
    strokes: Annotated[
        list[Annotated[list[Point], Field(max_length=MAX_POINTS_PER_STROKE)]],
        Field(max_length=MAX_STROKES),
    ] = []
    template_hash: str = Field(max_length=64)
    client_signed_at: TabletTime = Field(description="Tablet clock when the person signed")
    client_sent_at: TabletTime | None = Field(
        None, description="Tablet clock when sending (measures its offset)"
    )
    birth_date: datetime.date | None = Field(
        None, description="Typed by the signer when the event checks identity by birth date"
    )
    agreed: bool = Field(description="The signer ticked the statement of agreement")
    consent_hash: str = Field("", max_length=64,
                              description="sha256 (hex) of the consent statement shown")
    consent_at: TabletTime | None = Field(
        None, description="Tablet clock when the statement was ticked"
    )
    identity_method: Literal["", "birth_date_offline", "birth_date_online"] = Field(
        "", description="How the tablet checked the birth date: its own scrypt or the server"
    )
    identity_wrong_attempts: int = Field(
        0, ge=0, le=3, description="Wrong birth dates the tablet checked itself before the "
                                   "right one (the server adds those it was told of)"
    )


class SubmissionOut(Schema):
    status: Literal["recorded", "duplicate"]
    submission_id: uuid.UUID
    employee_id: int
    verification_code: str
    signed_at: datetime.datetime
    received_at: datetime.datetime
    clock_suspect: bool


class BatchIn(Schema):
    # Each item is checked on its own (SkipValidation keeps it raw here, and the schema still
    # documents it as a SubmissionIn): a malformed item is refused alone, not the batch.
    items: list[SkipValidation[SubmissionIn]] = Field(
        min_length=1,
        description=f"Up to {BATCH_MAX_ITEMS} submissions, in outbox order; each is applied "
                    "as if sent alone to /signatures",
    )


class BatchItemOut(Schema):
    submission_id: uuid.UUID | None = Field(
        description="The item's submission_id, or null when the item did not carry a valid one"
    )
    http_status: int = Field(
        description="The status /signatures would have answered for this item alone"
    )
    body: SubmissionOut | ErrorOut = Field(
        description="What /signatures would have answered for this item alone"
    )


class BatchOut(Schema):
    results: list[BatchItemOut] = Field(description="One per item, in the items' order")


class IdentityCheckIn(CleanIn):
    employee_id: int
    birth_date: datetime.date = Field(description="Typed by the signer")


class IdentityCheckOut(Schema):
    match: bool
    attempts: int = Field(description="Wrong birth dates counted for this person")
    locked: bool


class IdentityAttemptIn(CleanIn):
    attempt_id: uuid.UUID = Field(description="Made by the tablet; a resend reuses it")
    employee_id: int
    wrong: int = Field(ge=1, le=3, description="Wrong birth dates the tablet checked itself")
    client_at: TabletTime | None = None


class IdentityAttemptOut(Schema):
    employee_id: int
    attempts: int
    locked: bool
    received_at: datetime.datetime

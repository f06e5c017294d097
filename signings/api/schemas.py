"""Request and response shapes of the kiosk API (they make its OpenAPI schema)."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Literal

from ninja import Field, Schema

MAX_STROKES = 200
MAX_POINTS_PER_STROKE = 2000

Point = tuple[float, float, float]  # x, y (canvas pixels), milliseconds since the first point


class ErrorOut(Schema):
    code: str = Field(description="Stable machine-readable reason, e.g. signature.already_signed")
    message: str = Field(description="Explanation for people, in the request's language")
    detail: dict | None = None


class PairIn(Schema):
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
    masked: str = Field(description="NIP/NIK with the middle digits hidden")
    digits_head: str
    digits_tail: str
    number_hash: str = Field(description="sha256(salt:n:NIP or NIK)[:24], for a fully typed number")
    birth_hash: str = Field(
        description="sha256(salt:id:YYYY-MM-DD)[:24]; empty when the birth date is unknown"
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


class RosterOut(Schema):
    event: EventOut
    check_salt: str
    employees: list[RosterEntry]
    status: StatusOut


class SubmissionIn(Schema):
    submission_id: uuid.UUID = Field(description="Made by the tablet; a resend reuses it")
    employee_id: int
    image: str = Field(description="data:image/png;base64,… of the drawn signature")
    strokes: Annotated[
        list[Annotated[list[Point], Field(max_length=MAX_POINTS_PER_STROKE)]],
        Field(max_length=MAX_STROKES),
    ] = []
    template_hash: str = Field(max_length=64)
    client_signed_at: datetime.datetime = Field(description="Tablet clock when the person signed")
    client_sent_at: datetime.datetime | None = Field(
        None, description="Tablet clock when sending (measures its offset)"
    )
    birth_date: datetime.date | None = Field(
        None, description="Typed by the signer when the event checks identity by birth date"
    )
    agreed: bool = Field(description="The signer ticked the statement of agreement")


class SubmissionOut(Schema):
    status: Literal["recorded", "duplicate"]
    submission_id: uuid.UUID
    employee_id: int
    verification_code: str
    signed_at: datetime.datetime
    received_at: datetime.datetime
    clock_suspect: bool


class IdentityCheckIn(Schema):
    employee_id: int
    birth_date: datetime.date = Field(description="Typed by the signer")


class IdentityCheckOut(Schema):
    match: bool

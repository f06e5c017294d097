"""Small builders for test data: valid identities without repeating NIP arithmetic in tests."""

from __future__ import annotations

import datetime
import io
import itertools
import math
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from PIL import Image, ImageDraw

from signings.models import (
    Agency,
    Echelon,
    Employee,
    EmployeeCategory,
    EventStatus,
    ExpectedSigner,
    PactTemplate,
    PactTemplateVersion,
    Role,
    Signature,
    SignatureMethod,
    SigningEvent,
)
from signings.services import events, roles, signatures
from signings.services.context import AuditContext

_sequence = itertools.count(1)
PASSWORD = "x-Strong-pass-1"


def user(username: str, *, role: str | None = None, agency: Agency | None = None):
    account = get_user_model().objects.create_user(username, f"{username}@example.org", PASSWORD)
    if role and agency:
        roles.grant_role(user=account, role=role, agency=agency,
                         context=AuditContext.system("tests"))
    return account


def pns_nip(seq: int | None = None, *, sex: int = 1, birth: str = "19800101",
            appointed: str = "200501") -> str:
    seq = seq if seq is not None else next(_sequence)
    return f"{birth}{appointed}{sex}{seq % 1000 or 1:03d}"


def _unused_nip(seq: int) -> str:
    """A valid PNS NIP no employee has yet (tests also pick NIPs of their own)."""
    while True:
        # The three-digit sequence runs 001..999; the birth date (1970-1986, so the default
        # 2005 appointment is past 18) moves on every 999.
        block = seq // 999
        nip = pns_nip(seq % 999 + 1, birth=f"19{70 + block // 12 % 17}{1 + block % 12:02d}15")
        if not Employee.objects.filter(nip=nip).exists():
            return nip
        seq += 1


def employee(agency: Agency, *, name: str | None = None, category=EmployeeCategory.PNS,
             echelon=Echelon.NONE, **fields) -> Employee:
    seq = next(_sequence)
    data = {
        "name": name or f"Pegawai {seq}",
        "category": category,
        "position": "Analis Kebijakan",
        "echelon": echelon,
        "agency": agency,
    }
    if category == EmployeeCategory.PNS:
        data["nip"] = _unused_nip(seq)
        data["grade"] = "III/a"
    elif category == EmployeeCategory.PPPK:
        data["nip"] = f"19900215202121{1}{seq % 1000 or 1:03d}"
    else:
        data["nik"] = f"620201{15 + seq // 10000 % 10:02d}0890{seq % 10000 or 1:04d}"
    data.update(fields)
    obj = Employee(**data)
    obj.full_clean()
    obj.save()
    return obj


def template_version(agency: Agency, *, name: str = "Pakta Integritas Pemilu 2024",
                     **fields) -> PactTemplateVersion:
    template, _ = PactTemplate.objects.get_or_create(agency=agency, name=name)
    number = template.versions.count() + 1
    data = {
        "title": "PAKTA INTEGRITAS NETRALITAS ASN",
        "opening": "Saya yang bertanda tangan di bawah ini:",
        "points": ["Menjaga netralitas.", "Menolak politik uang."],
        "closing": "Demikian pakta integritas ini saya buat.",
        "sanctions": "Apabila melanggar, saya bersedia menerima sanksi.",
        "legal_basis": ["UU 20/2023 tentang ASN"],
        "election": "Pemilu 2024",
    }
    data.update(fields)
    return PactTemplateVersion.objects.create(template=template, number=number, **data)


_new_template_version = template_version  # `event()` takes a parameter of the same name


def signature_png(width: int = 600, height: int = 200) -> bytes:
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [(30 + i * 6, height / 2 + 40 * math.sin(i / 5)) for i in range(80)]
    draw.line(points, fill=(10, 10, 80, 255), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def event(agency: Agency, *, officer=None, status: str = EventStatus.OPEN,
          expected: Iterable[Employee] | None = None,
          template_version: PactTemplateVersion | None = None,
          title: str = "Apel Pakta Integritas", date: datetime.date = datetime.date(2024, 1, 17),
          venue: str = "Halaman Kantor", **fields) -> SigningEvent:
    """An event built through the real services (audit entries and status history included).

    `expected=None` expects the agency's active staff, as the officer's form does; `status` is
    reached by the same transitions an officer makes (draft -> open -> closed).
    """
    officer = officer or user(f"hr{next(_sequence)}", role=Role.HR_OFFICER, agency=agency)
    template_version = template_version or _new_template_version(agency)
    context = AuditContext.for_user(officer)
    created = events.create_event(
        agency=agency,
        details=events.NewEvent(template_version=template_version, title=title, date=date,
                                venue=venue, **fields),
        expected=expected, context=context,
    )
    if status in (EventStatus.OPEN, EventStatus.CLOSED):
        created = events.open_event(event=created, context=context)
    if status == EventStatus.CLOSED:
        created = events.close_event(event=created, context=context)
    return created


def record(event: SigningEvent, employee: Employee, *, officer,
           method: str = SignatureMethod.OFFICER, expect: bool = True,
           **extra) -> signatures.SigningResult:
    """One signature through `record_signature`, with a drawn image unless it is on paper.

    `expect=True` first adds the employee to the expected signers (a newcomer signing);
    `expect=False` leaves the list alone, for tests of who may sign.
    """
    if expect:
        ExpectedSigner.objects.get_or_create(event=event, employee=employee)
    extra.setdefault("image_png",
                     None if method == SignatureMethod.PAPER else signature_png())
    extra.setdefault("template_hash", event.template_version.content_hash)
    return signatures.record_signature(
        event=event, employee=employee,
        submission=signatures.Submission(method=method, **extra),
        context=AuditContext.for_user(officer),
    )


def signature(event: SigningEvent, employee: Employee, *, officer,
              method: str = SignatureMethod.OFFICER, **extra) -> Signature:
    """The recorded Signature (see `record` for the options)."""
    return record(event, employee, officer=officer, method=method, **extra).signature

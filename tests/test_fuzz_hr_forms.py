"""Fuzzing every form of the officer console through its real view, as a logged-in officer.

Each target starts from a request the view accepts and swaps a few fields for odd values:
control characters and bidi overrides, astral and combining characters, huge and negative
numbers, impossible and far-away dates, other agencies' ids, empty and missing fields. The
view must never answer 500; a refusal (the form again, a 4xx, or a redirect with an error
message) must leave every row (audit log included) and every stored file as it was; an
accepted request must store no hidden character (tests/fuzz.py: HIDDEN_CHARACTERS) and leave
pages that still open.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st
from PIL import Image

from signings.models import EventStatus, Role
from signings.services import kiosk
from signings.services.context import AuditContext
from tests import factories
from tests.fuzz import (
    changed,
    database_state,
    date_text,
    error_messages,
    form_value,
    fuzz_settings,
    health_office,
    hidden_characters_stored,
    media_files,
    module_data,
    mutated,
    nasty_text,
    number_text,
    other_regency,
    regency,
    rolled_back,
    upload,
)
from tests.kiosk_support import data_url

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]


def build_world() -> SimpleNamespace:
    """One of everything an officer's form points at, plus another agency's objects."""
    agency = regency("FZ", "Fuzz")
    unit = health_office(agency, "Fuzz")
    other = other_regency("FY")
    officer = factories.user("fuzz_hr", role=Role.HR_OFFICER, agency=agency)
    second_officer = factories.user("fuzz_hr2", role=Role.HR_OFFICER, agency=agency)
    version = factories.template_version(agency)
    people = [factories.employee(unit) for _ in range(3)]
    stranger = factories.employee(other)
    draft = factories.event(agency, officer=officer, template_version=version,
                            status=EventStatus.DRAFT)
    live = factories.event(agency, officer=officer, template_version=version)
    closed = factories.event(agency, officer=officer, template_version=version,
                             status=EventStatus.CLOSED)
    signed = factories.signature(live, people[2], officer=officer)
    device = kiosk.add_device(event=live, name="Tablet 1",
                              context=AuditContext.for_user(officer)).device
    return SimpleNamespace(
        agency=agency, unit=unit, other=other, people=people, stranger=stranger,
        template=version.template, version=version, draft=draft, live=live, closed=closed,
        signed=signed, officer=officer, second_officer=second_officer, device=device,
    )


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz-media")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_dir):
    yield from module_data(django_db_blocker, build_world, MEDIA_ROOT=media_dir)


@pytest.fixture(autouse=True)
def _media_root(settings, media_dir):
    # The module's objects keep their files here (conftest's fixture would give each test
    # its own empty folder).
    settings.MEDIA_ROOT = media_dir


@pytest.fixture
def officer(client, world):
    client.force_login(world.officer)
    return client


# --- odd values per kind of field ------------------------------------------------------------


def ids(*known: int) -> st.SearchStrategy:
    return st.one_of(st.sampled_from(known), number_text, nasty_text)


def ink_png() -> bytes:
    return factories.signature_png()


def _png(width: int, height: int, mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height)).save(out, format="PNG")
    return out.getvalue()


signature_value = st.one_of(
    nasty_text,
    st.sampled_from([
        "data:image/png;base64,", "data:image/png;base64,@@@", "data:image/jpeg;base64,AAAA",
        "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n").decode(),
        data_url(_png(1, 1)), data_url(_png(4000, 10, "L")),
    ]),
    st.binary(max_size=300).map(data_url),
)


def _upload(data: bytes, name: str = "pindaian.pdf"):
    return upload(name, data)


scan_value = st.one_of(
    st.binary(max_size=400),
    st.binary(max_size=300).map(lambda b: b"%PDF-1.7\n" + b),
    st.binary(max_size=300).map(lambda b: b"\x89PNG\r\n\x1a\n" + b),
    st.binary(max_size=300).map(lambda b: b"\xff\xd8\xff\xe0" + b),
    st.sampled_from([b"%PDF-", b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                     b"2 0 obj<</Type/Pages/Count 99999999/Kids[2 0 R]>>endobj\ntrailer"
                     b"<</Root 1 0 R>>\n%%EOF"]),
).map(_upload)

lines_value = st.one_of(
    form_value,
    st.lists(st.one_of(form_value, st.sampled_from(["19800101 200501 1 001", "A-1"])),
             max_size=5).map("\n".join),
)


# --- the targets -----------------------------------------------------------------------------


def redirected(response) -> bool:
    """The usual answer to an accepted form: a redirect without an error message."""
    return response.status_code == 302 and not error_messages(response)


@dataclass(frozen=True)
class Target:
    url: Callable[[SimpleNamespace], str]
    valid: Callable[[SimpleNamespace], dict]
    odd: Callable[[SimpleNamespace], dict] = lambda w: {}
    method: str = "post"
    examples: int = 20
    at_most: int = 3
    accepted: Callable = redirected
    # Requests always tried first (issue 11's findings), as changes to the valid request.
    known: tuple[dict, ...] = ()


def employee_data(w) -> dict:
    return {
        "name": "Budi Santoso", "title_prefix": "Dr.", "title_suffix": "S.E.",
        "category": "PNS", "nip": "19850315 201001 1 002", "nik": "", "staff_number": "",
        "position": "Analis Kebijakan", "grade": "III/a", "echelon": "9",
        "agency": str(w.unit.pk),
    }


def employee_odd(w) -> dict:
    return {
        "agency": ids(w.unit.pk, w.agency.pk, w.other.pk),
        "category": st.one_of(st.sampled_from(["PNS", "PPPK", "HONORER", "KONTRAK", "TKD"]),
                              form_value),
        "nip": st.one_of(st.sampled_from([w.people[0].nip, w.stranger.nip or "",
                                          "199002152021211001", "1985031520100110020"]),
                         form_value),
        "nik": st.one_of(st.sampled_from(["6202011508900001", "0000000000000000"]), form_value),
        "echelon": st.one_of(st.sampled_from(["2", "3", "4", "9", "0"]), number_text),
    }


def template_data(w) -> dict:
    return {
        "agency": str(w.agency.pk), "name": "Pakta Baru", "description": "",
        "title": "PAKTA INTEGRITAS", "election": "Pemilu 2029",
        "opening": "Saya yang bertanda tangan di bawah ini:",
        "points": "Menjaga netralitas.\nMenolak politik uang.",
        "closing": "Demikian pakta ini saya buat.", "sanctions": "", "legal_basis": "UU 20/2023",
    }


def event_data(w) -> dict:
    return {
        "agency": str(w.agency.pk), "template_version": str(w.version.pk),
        "title": "Apel Netralitas", "kind": "apel", "date": "2029-01-17",
        "venue": "Halaman Kantor", "witnesses": "Ketua Bawaslu", "identity_check": "supervised",
        "enforce_signing_order": "on", "kiosk_idle_seconds": "60",
    }


def event_odd(w) -> dict:
    return {
        "agency": ids(w.agency.pk, w.unit.pk, w.other.pk),
        "template_version": ids(w.version.pk),
        "date": date_text,
        "kiosk_idle_seconds": st.one_of(st.sampled_from(["19", "20", "600", "601", ""]),
                                        number_text),
        "witnesses": lines_value,
    }


def filter_data(w) -> dict:
    return {"q": "Budi", "unit": str(w.unit.pk), "category": "PNS", "echelon": "9",
            "active": "1", "sort": "name", "page": "1"}


TARGETS: dict[str, Target] = {
    "employee_create": Target(
        url=lambda w: reverse("hr:employee_create"), valid=employee_data, odd=employee_odd,
        examples=30),
    "employee_edit": Target(
        url=lambda w: reverse("hr:employee_edit", args=[w.people[0].pk]),
        valid=lambda w: {**employee_data(w), "nip": w.people[0].nip}, odd=employee_odd,
        examples=25),
    "employee_set_active": Target(
        url=lambda w: reverse("hr:employee_set_active", args=[w.people[0].pk]),
        valid=lambda w: {"active": "0"}, examples=8),
    "employee_delete": Target(
        url=lambda w: reverse("hr:employee_delete", args=[w.people[0].pk]),
        valid=lambda w: {"confirm": "1"}, examples=8),
    "employee_list": Target(
        url=lambda w: reverse("hr:employees"), valid=filter_data, method="get",
        odd=lambda w: {"unit": ids(w.unit.pk, w.other.pk), "page": number_text}, at_most=4),
    "roster_export": Target(
        url=lambda w: reverse("hr:roster_export", args=["csv"]), valid=filter_data,
        method="get", examples=10),
    "template_create": Target(
        url=lambda w: reverse("hr:template_create"), valid=template_data,
        odd=lambda w: {"agency": ids(w.agency.pk, w.other.pk), "points": lines_value,
                       "legal_basis": lines_value},
        examples=25),
    "template_edit": Target(
        url=lambda w: reverse("hr:template_edit", args=[w.template.pk]),
        valid=lambda w: {k: v for k, v in template_data(w).items() if k != "agency"},
        odd=lambda w: {"points": lines_value, "name": st.one_of(
            form_value, st.just(w.template.name))}),
    "version_preview": Target(
        url=lambda w: reverse("hr:version_preview", args=[w.version.pk]),
        valid=lambda w: {"employee": str(w.people[0].pk)}, method="get", examples=8,
        odd=lambda w: {"employee": ids(w.people[0].pk, w.stranger.pk)}),
    "event_create": Target(
        url=lambda w: reverse("hr:event_create"), valid=event_data, odd=event_odd,
        examples=30),
    "event_edit": Target(
        url=lambda w: reverse("hr:event_edit", args=[w.draft.pk]),
        valid=lambda w: {k: v for k, v in event_data(w).items() if k != "agency"},
        odd=event_odd, examples=25),
    "event_expected": Target(
        url=lambda w: reverse("hr:event_expected", args=[w.draft.pk]),
        valid=lambda w: {"add": w.people[0].nip, "add_unit": str(w.unit.pk),
                         "remove": w.people[1].nip},
        odd=lambda w: {"add": lines_value, "remove": lines_value,
                       "add_unit": ids(w.unit.pk, w.other.pk)}),
    "event_expected_search": Target(
        url=lambda w: reverse("hr:event_expected", args=[w.draft.pk]),
        valid=lambda w: {"q": "Pegawai", "page": "1"}, method="get", examples=10,
        known=({"q": "\x00"},)),
    "event_reopen": Target(
        url=lambda w: reverse("hr:event_transition", args=[w.closed.pk, "buka-kembali"]),
        valid=lambda w: {"reason": "Ada pegawai yang terlewat."}, examples=10),
    "event_live": Target(
        url=lambda w: reverse("hr:event_live", args=[w.live.pk]), valid=lambda w: {"q": "Peg"},
        method="get", examples=10, known=({"q": "\x00"},)),
    "event_live_panel": Target(
        url=lambda w: reverse("hr:event_live_panel", args=[w.live.pk]),
        valid=lambda w: {"q": "Peg"}, method="get", examples=10, known=({"q": "\x00"},)),
    "record_absent": Target(
        url=lambda w: reverse("hr:record_absent", args=[w.live.pk, w.people[0].pk]),
        valid=lambda w: {"reason": "other", "note": "Sedang dinas ke provinsi."},
        odd=lambda w: {"reason": st.one_of(st.sampled_from(
            ["sick", "leave", "duty_travel", "other"]), form_value)}),
    "record_sign": Target(
        url=lambda w: reverse("hr:record_sign", args=[w.live.pk, w.people[0].pk]),
        valid=lambda w: {"signature": data_url(ink_png())},
        odd=lambda w: {"signature": signature_value}),
    "record_paper": Target(
        url=lambda w: reverse("hr:record_paper", args=[w.live.pk, w.people[0].pk]),
        valid=lambda w: {"scan": _upload(ink_png(), "pindaian.png")},
        odd=lambda w: {"scan": st.one_of(scan_value, st.builds(
            _upload, st.just(ink_png()), st.one_of(nasty_text, st.just(".."))))},
        examples=25),
    "record_representative": Target(
        url=lambda w: reverse("hr:record_representative", args=[w.live.pk]),
        valid=lambda w: {"employee": str(w.people[0].pk), "signature": data_url(ink_png()),
                         "represented_group": "Seluruh ASN Dinas Kesehatan",
                         "covers": w.people[1].nip},
        odd=lambda w: {"employee": ids(w.people[0].pk, w.people[2].pk, w.stranger.pk),
                       "signature": signature_value, "covers": lines_value},
        examples=25),
    "signature_void": Target(
        url=lambda w: reverse("hr:signature_void", args=[w.signed.pk]),
        valid=lambda w: {"reason": "Salah orang."}),
    "device_add": Target(
        url=lambda w: reverse("kiosk:device_add", args=[w.live.pk]),
        valid=lambda w: {"name": "Tablet 2 — pintu timur"},
        # Accepted, the page shows the pairing code at once.
        accepted=lambda r: r.status_code == 200 and "kiosk/pairing.html" in [
            t.name for t in r.templates]),
    "device_officer": Target(
        url=lambda w: reverse("kiosk:device_officer", args=[w.live.pk, w.device.pk]),
        valid=lambda w: {"officer": str(w.second_officer.pk)},
        odd=lambda w: {"officer": ids(w.second_officer.pk, w.officer.pk)}, examples=10),
}


def fresh(value):
    """An upload is read once: every example gets its own copy."""
    if isinstance(value, io.BytesIO):
        return upload(value.name, value.getvalue())
    return value


@pytest.mark.parametrize("name", TARGETS)
def test_hr_form_never_500s_and_a_refusal_writes_nothing(officer, world, name):
    target = TARGETS[name]
    url = target.url(world)
    valid = target.valid(world)
    requests = mutated(valid, target.odd(world), at_most=target.at_most)

    @fuzz_settings(target.examples)
    @given(data=requests)
    def run(data):
        data = {key: fresh(value) for key, value in data.items()}
        with rolled_back():
            officer.cookies.pop("messages", None)
            before, files = database_state(), media_files()
            if target.method == "get":
                response = officer.get(url, data)
            else:
                response = officer.post(url, data)
            assert response.status_code < 500
            if target.method == "get" or not target.accepted(response):
                assert changed(before, database_state()) == []
                assert media_files() == files
            else:
                assert hidden_characters_stored() == []
            if response.status_code == 302:
                # What was written (or the page an error message leads to) still opens.
                assert officer.get(response.url).status_code == 200

    for known in target.known:
        run = example(data={**valid, **known})(run)
    run()

"""Fuzzing the public verification page (no login): codes typed in the form or the address,
and uploaded files that look more or less like one of our sealed PDFs.

No answer may be a 500, and a visitor's request never writes anything.
"""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from signings.models import Role
from signings.services import pacts
from signings.services.context import AuditContext
from tests import factories
from tests.fuzz import (
    Blob,
    changed,
    database_state,
    fuzz_settings,
    module_data,
    nasty_text,
    regency,
    rolled_back,
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]


@pytest.fixture(scope="module")
def paths(tmp_path_factory, local_tsa):
    root = tmp_path_factory.mktemp("fuzz-verify")
    return {"MEDIA_ROOT": root / "media", "PAKTA_SEAL_PKCS12": str(root / "seal" / "dev.p12"),
            "PAKTA_DEV_PKI_DIR": str(local_tsa.pki.directory), "PAKTA_TSA_URL": local_tsa.url}


def build_world() -> SimpleNamespace:
    agency = regency("VF", "Verifikasi")
    officer = factories.user("fuzz_verify", role=Role.HR_OFFICER, agency=agency)
    employee = factories.employee(agency, name="Budi Santoso")
    event = factories.event(agency, officer=officer)
    signature = factories.signature(event, employee, officer=officer)
    signature = pacts.render_and_store(signature_id=signature.pk,
                                       context=AuditContext.system("fuzz"))
    return SimpleNamespace(signature=signature, code=signature.verification_code,
                           pdf=signature.pdf.read())


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, paths):
    yield from module_data(django_db_blocker, build_world, **paths)


@pytest.fixture(autouse=True)
def _media_root(settings, paths):
    # The module's sealed pact and its key stay where the module made them.
    for name, value in paths.items():
        setattr(settings, name, value)


def codes(world) -> st.SearchStrategy:
    code = world.code
    return st.one_of(
        nasty_text,
        st.sampled_from([code, code.lower(), f" {code} ", f"{code[:4]}-{code[4:8]}-{code[8:]}",
                         code[:-1], code + "0", "a/b", "../", "%2F", "?", "#", "-", "."]),
        st.text(st.sampled_from(code + "/-. %?#"), max_size=25),
    )


def test_code_lookups_never_500_and_write_nothing(client, world):
    @fuzz_settings(40)
    @given(code=codes(world), in_path=st.booleans())
    @example(code="a/b", in_path=False)  # issue 11: a slash in the typed code
    def run(code, in_path):
        with rolled_back():
            before = database_state()
            if in_path:
                response = client.get("/v/" + quote(code, safe="") + "/")
            else:
                response = client.get(reverse("verify:home"), {"code": code})
                if response.status_code == 302:
                    response = client.get(response.url)
            assert response.status_code in (200, 404), response.status_code
            assert changed(before, database_state()) == []

    run()


@st.composite
def damaged_pdf(draw, original: bytes) -> Blob:
    """Our own sealed pact with a few bytes changed, cut, or spliced: the seal check must say
    "altered" or "unreadable", never fail."""
    data = bytearray(original)
    how = draw(st.sampled_from(["flip", "cut", "splice", "append"]))
    if how == "flip":
        changes = []
        for _ in range(draw(st.integers(1, 4))):
            at = len(data) * draw(st.integers(0, 999)) // 1000
            data[at] = draw(st.integers(0, 255))
            changes.append(f"{at}={data[at]}")
        label = "our pact, bytes set: " + ", ".join(changes)
    elif how == "cut":
        data = data[: len(data) * draw(st.integers(1, 999)) // 1000]
        label = f"our pact cut after {len(data)} bytes"
    elif how == "splice":
        at = len(data) * draw(st.integers(0, 999)) // 1000
        piece = draw(st.one_of(st.binary(min_size=1, max_size=40), st.sampled_from([
            b"endobj", b"/ByteRange [0 1 2 3]", b"<< /Type /Sig >>", b"%%EOF", b"xref\n0 1\n",
            b"trailer << /Root 999 0 R >>", b"stream\n", b"(" * 200])))
        data[at:at] = piece
        label = f"our pact with {piece[:40]!r} inserted at {at}"
    else:
        tail = draw(st.sampled_from([b"\n%%EOF\n", b"1 0 obj << >> endobj\n", b"\x00" * 10]))
        data += tail
        label = f"our pact with {tail!r} appended"
    return Blob(bytes(data), label)


def test_uploads_never_500_and_write_nothing(client, world):
    url = reverse("verify:signature", args=[world.code])
    documents = st.one_of(
        damaged_pdf(world.pdf),
        st.binary(max_size=300).map(lambda b: b"%PDF-1.7\n" + b),
        st.binary(max_size=100),
        st.just(Blob(world.pdf, "our pact as issued")),
    )

    @fuzz_settings(40)
    @given(document=documents, name=st.one_of(st.just("pakta.pdf"), nasty_text))
    def run(document, name):
        with rolled_back():
            before = database_state()
            response = client.post(url, {"document": upload(name, document)})
            # 400: Django's own answer to a multipart body it will not parse (a file name of
            # thousands of characters goes past its header limit).
            assert response.status_code in (200, 400)
            assert changed(before, database_state()) == []

    run()

"""A recap of many signatories is rendered in chunks over worker processes and merged: it must
read like the one-pass recap (every row once, in signing order, numbered on), number its pages
across the whole document, carry the head and the attestation once, and be sealed once."""

import io
import re

import pdfplumber
import pytest
from pypdf import PdfReader

from signings.pdf import recap_chunks, seal
from signings.pdf.recap import recap_context
from signings.services import recaps
from signings.services.context import AuditContext
from tests import factories
from tests.pdf_helpers import pdf_text

pytestmark = pytest.mark.django_db

SIGNERS = 7
PAGE_NUMBER = re.compile(r"Halaman (\d+) dari (\d+)")


@pytest.fixture(scope="module", autouse=True)
def _stop_the_pool():
    yield
    recap_chunks.shutdown_pool()


@pytest.fixture
def big_event(open_event, unit_a, hr_a, settings):
    """Seven signatories in chunks of three: a head chunk, a middle one and a tail chunk."""
    settings.PAKTA_RECAP_CHUNK_ROWS = 3
    for index in range(SIGNERS):
        employee = factories.employee(unit_a, name=f"Penanda Tangan Urutan {index:02d}")
        factories.signature(open_event, employee, officer=hr_a)
    return open_event


def row_numbers_and_names(data: bytes) -> list[tuple[int, str]]:
    """The signers' table read back cell by cell: (No, name) of every row, page after page."""
    rows = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                for cells in table:
                    words = " ".join((cells[1] or "").split())  # a long name wraps
                    name = re.match(r"Penanda Tangan Urutan \d\d", words)
                    if (cells[0] or "").isdigit() and name:
                        rows.append((int(cells[0]), name.group(0)))
    return rows


def test_a_chunked_recap_has_every_row_once_in_order_and_pages_numbered_across_chunks(
        big_event, hr_a):
    stats = recap_chunks.ChunkStats()
    data = recap_chunks.render_chunked(big_event, stats=stats)

    assert (stats.rows, stats.chunks) == (SIGNERS, 3)
    expected = [row["employee"].name for row in recap_context(big_event)["rows"]]
    assert row_numbers_and_names(data) == list(enumerate(expected, start=1))
    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) == stats.pages
    numbers = [PAGE_NUMBER.findall(page.extract_text()) for page in pages]
    assert numbers == [[(str(i), str(len(pages)))] for i in range(1, len(pages) + 1)]
    text = pdf_text(data)
    assert text.count("REKAPITULASI PENANDATANGANAN") == 1  # the head, in the first chunk
    assert text.count("Pengesahan") == 1  # the attestation, in the last


def test_an_issued_chunked_recap_is_sealed_once_and_the_seal_holds(big_event, hr_a):
    issued = recaps.issue_recap(event=big_event, context=AuditContext.for_user(hr_a))

    check = seal.check_seal(issued.data)
    assert check.valid and check.timestamped
    assert len(row_numbers_and_names(issued.data)) == SIGNERS
    assert issued.recap.verification_code in pdf_text(issued.data)


def test_a_recap_under_the_chunk_size_is_rendered_in_one_pass(open_event, hr_a, settings,
                                                               monkeypatch):
    settings.PAKTA_RECAP_CHUNK_ROWS = 500
    factories.signature(open_event, open_event.expected.first().employee, officer=hr_a)
    monkeypatch.setattr(recap_chunks, "render_chunked",
                        lambda *args, **kwargs: pytest.fail("chunked for one signatory"))
    issued = recaps.issue_recap(event=open_event, context=AuditContext.for_user(hr_a))
    assert PAGE_NUMBER.search(pdf_text(issued.data))

"""What is read is what is sealed: the tablet's pact text equals the sealed PDF's, word for word.

For every template the demo ships (signings/demo.py), a paired tablet shows the pact to one
person, the person signs, and the text of the tablet's pact container is compared with the
text extracted from the PDF rendered for that signature. Run with `pytest -m browser`.
"""

from __future__ import annotations

import io
import re

import pdfplumber
import pytest

from signings import demo
from signings.models import EmployeeCategory, Signature
from signings.pdf import pact, pact_text
from tests import factories
from tests.browser.kiosk_pages import agree_and_sign, paired_kiosk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHIPPED = {"pemilu_2024": demo.PEMILU_2024, "pilkada_2024": demo.PILKADA_2024}
FOOTER_PT = 28 / 25.4 * 72  # the bottom page margin of pact.css holds the running footer
ID_TOKEN = "<NOMOR>"


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_body_text(data: bytes) -> str:
    """The PDF's text without the running footer of each page; its line breaks are kept."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = [page.crop((0, 0, page.width, page.height - FOOTER_PT)).extract_text() or ""
                 for page in pdf.pages]
    lines = (re.sub(r"[^\S\n]+", " ", line).strip() for line in "\n".join(pages).split("\n"))
    return "\n".join(line for line in lines if line)


def pact_section(text: str, title: str, place_and_date: str) -> str:
    """From the pact's title to its place-and-date line: the text of templates/pact/_body.html."""
    start = re.search(r"\s+".join(map(re.escape, title.split())), text).start()
    end = re.search(r"\s+".join(map(re.escape, place_and_date.split())), text[start:]).end()
    return text[start:start + end]


def gaps(text: str, blank: str) -> set[int]:
    """Offsets (counted in non-space characters) where `blank` separates two characters."""
    found, count = set(), 0
    for char in text:
        if char == blank:
            found.add(count)
        elif not char.isspace():
            count += 1
    return found


def assert_same_text(read: str, sealed: str) -> None:
    """Equal after whitespace normalisation, where a PDF line break may fall inside a token
    ("perundang-|undangan", "K.|1/09/2022"): the line wrap is layout, not text."""
    assert re.sub(r"\s", "", read) == re.sub(r"\s", "", sealed)
    spaces, in_line, wraps = gaps(read, " "), gaps(sealed, " "), gaps(sealed, "\n")
    assert in_line <= spaces, "a space in the PDF that the tablet does not show"
    assert spaces <= in_line | wraps, "a space on the tablet that the PDF does not print"


@pytest.mark.parametrize("shipped", sorted(SHIPPED))
@pytest.mark.parametrize("category", [EmployeeCategory.PNS, EmployeeCategory.TKD])
def test_tablet_shows_exactly_the_text_the_pdf_seals(
    tablet_context, live_server, agency_a, unit_a, hr_a, shipped, category
):
    content = SHIPPED[shipped]
    version = factories.template_version(agency_a, name=shipped, **content)
    person = factories.employee(unit_a, name="Siti Rahmawati", category=category,
                                title_suffix="S.E.")
    event = factories.event(agency_a, officer=hr_a, template_version=version,
                            title="Apel Pakta Integritas", venue="Halaman Kantor")

    page = paired_kiosk(tablet_context(), live_server, event, hr_a, "Tablet 1")
    page.fill("#search-input", "siti")
    page.click("#results button:has-text('Siti Rahmawati')")
    page.wait_for_selector("#screen-pact:not(.d-none)")
    tablet_text = normalise(page.inner_text("#pact"))
    shown_number = page.inner_text("#pact [data-pact-field=identity_value]").strip()
    page.screenshot(path=f"/tmp/pact-text-{shipped}-{category}.png", full_page=True)

    agree_and_sign(page)
    page.wait_for_function("() => document.querySelector('#pending-state').dataset.pending === '0'",
                           timeout=30000)
    # Leaving the person clears every detail the tablet filled in.
    page.click("#screen-done [data-action=home]")
    page.wait_for_selector("#screen-search:not(.d-none)")
    assert person.name not in page.inner_text("#pact")

    signature = Signature.objects.select_related("event__agency", "employee__agency").get()
    pdf = pact.render_pact(signature)
    with open(f"/tmp/pact-text-{shipped}-{category}.pdf", "wb") as out:
        out.write(pdf)
    pdf_text = pdf_body_text(pdf)
    place_and_date = pact.pact_context(signature)["place_and_date"]
    sealed = pact_section(pdf_text, version.title, place_and_date)

    # The one difference allowed: a shared screen shows the number masked (personal data in
    # front of the queue), the sealed document prints it in full. Both sit in the same slot.
    _label, printed_number = pact_text.identity_for(person)
    assert shown_number
    read = tablet_text.replace(shown_number, ID_TOKEN, 1)
    sealed = sealed.replace(printed_number, ID_TOKEN, 1)
    assert_same_text(read, sealed)
    for line in version.legal_basis:
        assert normalise(line) in read
    assert "Dasar hukum:" in read
    assert normalise(version.closing) in read and normalise(version.sanctions) in read

"""Hostile text renders as text, and WeasyPrint can fetch nothing but our static files."""

import pytest

from signings.pdf import engine
from signings.pdf.fetcher import STATIC_ORIGIN, RefusedURLError, SafeURLFetcher
from signings.pdf.pact import render_pact
from signings.pdf.recap import render_recap
from tests import factories
from tests.pdf_helpers import pdf_text

HOSTILE_NAME = "<img src=file:///etc/passwd>"
HOSTILE_POSITION = "<link href=http://127.0.0.1:9/x rel=stylesheet>"


@pytest.fixture
def hostile_signature(open_event, unit_a, hr_a):
    employee = factories.employee(unit_a, name=HOSTILE_NAME, position=HOSTILE_POSITION)
    return factories.signature(open_event, employee, officer=hr_a)


@pytest.mark.django_db
def test_hostile_names_render_as_text_and_fetch_nothing(hostile_signature):
    fetcher = SafeURLFetcher()
    text = pdf_text(render_pact(hostile_signature, fetcher=fetcher))
    assert HOSTILE_NAME in text.replace("\n", "")
    assert "127.0.0.1:9/x" in text
    assert fetcher.refused == []
    assert not any("passwd" in url or "127.0.0.1" in url for url in fetcher.served)


@pytest.mark.django_db
def test_hostile_names_in_the_recap_render_as_text(hostile_signature, open_event):
    fetcher = SafeURLFetcher()
    text = "".join(pdf_text(render_recap(open_event, fetcher=fetcher)).split())
    # Table cells wrap and interleave in extracted text: look for the pieces.
    assert "<imgsrc=file:///etc/" in text and "passwd>" in text
    assert fetcher.refused == []


HOSTILE_STYLE = ('<style>@font-face { font-family: "Pakta Serif"; src: url(file:///etc/passwd) }'
                 ' html { display: none }</style>')


@pytest.mark.django_db
def test_the_shared_fonts_and_stylesheets_carry_nothing_from_one_render_to_the_next(
        open_event, unit_a, hr_a):
    """One FontConfiguration and one set of parsed stylesheets serve every render of the
    process: a render of hostile text must leave them as they were."""
    plain = factories.signature(open_event, factories.employee(unit_a, name="Siti Aminah"),
                                officer=hr_a)
    hostile = factories.signature(
        open_event, factories.employee(unit_a, name=HOSTILE_STYLE[:150],
                                       position=HOSTILE_POSITION), officer=hr_a)
    before = render_pact(plain)
    sheets, shared = engine.stylesheets("pact"), engine._shared()
    refused = list(shared[1].refused)

    text = pdf_text(render_pact(hostile))

    assert "@font-face" in text.replace("\n", "")  # printed, not applied
    assert engine.stylesheets("pact") is sheets and engine._shared() is shared
    assert shared[1].refused == refused  # the file: URL stayed text: nothing was asked for
    assert render_pact(plain) == before  # rendering is deterministic: nothing carried over


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://127.0.0.1:9/x",
    "https://example.org/font.ttf",
    "ftp://127.0.0.1/x",
    "javascript:alert(1)",
    STATIC_ORIGIN + "../pakta/settings.py",
    STATIC_ORIGIN + "fonts/../../pakta/settings.py",
    STATIC_ORIGIN + "%2e%2e/pakta/settings.py",
    STATIC_ORIGIN + "/etc/passwd",
    STATIC_ORIGIN + "fonts/does-not-exist.ttf",
    "https://static.pakta.invalid.evil.example/static/fonts/fonts.css",
])
def test_fetcher_refuses_everything_but_static_files(url):
    fetcher = SafeURLFetcher()
    with pytest.raises(RefusedURLError):
        fetcher.fetch(url)
    assert fetcher.refused and fetcher.served == []


def test_fetcher_serves_static_files_and_data_urls():
    fetcher = SafeURLFetcher()
    css = fetcher.fetch(STATIC_ORIGIN + "fonts/fonts.css")
    assert b"Pakta Serif" in css.read()
    assert fetcher.fetch("data:text/plain;base64,aGFsbw==").read() == b"halo"
    assert fetcher.refused == []


def test_markup_that_asks_for_files_gets_nothing():
    """Even raw markup (never produced from user text) cannot read files or reach the network."""
    from signings.pdf import engine

    fetcher = SafeURLFetcher()
    html = ('<html><head><link rel="stylesheet" href="http://127.0.0.1:9/x"></head><body>'
            '<img src="file:///etc/passwd"><p>ok</p></body></html>')
    pdf = engine.render_pdf(html, stylesheet="pact", fetcher=fetcher)
    assert pdf.startswith(b"%PDF")
    assert set(fetcher.refused) == {"http://127.0.0.1:9/x", "file:///etc/passwd"}
    assert b"root:" not in pdf

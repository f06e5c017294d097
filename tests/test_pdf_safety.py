"""Hostile text renders as text, and WeasyPrint can fetch nothing but our static files."""

import pytest

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

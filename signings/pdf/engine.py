"""WeasyPrint set up once per process: one FontConfiguration, pre-parsed stylesheets.

Measured (issue 5): 53 ms per pact with a fresh FontConfiguration and inline CSS, 43 ms with a
shared one and pre-parsed CSS. The objects are not documented as thread-safe, so renders in
one process take turns (workers are processes; a web process rarely renders).
"""

from __future__ import annotations

import ctypes.util
import logging
import threading
from functools import cache
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from signings.pdf.fetcher import STATIC_ORIGIN, SafeURLFetcher, static_url

logger = logging.getLogger(__name__)
CSS_DIR = Path(__file__).resolve().parent / "css"
_render_lock = threading.Lock()


@cache
def _shared() -> tuple[FontConfiguration, SafeURLFetcher]:
    # Also said by the system check pakta.W001, but workers do not run system checks.
    if not ctypes.util.find_library("harfbuzz-subset"):
        logger.warning("libharfbuzz-subset0 is not installed: PDF rendering will be about "
                       "2.5x slower (apt-get install libharfbuzz-subset0).")
    return FontConfiguration(), SafeURLFetcher()


@cache
def stylesheets(name: str) -> tuple[CSS, ...]:
    """fonts.css (the shipped "Pakta Serif"/"Pakta Sans") and css/<name>.css, parsed once."""
    font_config, fetcher = _shared()
    fonts = CSS(url=static_url("fonts/fonts.css"), url_fetcher=fetcher, font_config=font_config)
    own = CSS(string=(CSS_DIR / f"{name}.css").read_text(encoding="utf-8"),
              base_url=STATIC_ORIGIN, url_fetcher=fetcher, font_config=font_config)
    return fonts, own


@cache
def extra_stylesheet(css: str) -> CSS:
    """A fixed rule added to a stylesheet (e.g. a recap chunk without page numbers), parsed
    once. Only constant strings from our code: never user text."""
    font_config, fetcher = _shared()
    return CSS(string=css, base_url=STATIC_ORIGIN, url_fetcher=fetcher, font_config=font_config)


def render_pdf(html: str, *, stylesheet: str, fetcher: SafeURLFetcher | None = None) -> bytes:
    """Render trusted template output (user text already escaped) to PDF bytes."""
    font_config, shared_fetcher = _shared()
    sheets = stylesheets(stylesheet)
    document = HTML(string=html, base_url=STATIC_ORIGIN, url_fetcher=fetcher or shared_fetcher)
    with _render_lock:
        return document.write_pdf(stylesheets=list(sheets), font_config=font_config)


def render_pdf_file(html: str, path: str, *, stylesheet: str, extra_css: str = "") -> int:
    """Render to a file (a recap chunk: its bytes never pass through memory twice); returns
    the number of pages."""
    font_config, fetcher = _shared()
    sheets = list(stylesheets(stylesheet))
    if extra_css:
        sheets.append(extra_stylesheet(extra_css))
    document = HTML(string=html, base_url=STATIC_ORIGIN, url_fetcher=fetcher)
    with _render_lock:
        rendered = document.render(stylesheets=sheets, font_config=font_config)
        rendered.write_pdf(target=path)
    return len(rendered.pages)

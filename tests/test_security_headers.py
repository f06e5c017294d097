"""What every answer carries: the Content-Security-Policy, no-store, the request id; and the
templates that make the policy possible (nothing inline)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from signings import request_id

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
# Rendered by WeasyPrint into PDFs (signings/pdf/), never served as pages.
PDF_TEMPLATES = TEMPLATES / "pdf"

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
# A data block (json_script) is never run; an import map is, and must carry the nonce.
DATA_SCRIPT = re.compile(r'<script\b[^>]*\btype="application/json"', re.I)
NONCED_IMPORT_MAP = re.compile(r'<script type="importmap" nonce="\{\{ csp_nonce \}\}">')
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"javascript:", re.I)
COMMENTS = re.compile(r"{% comment %}.*?{% endcomment %}|{#.*?#}|<!--.*?-->", re.S)


def page_templates() -> list[Path]:
    return sorted(path for path in TEMPLATES.rglob("*.html")
                  if PDF_TEMPLATES not in path.parents)


@pytest.mark.parametrize("path", page_templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_served_as_a_page_has_inline_script_or_style(path):
    text = COMMENTS.sub("", path.read_text(encoding="utf-8"))
    scripts = [tag for tag in INLINE_SCRIPT.findall(text)
               if not DATA_SCRIPT.match(tag) and not NONCED_IMPORT_MAP.match(tag)]
    assert not scripts, f"inline <script>: move it to static/js/ ({scripts})"
    assert not INLINE_STYLE.search(text), "<style> or style=\"\": use a class in pakta.css"
    assert not INLINE_HANDLER.search(text), "on…=\"\" handler: use a listener in static/js/"
    assert not JS_URL.search(text), "javascript: URL"


def test_the_scan_would_catch_what_it_looks_for():
    assert INLINE_SCRIPT.search('<script>alert(1)</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/x.js"></script>')
    assert INLINE_STYLE.search('<div style="width: 3%">') and INLINE_STYLE.search("<style>")
    assert INLINE_HANDLER.search('<form onsubmit="return confirm()">')
    assert not INLINE_HANDLER.search('<div data-online="">')


def test_pdf_templates_are_rendered_by_the_pdf_layer_only():
    # templates/pdf/ keep their <style> (WeasyPrint reads it): no view may send them as HTML.
    for folder in ("signings/views", "signings/api"):
        for path in (ROOT / folder).rglob("*.py"):
            assert '"pdf/' not in path.read_text(encoding="utf-8"), path


def test_console_page_carries_the_policy_without_a_nonce(officer):
    response = officer.get(reverse("hr:employees"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy
    assert "style-src 'self';" in policy
    assert "'unsafe-inline'" not in policy and "nonce-" not in policy
    assert "frame-ancestors 'none'" in policy
    # Plain HTTP (tests, intranets): the policy does not force https.
    assert "upgrade-insecure-requests" not in policy


def test_kiosk_import_map_runs_by_the_nonce_of_its_own_answer(client):
    response = client.get(reverse("kiosk:app"))
    nonce = re.search(r"script-src 'self' 'nonce-([\w-]+)'", response["Content-Security-Policy"])
    assert nonce
    assert f'<script type="importmap" nonce="{nonce.group(1)}">' in response.content.decode()
    again = client.get(reverse("kiosk:app"))
    assert nonce.group(1) not in again["Content-Security-Policy"]


def test_https_installation_adds_upgrade_insecure_requests(client, settings):
    settings.SECURE_CSP = {**settings.SECURE_CSP, "upgrade-insecure-requests": True}
    assert client.get(reverse("login"))["Content-Security-Policy"].endswith(
        "upgrade-insecure-requests")


def test_plain_http_request_is_redirected_when_the_installation_is_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert response[request_id.HEADER]
    secure = client.get(reverse("login"), secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_static_files_may_be_cached_everything_else_not_nor_indexed(client, officer):
    static = client.get("/static/css/pakta.css")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")
    for url in (reverse("login"), reverse("kiosk:app"), reverse("verify:home"),
                reverse("kiosk:service_worker"), "/tidak-ada/"):
        answer = client.get(url)
        assert "no-store" in answer["Cache-Control"], url
        assert answer["X-Robots-Tag"] == "noindex", url
    export = officer.get(reverse("hr:roster_export", kwargs={"fmt": "csv"}))
    assert export.status_code == 200
    assert export["Cache-Control"] == "no-store"
    assert export["X-Robots-Tag"] == "noindex"


def test_every_answer_names_its_request(client):
    first = client.get(reverse("login"))[request_id.HEADER]
    second = client.get(reverse("login"))[request_id.HEADER]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


@pytest.mark.parametrize("incoming, kept", [
    ("3f1c0c6e-9a3b-4b1d-8e0f-2a7c5b9d1e22", True),
    ("nginx.req_42abcdef", True),
    ("short", False),
    ("a" * 65, False),
    ("abc def ghi", False),
    ("abcdefgh\r\nX-Evil: 1", False),
    ("<script>alert(1)</script>", False),
])
def test_an_incoming_request_id_is_kept_only_when_it_is_a_short_safe_token(client, incoming,
                                                                            kept):
    response = client.get(reverse("login"), headers={"X-Request-ID": incoming})
    assert (response[request_id.HEADER] == incoming) is kept

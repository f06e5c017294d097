"""The one real-browser set-up: Playwright driving Debian's chromium against live_server.

Every test in this folder is marked `browser` here (run them with `pytest -m browser`).
Pages run under the real Content-Security-Policy and a test fails on any violation; so
`wait_for_function` takes an arrow function (`"() => ..."`): a bare expression is evaluated
with `eval` in the page, which the policy refuses.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import factories

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# browser steps are plain synchronous calls, which Django would otherwise refuse.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def chromium():
    """One browser per test module; each test gets fresh contexts (cookies, storage)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Every page reports what the Content-Security-Policy blocked (the init script runs outside the
# page's policy); a refused message from the browser itself is caught too.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile}:${e.lineNumber}`);
});
"""


def csp_violation(message) -> bool:
    text = message.text
    return text.startswith("CSP violation:") or (
        "Refused to" in text and "Content Security Policy" in text)


@pytest.fixture
def new_context(chromium):
    """Make browser contexts (one per person or tablet); all are closed after the test, and the
    test fails if any page of them broke the Content-Security-Policy."""
    contexts = []
    violations: list[str] = []

    def make(*, timeout: int | None = None, **options):
        options.setdefault("locale", "id-ID")
        context = chromium.new_context(**options)
        if timeout is not None:  # else Playwright's default (30 s)
            context.set_default_timeout(timeout)
        context.add_init_script(CSP_LISTENER)
        context.on("console", lambda message: violations.append(
            f"{message.page.url if message.page else '?'}: {message.text}")
            if csp_violation(message) else None)
        contexts.append(context)
        return context

    make.csp_violations = violations
    yield make
    for context in contexts:
        context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def tablet_context(new_context):
    """A landscape tablet's browser context (call once per tablet)."""
    return lambda: new_context(viewport={"width": 1024, "height": 768}, timeout=15_000)


@pytest.fixture
def page(new_context):
    """One page in its own context, downloads allowed."""
    return new_context(accept_downloads=True).new_page()


@pytest.fixture
def log_in(live_server):
    def log_in(page, username: str):
        page.goto(f"{live_server.url}/masuk/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", factories.PASSWORD)
        page.click("main button[type=submit]")
        # Wait for the redirect so the session cookie is set before the next navigation.
        page.wait_for_url(f"{live_server.url}/")

    return log_in


@pytest.fixture
def assembly(agency_a, unit_a, template_version, hr_a):
    """An open event with a few named people, as at a morning assembly."""
    names = ["Siti Rahmawati", "Budi Santoso", "Agus Salim", "Dewi Lestari", "Rudi Hartono"]
    people = [factories.employee(unit_a, name=name) for name in names]
    event = factories.event(agency_a, officer=hr_a, template_version=template_version)
    return event, {p.name: p for p in people}

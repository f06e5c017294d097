"""The kiosk on a plain-HTTP intranet name: no secure context, and it still signs.

Chromium resolves `pakta.intranet` to the live server, so the page is a real non-localhost
HTTP origin: no crypto.subtle, no crypto.randomUUID, no service worker.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from signings.models import Signature
from signings.services import kiosk
from signings.services.context import AuditContext
from tests import factories
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.kiosk_pages import (
    THREE,
    agree_and_sign,
    count_sends,
    left_on_tablet,
    sign_three_offline,
    wait_pending,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOST = "pakta.intranet"


@pytest.fixture
def intranet_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {HOST} 127.0.0.1"],
        )
        yield browser
        browser.close()


@pytest.fixture
def intranet_url(live_server, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    return f"http://{HOST}:{urlsplit(live_server.url).port}"


def intranet_tablet(browser, url: str, viewport: dict[str, int]):
    """A tablet's context and kiosk page at `url` (the app's address plus any #kode=), started;
    the page's uncaught errors collect in the returned list."""
    context = browser.new_context(locale="id-ID", viewport=viewport)
    context.set_default_timeout(15000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_selector("body[data-ready='1']")
    return context, page, errors


def test_plain_http_intranet_pairs_checks_birth_date_and_signs(
    intranet_browser, intranet_url, assembly, hr_a
):
    event, people = assembly
    event.identity_check = "birth_date"
    event.save(update_fields=["identity_check"])
    person = people["Dewi Lestari"]
    officer = intranet_browser.new_context(locale="id-ID")
    officer.set_default_timeout(15000)
    page = officer.new_page()
    page.goto(f"{intranet_url}{reverse('login')}")
    page.fill("input[name=username]", hr_a.username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{intranet_url}{reverse('kiosk:devices', kwargs={'event_pk': event.pk})}")
    page.fill("input[name=name]", "Tablet HTTP")
    page.click("form[action$='tambah/'] button[type=submit]")
    # The officer learns that this address gives no offline mode, and where to read more.
    warning = page.text_content("#offline-unavailable")
    assert "Mode luring tidak tersedia" in warning and "HTTPS di intranet" in warning
    code = page.text_content("#pairing-code").strip()

    tablet, kiosk_page, errors = intranet_tablet(
        intranet_browser, f"{intranet_url}{reverse('kiosk:app')}", {"width": 1280, "height": 800})
    context_facts = kiosk_page.evaluate("""() => ({
        secure: window.isSecureContext, subtle: Boolean(crypto.subtle),
        uuid: typeof crypto.randomUUID, sw: 'serviceWorker' in navigator,
        flag: document.body.dataset.secure})""")
    assert context_facts == {"secure": False, "subtle": False, "uuid": "undefined",
                             "sw": False, "flag": "0"}
    kiosk_page.fill("#pair-code", code)
    kiosk_page.click("#pair-submit")
    kiosk_page.wait_for_selector("#screen-search:not(.d-none)")

    # A fully typed NIP is found by the last 4 digits its mask shows (the tablet holds no more).
    kiosk_page.fill("#search-input", person.nip)
    kiosk_page.wait_for_selector("#results button:has-text('Dewi Lestari')")
    assert kiosk_page.locator("#results button").count() == 1
    compat_url = kiosk_page.evaluate("JSON.parse(document.querySelector('script[type=importmap]')"
                                     ".textContent).imports['pakta-kiosk/compat']")
    samples = ["", "abc", "x" * 55, "y" * 64, "salt:n:199001012020121001"]
    digests = kiosk_page.evaluate(
        "async ([url, texts]) => { const m = await import(url); "
        "return Promise.all(texts.map((t) => m.sha256Hex(t))); }", [compat_url, samples])
    assert digests == [hashlib.sha256(t.encode()).hexdigest() for t in samples]

    kiosk_page.fill("#search-input", "dewi")
    kiosk_page.click("#results button:has-text('Dewi Lestari')")
    kiosk_page.wait_for_selector("#screen-identity:not(.d-none)")
    wrong = person.birth_date.replace(year=person.birth_date.year - 1)
    kiosk_page.fill("#birth-date", f"{wrong:%d%m%Y}")
    kiosk_page.click("#identity-form button[type=submit]")
    kiosk_page.wait_for_function(
        "() => document.querySelector('#identity-error').textContent.includes('tidak cocok')")
    kiosk_page.fill("#birth-date", f"{person.birth_date:%d%m%Y}")
    kiosk_page.click("#identity-form button[type=submit]")
    kiosk_page.wait_for_selector("#screen-pact:not(.d-none)")
    agree_and_sign(kiosk_page)
    wait_pending(kiosk_page, 0)
    signature = Signature.objects.get()
    assert signature.employee == person
    assert signature.device.name == "Tablet HTTP"
    # The birth date was checked on the tablet, by the vendored scrypt, without crypto.subtle.
    assert signature.identity_method == "birth_date_offline"
    assert signature.identity_wrong_attempts == 1
    assert len(str(signature.submission_id)) == 36
    assert errors == []
    tablet.close()
    officer.close()


def test_https_or_localhost_pairing_page_has_no_http_warning(client, assembly, hr_a):
    event, _people = assembly
    client.force_login(hr_a)
    url = reverse("kiosk:device_add", kwargs={"event_pk": event.pk})
    plain = client.post(url, {"name": "Tablet A"})
    assert b'id="offline-unavailable"' in plain.content
    secure = client.post(url, {"name": "Tablet B"}, secure=True)
    assert b'id="offline-unavailable"' not in secure.content
    local = client.post(url, {"name": "Tablet C"}, headers={"host": "localhost"})
    assert b'id="offline-unavailable"' not in local.content


def test_a_plain_http_tablet_flushes_its_outbox_in_one_batch(
    intranet_browser, intranet_url, assembly, hr_a
):
    """No secure context (no crypto.randomUUID, no service worker): the outbox in IndexedDB and
    the batch work all the same while the page stays open."""
    event, _people = assembly
    code = kiosk.add_device(event=event, name="Tablet HTTP",
                            context=AuditContext.for_user(hr_a)).code
    context, page, errors = intranet_tablet(
        intranet_browser, f"{intranet_url}{reverse('kiosk:app')}#kode={code}",
        {"width": 1024, "height": 768})
    page.wait_for_selector("#screen-search:not(.d-none)")
    assert page.evaluate("() => window.isSecureContext") is False
    sends = count_sends(page)
    sign_three_offline(context, page)

    context.set_offline(False)
    wait_pending(page, 0)
    assert sends == {"batch": 1, "single": 0}
    assert sorted(s.employee.name for s in Signature.objects.filter(event=event)) == sorted(THREE)
    assert left_on_tablet(page) == {"outbox": [], "localStorage": "{}"}
    assert errors == []
    context.close()

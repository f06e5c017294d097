"""The Content-Security-Policy in a real browser: the console, the live view (htmx), the
kiosk and the admin work with the real header on, and nothing is refused.

Every browser test fails on a policy violation (tests/browser/conftest.py); these walk the
pages whose behaviour moved out of inline code: confirmations, the language menu, htmx
polling and indicators, progress bars, the kiosk's import map.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from signings.models import Employee, EventStatus
from signings.services import events, kiosk
from signings.services.context import AuditContext
from tests import factories
from tests.browser.kiosk_pages import agree_and_sign

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_event(agency_a, unit_a, template_version, hr_a):
    for name in ("Siti Rahmawati", "Budi Santoso", "Agus Salim", "Dewi Lestari"):
        factories.employee(unit_a, name=name)
    event = factories.event(agency_a, officer=hr_a, template_version=template_version,
                            status=EventStatus.DRAFT)
    return events.open_event(event=event, context=AuditContext.for_user(hr_a))


def policy_of(response) -> str:
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    return policy


def test_the_guard_catches_a_violation(page, new_context, live_server):
    # The self-check of the conftest guard: an inline style attribute is refused and reported.
    page.goto(f"{live_server.url}/masuk/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', "
                  "'<div id=\"x\" style=\"color: red\">x</div>')")
    page.wait_for_timeout(200)
    assert any("style-src" in v for v in new_context.csp_violations)
    new_context.csp_violations.clear()


def test_live_view_polls_searches_and_draws_its_bar_under_the_policy(page, log_in, live_server,
                                                                     live_event, hr_a):
    log_in(page, "hr_a")
    response = page.goto(f"{live_server.url}/sdm/acara/{live_event.pk}/langsung/")
    policy_of(response)
    # htmx was told not to inject its indicator <style>; its rules come from pakta.css.
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    expect(page.locator("#total-signed")).to_have_text("0")
    page.evaluate("window.__stillSamePage = true")
    for employee in Employee.objects.filter(name__in=["Siti Rahmawati", "Budi Santoso"]):
        factories.signature(live_event, employee, officer=hr_a)
    expect(page.locator("#total-signed")).to_have_text("2")  # the 3 s poll, swapped in place
    bar = page.locator("#live-panel .progress-bar")
    expect(bar).to_have_class(re.compile(r"\bw-pct-50\b"))
    width = bar.evaluate("el => el.getBoundingClientRect().width / "
                         "el.parentElement.getBoundingClientRect().width")
    assert 0.45 < width < 0.55
    page.fill("#live-search", "Agus")
    expect(page.locator("#unsigned-list")).to_contain_text("Agus Salim")
    expect(page.locator("#unsigned-list")).not_to_contain_text("Dewi Lestari")
    assert page.evaluate("window.__stillSamePage") is True


def test_expired_session_during_a_poll_goes_to_the_login_page(page, log_in, live_server,
                                                               live_event):
    log_in(page, "hr_a")
    page.goto(f"{live_server.url}/sdm/acara/{live_event.pk}/langsung/")
    page.context.clear_cookies()
    page.wait_for_url(f"{live_server.url}/masuk/**", timeout=10_000)
    expect(page.locator("#live-panel")).to_have_count(0)


def test_confirmation_before_closing_an_event_and_deleting_an_employee(page, log_in, live_server,
                                                                       live_event, unit_a):
    log_in(page, "hr_a")
    page.goto(f"{live_server.url}/sdm/acara/{live_event.pk}/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#close-event")
    expect(page.locator("#event-status")).to_have_text("Dibuka")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#close-event")
    expect(page.locator("#event-status")).to_have_text("Ditutup")

    spare = factories.employee(unit_a, name="Orang Cadangan")
    page.goto(f"{live_server.url}{reverse('hr:employee_edit', kwargs={'pk': spare.pk})}")
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Hapus").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert messages == ["Hapus pegawai ini?"]
    assert not Employee.objects.filter(pk=spare.pk).exists()


def test_language_menu_switches_without_inline_code(page, log_in, live_server, hr_a):
    log_in(page, "hr_a")
    page.goto(f"{live_server.url}/sdm/pegawai/")
    page.select_option("select[name=language]", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.select_option("select[name=language]", "id")
    expect(page.locator("html")).to_have_attribute("lang", "id")


def test_tree_and_compliance_bars_use_classes(page, log_in, live_server, live_event, hr_a,
                                              auditor_a, agency_a):
    factories.signature(live_event, live_event.expected.first().employee, officer=hr_a)
    log_in(page, "hr_a")
    page.goto(f"{live_server.url}{reverse('hr:agencies')}")
    cells = page.locator("td.indent-1")
    assert cells.count() >= 1
    assert cells.first.evaluate("el => getComputedStyle(el).paddingLeft") == "24px"
    page.context.clear_cookies()
    log_in(page, auditor_a.username)
    response = page.goto(f"{live_server.url}{reverse('audit:compliance', args=[agency_a.pk])}")
    policy_of(response)
    bar = page.locator("tbody .progress-bar").first
    assert bar.evaluate("el => el.getBoundingClientRect().width") > 0


def test_kiosk_pairs_and_signs_with_the_import_map_nonce(tablet_context, live_server,
                                                         live_event, hr_a):
    code = kiosk.add_device(event=live_event, name="Tablet CSP",
                            context=AuditContext.for_user(hr_a)).code
    page = tablet_context().new_page()
    response = page.goto(f"{live_server.url}{reverse('kiosk:app')}#kode={code}")
    assert "'nonce-" in policy_of(response)
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector("#screen-search:not(.d-none)")
    page.fill("#search-input", "Dewi")
    page.click("#results button:has-text('Dewi Lestari')")
    page.wait_for_selector("#screen-pact:not(.d-none)")
    agree_and_sign(page)
    page.wait_for_function("() => document.getElementById('pending-count').textContent === '0'")
    assert live_event.signatures.valid().filter(employee__name="Dewi Lestari").exists()


def test_officer_pairing_page_and_admin_under_the_policy(page, log_in, live_server, live_event,
                                                         admin_user):
    log_in(page, "hr_a")
    page.goto(f"{live_server.url}{reverse('kiosk:devices', kwargs={'event_pk': live_event.pk})}")
    page.fill("input[name=name]", "Tablet Aula")
    page.click("form[action$='tambah/'] button[type=submit]")
    expect(page.locator("#pairing-code")).to_be_visible()
    expect(page.locator("svg.segno")).to_be_visible()
    page.context.clear_cookies()
    log_in(page, admin_user.username)
    for url in ("/admin/", "/admin/signings/employee/", "/admin/signings/signingevent/",
                f"/admin/signings/employee/{Employee.objects.first().pk}/change/"):
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, url
        policy_of(response)

"""The walk-away guard: a chosen person's details leave the tablet when nobody touches it.

Time is Playwright's fake clock, so a minute passes in milliseconds.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from signings.identity import mask_tail
from signings.services import kiosk
from signings.services.context import AuditContext
from tests.browser.kiosk_pages import draw_signature, read_pact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def clocked_kiosk(context, live_server, event, actor):
    context.clock.install()
    code = kiosk.add_device(event=event, name="Tablet 1", context=AuditContext.for_user(actor)).code
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('kiosk:app')}#kode={code}")
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector("#screen-search:not(.d-none)")
    return page


def test_walk_away_wipes_the_signer_and_returns_to_search(
    tablet_context, live_server, assembly, hr_a
):
    event, people = assembly
    event.identity_check = "birth_date"
    event.save(update_fields=["identity_check"])
    person = people["Dewi Lestari"]
    typed = f"{person.birth_date:%d%m%Y}"
    page = clocked_kiosk(tablet_context(), live_server, event, hr_a)
    history_before = page.evaluate("history.length")

    page.fill("#search-input", "dewi")
    page.click("#results button:has-text('Dewi Lestari')")
    page.wait_for_selector("#screen-identity:not(.d-none)")
    page.fill("#birth-date", typed)
    page.click("#identity-form button[type=submit]")
    page.wait_for_selector("#screen-pact:not(.d-none)")
    read_pact(page)
    page.check("#agree")
    page.click("#to-sign")
    page.wait_for_selector("#screen-sign:not(.d-none)")
    draw_signature(page)
    assert mask_tail(person.nip) in page.content() or person.name in page.content()

    # 45 s untouched: the countdown shows the last 15 seconds.
    page.clock.fast_forward(46_000)
    page.wait_for_selector("#idle-warning:not(.d-none)")
    assert 1 <= int(page.text_content("#idle-count")) <= 15
    page.screenshot(path="/tmp/kiosk-idle-warning.png")
    assert page.is_visible("#screen-sign")

    page.clock.fast_forward(15_000)
    page.wait_for_selector("#screen-search:not(.d-none)")
    assert page.is_hidden("#idle-warning")
    html = page.content()
    for detail in (person.name, mask_tail(person.nip), person.nip, typed,
                   f"{typed[:2]}-{typed[2:4]}-{typed[4:]}"):
        assert detail not in html
    assert page.input_value("#birth-date") == ""
    assert page.input_value("#search-input") == ""
    assert page.text_content("#pact") == ""
    assert not page.is_checked("#agree")
    # The pad holds no ink (its pixels are all transparent) and nothing is queued to sign.
    ink = page.evaluate("""() => {
        const c = document.getElementById('pad');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }""")
    assert ink == 0
    assert page.get_attribute("#pending-state", "data-pending") == "0"
    # No history entry leads back to the signer's screens.
    assert page.evaluate("history.length") == history_before
    assert page.get_attribute("body", "data-idle-returns") == "1"


def test_still_here_keeps_the_person_and_the_time_is_set_per_event(
    tablet_context, live_server, assembly, hr_a
):
    event, people = assembly
    event.kiosk_idle_seconds = 30
    event.save(update_fields=["kiosk_idle_seconds"])
    page = clocked_kiosk(tablet_context(), live_server, event, hr_a)
    page.fill("#search-input", "budi")
    page.click("#results button:has-text('Budi Santoso')")
    page.wait_for_selector("#screen-pact:not(.d-none)")

    page.clock.fast_forward(10_000)
    assert page.is_hidden("#idle-warning")  # 20 s left: no countdown yet
    page.clock.fast_forward(8_000)
    page.wait_for_selector("#idle-warning:not(.d-none)")
    page.click("#idle-stay")
    page.wait_for_selector("#idle-warning", state="hidden")
    page.clock.fast_forward(10_000)  # 28 s since choosing, 10 s since "still here"
    assert page.is_visible("#screen-pact") and page.is_hidden("#idle-warning")
    assert "Budi Santoso" in page.text_content("#pact")

    # Any touch or key counts as presence too.
    page.clock.fast_forward(6_000)
    page.wait_for_selector("#idle-warning:not(.d-none)")
    page.keyboard.press("ArrowDown")
    page.wait_for_selector("#idle-warning", state="hidden")
    page.clock.fast_forward(25_000)
    assert page.is_visible("#screen-pact")

    page.clock.fast_forward(6_000)
    page.wait_for_selector("#screen-search:not(.d-none)")
    assert "Budi Santoso" not in page.content()


def test_cancel_stops_the_countdown(tablet_context, live_server, assembly, hr_a):
    event, _people = assembly
    page = clocked_kiosk(tablet_context(), live_server, event, hr_a)
    page.fill("#search-input", "agus")
    page.click("#results button:has-text('Agus Salim')")
    page.wait_for_selector("#screen-pact:not(.d-none)")
    page.click("#screen-pact [data-action=home]")
    page.wait_for_selector("#screen-search:not(.d-none)")
    page.fill("#search-input", "ag")
    page.clock.fast_forward(70_000)
    # Searching is no personal step: nobody is wiped from under the next person's typing.
    assert page.input_value("#search-input") == "ag"
    assert page.get_attribute("body", "data-idle-returns") is None

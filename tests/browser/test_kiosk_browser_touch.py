"""The kiosk with a finger, in both tablet orientations, and what it tells the signer.

Touch input is real touch: taps through Playwright's touchscreen, strokes through the DevTools
protocol's Input.dispatchTouchEvent (as a finger on an Android tablet produces them).
Screenshots of every step land in /tmp/kiosk-<orientation>-<step>.png for a human to look at.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from signings.models import Signature
from signings.services import events, kiosk
from signings.services.context import AuditContext
from tests import factories
from tests.browser.kiosk_pages import wait_pending

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORIENTATIONS = {"landscape": (1280, 800), "portrait": (800, 1280)}


@pytest.fixture
def touch_tablet(chromium):
    contexts = []

    def make(orientation: str):
        width, height = ORIENTATIONS[orientation]
        context = chromium.new_context(viewport={"width": width, "height": height},
                                       has_touch=True, is_mobile=True, device_scale_factor=1,
                                       locale="id-ID")
        context.set_default_timeout(15000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def open_paired(context, live_server, event, actor, name="Tablet 1"):
    code = kiosk.add_device(event=event, name=name, context=AuditContext.for_user(actor)).code
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('kiosk:app')}#kode={code}")
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector("#screen-search:not(.d-none)")
    return page


def tap(page, selector: str):
    element = page.locator(selector).first
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def finger_signature(page):
    """A quick zig-zag stroke with a finger, lifted fast (the case that ate the next tap)."""
    cdp = page.context.new_cdp_session(page)
    box = page.locator("#pad").bounding_box()
    x0, y0 = box["x"] + 40, box["y"] + box["height"] / 2
    send = lambda kind, points: cdp.send(  # noqa: E731
        "Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})
    send("touchStart", [{"x": x0, "y": y0}])
    for i in range(1, 45):
        send("touchMove", [{"x": x0 + i * 11, "y": y0 + 50 * (1 if i % 4 < 2 else -1)}])
    send("touchEnd", [])
    cdp.detach()


def scroll_pact_by_finger(page):
    pact = page.locator("#pact")
    box = pact.bounding_box()
    # Scrolling is the signer's gesture; the result must be the same as a swipe to the end.
    page.evaluate("document.getElementById('pact').scrollTo(0, 1e6)")
    page.touchscreen.tap(box["x"] + 20, box["y"] + box["height"] - 20)


def shot(page, orientation: str, step: str):
    page.screenshot(path=f"/tmp/kiosk-{orientation}-{step}.png")


def luminance(rgb: str) -> float:
    parts = [int(float(x)) for x in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    channels = []
    for value in parts:
        c = value / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted([luminance(a), luminance(b)], reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_a_finger_signs_and_the_first_tap_on_save_counts(
    touch_tablet, live_server, assembly, hr_a, orientation
):
    event, people = assembly
    event.identity_check = "birth_date"
    event.save(update_fields=["identity_check"])
    titled = factories.employee(event.agency, name="Rina Marlina", title_suffix="A.Md.")
    events.set_expected(event=event, add=[titled], context=AuditContext.for_user(hr_a))
    page = open_paired(touch_tablet(orientation), live_server, event, hr_a)
    shot(page, orientation, "1-search")

    page.fill("#search-input", "rina")
    tap(page, "#results button:has-text('Rina Marlina')")
    page.wait_for_selector("#screen-identity:not(.d-none)")
    # One field, numeric keypad, formatted while typing.
    assert page.get_attribute("#birth-date", "inputmode") == "numeric"
    assert page.locator("#screen-identity input:visible").count() == 1
    tap(page, "#birth-date")
    page.keyboard.type(f"{titled.birth_date:%d%m%Y}")
    assert page.input_value("#birth-date") == f"{titled.birth_date:%d-%m-%Y}"
    shot(page, orientation, "2-identity")
    tap(page, "#identity-form button[type=submit]")
    page.wait_for_selector("#screen-pact:not(.d-none)")

    # Consent only once the pact's end has been on screen.
    overflows = page.evaluate(
        "(() => { const p = document.getElementById('pact'); "
        "return p.scrollHeight > p.clientHeight + 8; })()")
    assert page.is_disabled("#agree") == overflows
    assert page.is_visible("#agree-hint") == overflows
    shot(page, orientation, "3-pact")
    tap(page, "#agree")
    assert not page.is_checked("#agree") or not overflows
    scroll_pact_by_finger(page)
    page.wait_for_selector("#agree:enabled")
    assert page.is_hidden("#agree-hint")
    if not page.is_checked("#agree"):
        tap(page, "#agree")
    assert page.is_checked("#agree")
    # The consent box's outline: at least 3:1 against the page (WCAG 1.4.11).
    colours = page.evaluate("""(() => {
        const box = getComputedStyle(document.getElementById('agree'));
        return [box.borderTopColor, getComputedStyle(document.body).backgroundColor]; })()""")
    assert contrast(*colours) >= 3, colours
    shot(page, orientation, "4-agreed")
    tap(page, "#to-sign")
    page.wait_for_selector("#screen-sign:not(.d-none)")
    assert page.evaluate("getComputedStyle(document.getElementById('pad')).touchAction") == "none"

    finger_signature(page)
    shot(page, orientation, "5-signed-pad")
    tap(page, "#pad-done")  # once: the first tap after drawing must count
    page.wait_for_selector("#screen-done:not(.d-none)", timeout=3000)
    shot(page, orientation, "6-done")
    done = page.text_content("#done-text")
    assert "Rina Marlina, A.Md." in done and ".." not in done
    wait_pending(page, 0)
    signature = Signature.objects.get()
    assert signature.employee == titled and signature.strokes


def test_badge_follows_real_requests_and_the_first_offline_signer_is_told(
    touch_tablet, live_server, assembly, hr_a
):
    event, _people = assembly
    context = touch_tablet("landscape")
    context.clock.install()
    page = open_paired(context, live_server, event, hr_a)
    page.wait_for_function("() => document.querySelector('#net-state').dataset.online === '1'")

    # The server becomes unreachable while the browser still believes it has a network.
    context.route("**/api/kios/**", lambda route: route.abort("connectionrefused"))
    assert page.evaluate("navigator.onLine") is True
    page.fill("#search-input", "budi")
    tap(page, "#results button:has-text('Budi Santoso')")
    page.wait_for_selector("#screen-pact:not(.d-none)")
    page.evaluate("document.getElementById('pact').scrollTo(0, 1e6)")
    page.wait_for_selector("#agree:enabled")
    tap(page, "#agree")
    tap(page, "#to-sign")
    finger_signature(page)
    tap(page, "#pad-done")
    page.wait_for_selector("#screen-done:not(.d-none)")
    # The very first signer after the network went learns their signature waits on the tablet.
    page.wait_for_function(
        "() => document.querySelector('#done-sub').textContent.includes('luring')", timeout=5000)
    page.wait_for_function("() => document.querySelector('#net-state').dataset.online === '0'")
    assert page.get_attribute("#pending-state", "data-pending") == "1"

    # An empty send proves nothing: with the outbox emptied the badge must stay offline.
    page.evaluate("""async () => {
        const { openDB } = await import(JSON.parse(
            document.querySelector('script[type=importmap]').textContent).imports.idb);
        const db = await openDB('pakta-kiosk', 1);
        await db.clear('outbox'); }""")
    page.clock.fast_forward(11_000)  # the periodic send runs over an empty outbox
    page.wait_for_timeout(300)
    assert page.get_attribute("#net-state", "data-online") == "0"

    # The server answers again: the next real request turns the badge back.
    context.unroute("**/api/kios/**")
    page.clock.fast_forward(21_000)  # the status poll
    page.wait_for_function("() => document.querySelector('#net-state').dataset.online === '1'")

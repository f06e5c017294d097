"""The kiosk as a signer and an officer drive it in chromium: pairing a tablet, signing,
waiting for the outbox. Shared by the kiosk's browser tests (fixtures live in conftest.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.urls import reverse

from signings.services import kiosk
from signings.services.context import AuditContext


def open_kiosk(context, live_server, code: str):
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('kiosk:app')}#kode={code}")
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector("#screen-search:not(.d-none)")
    # The service worker must hold the app before the network may go away.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    return page


def paired_kiosk(context, live_server, event, actor, name):
    code = kiosk.add_device(event=event, name=name, context=AuditContext.for_user(actor)).code
    return open_kiosk(context, live_server, code)


def draw_signature(page):
    box = page.locator("#pad").bounding_box()
    x0, y0 = box["x"] + 40, box["y"] + box["height"] / 2
    page.mouse.move(x0, y0)
    page.mouse.down()
    for i in range(1, 40):
        page.mouse.move(x0 + i * 12, y0 + 45 * (1 if i % 4 < 2 else -1), steps=2)
    page.mouse.up()


def read_pact(page):
    """Scroll the pact to its end, as a signer does: consent is enabled only then."""
    page.eval_on_selector("#pact", "el => el.scrollTo(0, el.scrollHeight)")
    page.wait_for_selector("#agree:enabled")


def agree_and_sign(page):
    """From the pact screen: read to the end, tick consent, draw, save; waits for the thank-you."""
    read_pact(page)
    page.check("#agree")
    page.click("#to-sign")
    page.wait_for_selector("#screen-sign:not(.d-none)")
    draw_signature(page)
    page.click("#pad-done")
    page.wait_for_selector("#screen-done:not(.d-none)")


def sign(page, query: str, name: str):
    page.fill("#search-input", query)
    page.click(f"#results button:has-text('{name}')")
    page.wait_for_selector("#screen-pact:not(.d-none)")
    agree_and_sign(page)
    page.click("#screen-done [data-action=home]")
    page.wait_for_selector("#screen-search:not(.d-none)")


def pending(page) -> int:
    return int(page.get_attribute("#pending-state", "data-pending"))


def left_on_tablet(page) -> dict:
    """What the tablet still keeps of its signers after a flush: the outbox records in
    IndexedDB (employee ids) and localStorage as text."""
    return page.evaluate("""() => new Promise((resolve, reject) => {
      const open = indexedDB.open("pakta-kiosk");
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const read = open.result.transaction("outbox").objectStore("outbox").getAll();
        read.onerror = () => reject(read.error);
        read.onsuccess = () => {
          open.result.close();
          resolve({outbox: read.result.map((r) => r.employee_id),
                   localStorage: JSON.stringify(localStorage)});
        };
      };
    })""")


def wait_pending(page, count: int):
    page.wait_for_function(
        f"() => document.querySelector('#pending-state').dataset.pending === '{count}'",
        timeout=30000,
    )


THREE = ["Budi Santoso", "Agus Salim", "Dewi Lestari"]


def count_sends(page) -> dict[str, int]:
    """Signature requests the server answered (a send that failed offline never arrives)."""
    sends = {"batch": 0, "single": 0}
    batch_path = reverse("kiosk:api:submit_batch")
    single_path = reverse("kiosk:api:submit")

    def finished(request):
        if request.method != "POST":
            return
        path = urlsplit(request.url).path
        if path == batch_path:
            sends["batch"] += 1
        elif path == single_path:
            sends["single"] += 1

    page.on("requestfinished", finished)
    return sends


def sign_three_offline(context, page):
    """Take the tablet offline and have the people of THREE sign: all three wait in the outbox."""
    context.set_offline(True)
    page.wait_for_function("() => document.querySelector('#net-state').dataset.online === '0'")
    for name in THREE:
        sign(page, name.split()[0][:4], name)
    assert pending(page) == 3

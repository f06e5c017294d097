"""The kiosk in Debian's chromium: pairing, signing with the mouse, offline outbox, a race.

Run with `pytest -m browser`. Each test drives the real web app served by live_server.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from signings.identity import mask_tail
from signings.models import Signature
from signings.services import events, kiosk
from signings.services.context import AuditContext
from tests import factories
from tests.browser.kiosk_pages import (
    draw_signature,
    paired_kiosk,
    pending,
    read_pact,
    sign,
    wait_pending,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_officer_pairs_a_tablet_by_its_code(tablet_context, live_server, assembly, hr_a):
    event, _people = assembly
    officer = tablet_context()
    page = officer.new_page()
    page.goto(f"{live_server.url}{reverse('login')}")
    page.fill("input[name=username]", hr_a.username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}{reverse('kiosk:devices', kwargs={'event_pk': event.pk})}")
    page.fill("input[name=name]", "Tablet Pintu Timur")
    page.click("form[action$='tambah/'] button[type=submit]")
    code = page.text_content("#pairing-code").strip()
    assert page.locator("#pairing-qr svg").count() == 1

    tablet = tablet_context().new_page()
    tablet.goto(f"{live_server.url}{reverse('kiosk:app')}")
    tablet.wait_for_selector("#screen-pair:not(.d-none)")
    tablet.fill("#pair-code", code.lower())
    tablet.click("#pair-submit")
    tablet.wait_for_selector("#screen-search:not(.d-none)")
    assert tablet.text_content("#device-name") == "Tablet Pintu Timur"
    assert tablet.text_content("#event-title") == event.title
    # The one-time code does not stay in the address bar.
    assert "kode=" not in tablet.url

    page.goto(f"{live_server.url}{reverse('kiosk:devices', kwargs={'event_pk': event.pk})}")
    assert "Terpasang" in page.text_content("#kiosk-devices")


def test_one_person_signs_by_drawing_with_the_mouse(tablet_context, live_server, assembly, hr_a):
    event, people = assembly
    page = paired_kiosk(tablet_context(), live_server, event, hr_a, "Tablet 1")
    page.fill("#search-input", "sit")
    results = page.text_content("#results")
    assert "Siti Rahmawati" in results
    # Masked numbers only: never a full NIP on screen, nor its birth-date digits.
    assert people["Siti Rahmawati"].nip not in page.content()
    assert mask_tail(people["Siti Rahmawati"].nip) in results
    assert people["Siti Rahmawati"].nip[:8] not in results

    page.click("#results button:has-text('Siti Rahmawati')")
    pact = page.text_content("#pact")
    assert event.template_version.title in pact
    assert all(point in pact for point in event.template_version.points)
    assert page.is_disabled("#to-sign")
    read_pact(page)
    page.check("#agree")
    page.click("#to-sign")
    page.click("#pad-done")  # nothing drawn yet
    assert "kosong" in page.text_content("#sign-error")
    draw_signature(page)
    page.click("#pad-done")
    page.wait_for_selector("#screen-done:not(.d-none)")
    assert "Siti Rahmawati" in page.text_content("#done-text")
    wait_pending(page, 0)
    signature = Signature.objects.get()
    assert signature.employee == people["Siti Rahmawati"]
    assert signature.device.name == "Tablet 1" and signature.strokes

    # Back to step 1 by itself, with nothing of the previous signer left on screen.
    page.wait_for_selector("#screen-search:not(.d-none)", timeout=15000)
    assert page.input_value("#search-input") == ""
    assert page.text_content("#pact") == ""
    # The queue never adds history entries: "back" leaves the kiosk instead of going to the
    # previous signer's screens.
    page.go_back()
    assert "Siti Rahmawati" not in page.content()

    # Signing again is refused with the time, on this tablet, offline knowledge included.
    page.goto(f"{live_server.url}{reverse('kiosk:app')}")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("#search-input", "Siti")
    page.click("#results button:has-text('Siti Rahmawati')")
    assert "sudah menandatangani" in page.text_content("#notice-text")


def test_offline_signatures_survive_a_reload_and_arrive_exactly_once(
    tablet_context, live_server, assembly, hr_a
):
    event, people = assembly
    context = tablet_context()
    page = paired_kiosk(context, live_server, event, hr_a, "Tablet 1")
    context.set_offline(True)
    page.wait_for_function("() => document.querySelector('#net-state').dataset.online === '0'")
    for name in ["Budi Santoso", "Agus Salim", "Dewi Lestari"]:
        sign(page, name.split()[0][:4], name)
    assert pending(page) == 3
    assert Signature.objects.count() == 0

    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    assert pending(page) == 3
    assert Signature.objects.count() == 0

    context.set_offline(False)
    wait_pending(page, 0)
    arrived = Signature.objects.filter(event=event)
    assert arrived.count() == 3
    assert {s.employee.name for s in arrived} == {"Budi Santoso", "Agus Salim", "Dewi Lestari"}
    assert all(s.received_at > s.client_signed_at for s in arrived)


def test_two_kiosks_race_for_the_same_person(tablet_context, live_server, assembly, hr_a):
    event, people = assembly
    east_context, west_context = tablet_context(), tablet_context()
    east = paired_kiosk(east_context, live_server, event, hr_a, "Tablet Timur")
    west = paired_kiosk(west_context, live_server, event, hr_a, "Tablet Barat")
    east_context.set_offline(True)
    west_context.set_offline(True)
    sign(east, "Rudi", "Rudi Hartono")
    sign(west, "Rudi", "Rudi Hartono")
    east_context.set_offline(False)
    west_context.set_offline(False)
    wait_pending(east, 0)
    wait_pending(west, 0)
    signature = Signature.objects.get(event=event)
    assert signature.employee == people["Rudi Hartono"]
    loser = west if signature.device.name == "Tablet Timur" else east
    loser.wait_for_selector("#recovery:not(.d-none)")
    refusal = loser.text_content("#recovery-list")
    assert "Rudi Hartono" in refusal and "sudah menandatangani" in refusal
    assert signature.device.name in refusal


def test_revoked_tablet_keeps_unsent_signatures_on_screen(
    tablet_context, live_server, assembly, hr_a
):
    event, _people = assembly
    context = tablet_context()
    page = paired_kiosk(context, live_server, event, hr_a, "Tablet 1")
    device = event.kiosks.get(name="Tablet 1")
    context.set_offline(True)
    sign(page, "Agus", "Agus Salim")
    kiosk.revoke_device(device=device, context=AuditContext.for_user(hr_a))
    context.set_offline(False)
    page.wait_for_selector("#banner:not(.d-none)")
    assert "dicabut" in page.text_content("#banner")
    page.wait_for_selector("#recovery:not(.d-none)")
    assert "Agus Salim" in page.text_content("#recovery-list")
    assert pending(page) == 1
    assert Signature.objects.count() == 0


def test_roster_search_over_five_thousand_names(tablet_context, live_server, assembly, hr_a):
    """Measures the search in the browser (printed, not asserted: no wall-clock asserts)."""
    event, _people = assembly
    page = paired_kiosk(tablet_context(), live_server, event, hr_a, "Tablet 1")
    roster_url = page.evaluate("JSON.parse(document.querySelector('script[type=importmap]')"
                               ".textContent).imports['pakta-kiosk/roster']")
    result = page.evaluate(
        """async (url) => {
            const roster = await import(url);
            const first = ["Siti", "Budi", "Agus", "Dewi", "Rudi", "Nur", "Eko", "Sri"];
            const last = ["Rahmawati", "Santoso", "Salim", "Lestari", "Hartono", "Hidayat"];
            const employees = [];
            for (let i = 0; i < 5000; i++) {
              employees.push({id: i, name: `${first[i % 8]} ${last[i % 6]} ${i}`,
                search_name: `${first[i % 8]} ${last[i % 6]} ${i}`, position: "Staf",
                unit: "Dinas", masked: "**************1001", digits_tail: "1001",
                rank: 9});
            }
            const prepared = roster.prepare(employees);
            const queries = ["s", "si", "sit", "siti", "siti r", "har 49", "1001", "zzz"];
            const times = [];
            let found = 0;
            for (let round = 0; round < 5; round++) {
              for (const q of queries) {
                const t = performance.now();
                found += roster.search(prepared, q).length;
                times.push(performance.now() - t);
              }
            }
            times.sort((a, b) => a - b);
            return {found, median: times[Math.floor(times.length / 2)], max: times.at(-1),
                    hit: roster.search(prepared, "san 4999").map((e) => e.name)};
        }""",
        roster_url,
    )
    print(f"\nroster search over 5,000 names: median {result['median']:.2f} ms, "
          f"max {result['max']:.2f} ms")
    assert result["hit"] == ["Sri Santoso 4999"]
    assert result["found"] > 0
    assert re.match(r"^\d", str(result["median"]))


def test_birth_date_check_happens_on_the_tablet_and_again_on_the_server(
    tablet_context, live_server, assembly, hr_a
):
    event, people = assembly
    event.identity_check = "birth_date"
    event.save(update_fields=["identity_check"])
    person = people["Dewi Lestari"]
    page = paired_kiosk(tablet_context(), live_server, event, hr_a, "Tablet 1")
    page.fill("#search-input", "dewi")
    page.click("#results button:has-text('Dewi Lestari')")
    page.wait_for_selector("#screen-identity:not(.d-none)")
    wrong = person.birth_date.replace(day=person.birth_date.day % 28 + 1)
    page.fill("#birth-date", f"{wrong:%d%m%Y}")
    page.click("#identity-form button[type=submit]")
    page.wait_for_function("() => document.querySelector('#identity-error').textContent.length > 0")
    assert "tidak cocok" in page.text_content("#identity-error")
    assert page.is_visible("#screen-identity")

    page.fill("#birth-date", f"{person.birth_date:%d%m%Y}")
    page.click("#identity-form button[type=submit]")
    page.wait_for_selector("#screen-pact:not(.d-none)")
    read_pact(page)
    page.check("#agree")
    page.click("#to-sign")
    draw_signature(page)
    page.click("#pad-done")
    page.wait_for_selector("#screen-done:not(.d-none)")
    wait_pending(page, 0)
    assert Signature.objects.get().employee == person


def test_kiosk_says_who_is_still_awaited_when_order_is_on(
    tablet_context, live_server, assembly, hr_a, agency_a
):
    event, _people = assembly
    head = factories.employee(agency_a, name="Halikinnor Kepala")
    agency_a.head = head
    agency_a.save()
    events.set_expected(event=event, add=[head], context=AuditContext.for_user(hr_a))
    event.enforce_signing_order = True
    event.save(update_fields=["enforce_signing_order"])
    page = paired_kiosk(tablet_context(), live_server, event, hr_a, "Tablet 1")
    page.wait_for_selector("#awaited:not(.d-none)")
    assert "Halikinnor Kepala" in page.text_content("#awaited")
    page.fill("#search-input", "budi")
    page.click("#results button:has-text('Budi Santoso')")
    page.wait_for_selector("#screen-notice:not(.d-none)")
    assert "Halikinnor Kepala" in page.text_content("#notice-text")
    page.click("#screen-notice [data-action=home]")
    sign(page, "hali", "Halikinnor Kepala")
    page.wait_for_selector("#awaited.d-none", state="attached")
    sign(page, "budi", "Budi Santoso")
    wait_pending(page, 0)
    assert Signature.objects.filter(event=event).count() == 2

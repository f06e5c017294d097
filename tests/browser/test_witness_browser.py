"""The witness ("Menyaksikan") signs with the signature pad: on the officer's screen, and on
their own phone through the one-time link (Playwright driving Debian's chromium)."""

import pytest
from playwright.sync_api import expect

from signings.models import WitnessIdentity, WitnessMethod, WitnessSignature
from signings.services import witnesses
from signings.services.context import AuditContext
from tests import factories
from tests.witness_support import office

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def witnessed(agency_a, unit_a, hr_a):
    setup = office(agency_a, unit_a, hr_a, staff=2)
    setup.signed = [factories.signature(setup.event, person, officer=hr_a)
                    for person in setup.staff]
    return setup


def draw(page):
    canvas = page.locator("[data-signature-pad] canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 60)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(box["x"] + 30 + step * 8, box["y"] + 60 + (25 if step % 2 else -25),
                        steps=2)
    page.mouse.up()


def test_the_witness_signs_on_the_officers_screen(page, log_in, live_server, witnessed):
    log_in(page, "hr_a")
    page.goto(f"{live_server.url}/sdm/acara/{witnessed.event.pk}/saksi/")
    row = page.locator(f"#witnesses tr[data-witness='{witnessed.chief.pk}']")
    expect(row).to_contain_text("0 / 2")
    row.locator("text=Tanda tangan di layar ini").click()
    expect(page.locator("#witness-pact")).to_contain_text("Berperan secara pro aktif")
    expect(page.locator("#witness-pacts input:checked")).to_have_count(2)
    page.locator("#witness-submit").click()  # nothing drawn yet
    expect(page.locator("main .alert-danger")).to_contain_text("Tanda tangan belum dibuat")
    assert not WitnessSignature.objects.exists()
    page.fill("input[name=birth_date]", witnessed.chief.birth_date.isoformat())
    draw(page)
    page.locator("#witness-submit").click()
    expect(page.locator(".alert-success")).to_contain_text("menyaksikan 2 pakta")
    expect(row).to_contain_text("2 / 2")
    rows = WitnessSignature.objects.all()
    assert rows.count() == 2
    assert {r.identity_method for r in rows} == {WitnessIdentity.BIRTH_DATE}


def test_the_witness_signs_one_pact_on_their_phone(new_context, live_server, witnessed,
                                                    hr_a):
    _link, token = witnesses.create_link(event=witnessed.event, witness=witnessed.chief,
                                         context=AuditContext.for_user(hr_a))
    phone = new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                        has_touch=True).new_page()
    phone.goto(f"{live_server.url}/saksi/{token}/")
    expect(phone.locator("#witness-pacts")).to_contain_text(
        witnessed.signed[0].employee.display_name)
    phone.locator(f"#pact-{witnessed.signed[1].pk}").uncheck()
    draw(phone)
    phone.locator("#witness-submit").click()
    expect(phone.locator("#witness-done")).to_contain_text("1 pakta disaksikan")
    [row] = WitnessSignature.objects.all()
    assert row.signature_id == witnessed.signed[0].pk
    assert row.method == WitnessMethod.OWN_DEVICE
    # The page keeps nothing personal on the phone, not even the token, and the link is spent.
    stored = phone.evaluate(
        "() => [localStorage, sessionStorage].flatMap(s => Object.keys(s).map(k => k + '='"
        " + s.getItem(k))).join('\\n')")
    for person in (witnessed.chief, *witnessed.staff):
        assert person.name not in stored
    assert token not in stored and "Berperan" not in stored
    response = phone.goto(f"{live_server.url}/saksi/{token}/")
    assert response.status == 404

"""The officer console in a real browser (Playwright driving Debian's chromium)."""

import pytest
from playwright.sync_api import expect

from signings.models import EventStatus, SignatureMethod
from signings.services import events
from signings.services.context import AuditContext
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_officer_logs_in(page, log_in, live_server, hr_a):
    log_in(page, "hr_a")
    expect(page.locator("nav")).to_contain_text("Pegawai")
    expect(page.locator("h1")).to_have_text("Beranda")


def test_wrong_password_stays_on_login(page, live_server, hr_a):
    page.goto(f"{live_server.url}/masuk/")
    page.fill("input[name=username]", "hr_a")
    page.fill("input[name=password]", "salah-sekali")
    page.click("main button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/masuk/")
    expect(page.locator("nav")).not_to_contain_text("Pegawai")


def test_import_csv_with_a_bad_row_shows_the_preview(page, log_in, live_server, hr_a, agency_a):
    csv = (
        "NIP;Nama;Kategori;Jabatan;Golongan\r\n"
        f"{factories.pns_nip(11)};Budi Santoso;PNS;Analis;III/a\r\n"
        "1.98001E+17;Nip Rusak;PNS;Analis;III/a\r\n"
    ).encode("cp1252")
    log_in(page, "hr_a")
    page.goto(f"{live_server.url}/sdm/impor/")
    page.select_option("select[name=agency]", str(agency_a.pk))
    page.set_input_files("input[name=file]", files=[
        {"name": "pegawai.csv", "mimeType": "text/csv", "buffer": csv}])
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("Pratinjau impor")
    bad = page.locator("#import-rows tr[data-status=error]")
    expect(bad).to_have_count(1)
    expect(bad).to_contain_text("3")
    expect(bad).to_contain_text("notasi ilmiah")
    expect(page.locator("#import-rows tr[data-status=new]")).to_contain_text("Budi Santoso")
    page.click("text=Konfirmasi dan simpan")
    expect(page.locator(".alert-success")).to_contain_text("1 pegawai baru")


@pytest.fixture
def draft_event(agency_a, unit_a, template_version, hr_a):
    for _ in range(3):
        factories.employee(unit_a)
    return factories.event(agency_a, officer=hr_a, template_version=template_version,
                           status=EventStatus.DRAFT)


def test_officer_opens_an_event(page, log_in, live_server, draft_event):
    log_in(page, "hr_a")
    page.goto(f"{live_server.url}/sdm/acara/{draft_event.pk}/")
    expect(page.locator("#event-status")).to_have_text("Draf")
    page.click("#open-event")
    expect(page.locator("#event-status")).to_have_text("Dibuka")
    draft_event.refresh_from_db()
    assert draft_event.status == EventStatus.OPEN


def test_live_view_updates_when_a_signature_is_recorded_elsewhere(page, log_in, live_server,
                                                                   draft_event, hr_a):
    event = events.open_event(event=draft_event, context=AuditContext.for_user(hr_a))
    log_in(page, "hr_a")
    page.goto(f"{live_server.url}/sdm/acara/{event.pk}/langsung/")
    expect(page.locator("#total-signed")).to_have_text("0")
    expect(page.locator("#total-missing")).to_have_text("3")
    # A marker on the window survives only if the page is not reloaded.
    page.evaluate("window.__stillSamePage = true")
    employee = event.expected.first().employee
    factories.signature(event, employee, officer=hr_a)
    expect(page.locator("#total-signed")).to_have_text("1")
    expect(page.locator("#total-missing")).to_have_text("2")
    expect(page.locator("#signed-list")).to_contain_text(employee.display_name)
    assert page.evaluate("window.__stillSamePage") is True


def test_officer_signs_on_screen_with_the_pad(page, log_in, live_server, draft_event, hr_a):
    event = events.open_event(event=draft_event, context=AuditContext.for_user(hr_a))
    employee = event.expected.first().employee
    log_in(page, "hr_a")
    page.goto(f"{live_server.url}/sdm/acara/{event.pk}/pegawai/{employee.pk}/tanda-tangan/")
    canvas = page.locator("[data-signature-pad] canvas")
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 100)
    page.mouse.down()
    for step in range(40):
        page.mouse.move(box["x"] + 30 + step * 8, box["y"] + 100 + (30 if step % 2 else -30),
                        steps=3)
    page.mouse.up()
    page.click("#signature-form button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Tanda tangan")
    assert event.signatures.valid().filter(employee=employee,
                                           method=SignatureMethod.OFFICER).exists()


def test_officer_records_an_absence_and_closes_the_event(page, log_in, live_server, draft_event,
                                                         hr_a):
    event = events.open_event(event=draft_event, context=AuditContext.for_user(hr_a))
    log_in(page, "hr_a")
    page.goto(f"{live_server.url}/sdm/acara/{event.pk}/langsung/")
    page.locator("#unsigned-list a[title='Catat tidak hadir']").first.click()
    page.select_option("select[name=reason]", "sick")
    page.click("main button[type=submit]")
    expect(page.locator("#total-absent")).to_have_text("1")
    page.goto(f"{live_server.url}/sdm/acara/{event.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#close-event")
    expect(page.locator("#event-status")).to_have_text("Ditutup")
    page.goto(f"{live_server.url}/sdm/acara/{event.pk}/langsung/")
    expect(page.locator("#live-panel")).to_contain_text("Acara sudah ditutup")

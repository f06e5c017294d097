"""The birth-date check in chromium: the vendored scrypt gives the server's bytes, three wrong
dates lock the person on the tablet (a reload keeps it), the server hears of it, an officer's
unlock reaches the tablet, and the signature records how identity and consent were given."""

from __future__ import annotations

import datetime
import hashlib
import statistics
import time

import pytest
from django.urls import reverse

from signings.models import AuditEntry, IdentityLock, IdentityMethod, Signature
from signings.services import identity_checks
from tests import factories
from tests.browser.kiosk_pages import agree_and_sign, paired_kiosk, wait_pending

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def birth_event(agency_a, unit_a, template_version, hr_a):
    """An open event that checks birth dates, with a few named people."""
    people = [factories.employee(unit_a, name=name)
              for name in ("Siti Rahmawati", "Budi Santoso", "Dewi Lestari")]
    event = factories.event(agency_a, officer=hr_a, template_version=template_version,
                            identity_check="birth_date")
    return event, {p.name: p for p in people}


def module_url(page, name: str) -> str:
    return page.evaluate("(name) => JSON.parse(document.querySelector("
                         "'script[type=importmap]').textContent).imports[name]", name)


def test_vendored_scrypt_matches_hashlib_at_the_production_cost(
    tablet_context, live_server, birth_event, hr_a
):
    """Also prints the browser's time per check (bench/kdf.py records it; not asserted)."""
    event, _people = birth_event
    page = paired_kiosk(tablet_context(), live_server, event, hr_a, "Tablet 1")
    params = {**identity_checks.kdf(), "N": identity_checks.DEFAULT_KDF_N}
    salt = "00112233445566778899aabbccddeeff"
    result = page.evaluate(
        """async ([url, kdf, salt]) => {
            const roster = await import(url);
            const times = [];
            let hash = "";
            for (let i = 0; i < 5; i++) {
              const t = performance.now();
              hash = roster.hashBirthDate(kdf, salt, "1985-08-17");
              times.push(performance.now() - t);
            }
            return {hash, times};
        }""",
        [module_url(page, "pakta-kiosk/roster"), params, salt],
    )
    expected = hashlib.scrypt(b"1985-08-17", salt=salt.encode(), n=params["N"], r=params["r"],
                              p=params["p"], dklen=params["dkLen"], maxmem=64 * 1024 * 1024)
    assert result["hash"] == expected.hex()
    assert result["hash"] == identity_checks.birth_verifier(
        salt, datetime.date(1985, 8, 17), params=params)
    print(f"\nscrypt N={params['N']} r={params['r']} in chromium: "
          f"median {statistics.median(result['times']):.1f} ms, "
          f"runs {[round(t) for t in result['times']]}")


def until(check, seconds: float = 10):
    """Poll a condition that needs an awaited page.evaluate (wait_for_function does not await)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)


def choose(page, query: str, name: str):
    page.fill("#search-input", query)
    page.click(f"#results button:has-text('{name}')")


def type_birth_date(page, day):
    page.fill("#birth-date", f"{day:%d%m%Y}")
    page.click("#identity-form button[type=submit]")


def test_three_wrong_dates_lock_the_person_through_a_reload_until_an_officer_unlocks(
    tablet_context, live_server, birth_event, hr_a, new_context, log_in, tmp_path
):
    event, people = birth_event
    person = people["Dewi Lestari"]
    context = tablet_context()
    page = paired_kiosk(context, live_server, event, hr_a, "Tablet 1")
    choose(page, "dewi", "Dewi Lestari")
    page.wait_for_selector("#screen-identity:not(.d-none)")
    for years in (1, 2, 3):
        type_birth_date(page, person.birth_date.replace(year=person.birth_date.year - years))
        if years < 3:
            page.wait_for_function(
                "() => document.querySelector('#identity-error').textContent"
                ".includes('tidak cocok')")
            page.fill("#birth-date", "")
    page.wait_for_selector("#screen-notice:not(.d-none)")
    assert "petugas" in page.text_content("#notice-text")
    assert "noble" not in page.text_content("body")  # no template comment leaks into the page
    page.screenshot(path=tmp_path / "kiosk-locked.png")

    # The report went through the outbox: the server locks the person on every tablet.
    outbox_url = module_url(page, "pakta-kiosk/outbox")
    until(lambda: not page.evaluate(
        "async (url) => (await (await import(url)).outboxItems()).length", outbox_url))
    lock = IdentityLock.objects.get(event=event, employee=person)
    assert lock.is_locked and lock.attempts == 3

    # Tapping the name again, even after a reload, gives no fresh tries.
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector("#screen-search:not(.d-none)")
    choose(page, "dewi", "Dewi Lestari")
    page.wait_for_selector("#screen-notice:not(.d-none)")
    assert "Dewi Lestari" in page.text_content("#notice-text")
    assert page.is_hidden("#screen-identity")

    # Offline, the lock still holds from IndexedDB alone.
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector("#screen-search:not(.d-none)")
    choose(page, "dewi", "Dewi Lestari")
    page.wait_for_selector("#screen-notice:not(.d-none)")
    context.set_offline(False)

    # The officer sees Dewi locked on the live view, checks her face to face and unlocks;
    # the tablet learns it from /status.
    officer = new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(officer, hr_a.username)
    officer.goto(f"{live_server.url}{reverse('hr:event_live', kwargs={'pk': event.pk})}")
    locks = officer.locator("#identity-locks")
    assert "Dewi Lestari" in locks.text_content()
    officer.screenshot(path=tmp_path / "live-locked.png")
    locks.get_by_role("button", name="Buka kunci setelah diperiksa tatap muka").click()
    officer.wait_for_selector(".alert-success")
    assert officer.locator("#identity-locks").count() == 0
    assert AuditEntry.objects.filter(action="signing.identity.unlocked", actor=hr_a).exists()
    print(f"\nscreenshots in {tmp_path}")
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    until(lambda: not page.evaluate(
        "async ([url, id]) => Boolean(((await (await import(url)).getConfig('locks')) || {})[id])",
        [outbox_url, person.pk]))
    choose(page, "dewi", "Dewi Lestari")
    page.wait_for_selector("#screen-identity:not(.d-none)")
    type_birth_date(page, person.birth_date)
    page.wait_for_selector("#screen-pact:not(.d-none)")
    agree_and_sign(page)
    wait_pending(page, 0)

    signature = Signature.objects.get()
    assert signature.employee == person
    assert signature.identity_method == IdentityMethod.BIRTH_DATE_OFFLINE
    assert signature.identity_result == "passed"
    assert signature.identity_wrong_attempts == 3  # the three before the unlock
    label = page.text_content("#agree-label")
    assert signature.consent_hash == hashlib.sha256(" ".join(label.split()).encode()).hexdigest()
    assert signature.consent_at is not None and signature.consent_at <= signature.signed_at
    assert signature.responsible_officer == hr_a

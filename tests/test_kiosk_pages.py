"""The officer's tablet pages: list, add (one-time code and QR), new code, revoke."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from signings.models import AuditEntry, EventStatus, KioskDevice
from signings.services import events, kiosk
from signings.services.context import AuditContext
from tests import factories
from tests.kiosk_support import auth, pair, submission, submit


def devices_url(event):
    return reverse("kiosk:devices", kwargs={"event_pk": event.pk})


def test_officer_sees_tablets_with_last_seen_and_counts(officer, open_event, hr_a):
    device, token = pair(open_event, hr_a, "Tablet Pintu Timur")
    person = open_event.expected.first().employee
    submit(officer, token, submission(open_event, person))
    officer.get(reverse("kiosk:api:status"), headers={**auth(token), "X-Kiosk-Pending": "4"})
    response = officer.get(devices_url(open_event))
    assert response.status_code == 200
    html = response.content.decode()
    row = re.search(rf'<tr data-device="{device.pk}".*?</tr>', html, re.S).group(0)
    assert "Tablet Pintu Timur" in row
    assert re.search(r">\s*4\s*<", row) and re.search(r">\s*1\s*<", row)


def test_adding_a_tablet_shows_a_one_time_code_and_qr(officer, open_event):
    response = officer.post(reverse("kiosk:device_add", kwargs={"event_pk": open_event.pk}),
                            {"name": "Tablet 1"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "<svg" in html
    code = re.search(r'id="pairing-code">([A-Z0-9-]+)<', html).group(1)
    device = KioskDevice.objects.get(name="Tablet 1")
    assert device.pairing_code_hash == kiosk.hash_secret(kiosk.normalize_pairing_code(code))
    # The code itself is nowhere in the database, only its hash.
    assert code.replace("-", "") not in str(list(KioskDevice.objects.values()))
    paired, _token = kiosk.pair_device(code=code, context=AuditContext())
    assert paired == device
    assert AuditEntry.objects.filter(action="kiosk.device.added").exists()


def test_qr_encodes_the_pairing_url(officer, open_event):
    segno = pytest.importorskip("segno")
    response = officer.post(reverse("kiosk:device_add", kwargs={"event_pk": open_event.pk}),
                            {"name": "Tablet 1"})
    html = response.content.decode()
    code = re.search(r'id="pairing-code">([A-Z0-9-]+)<', html).group(1).replace("-", "")
    url = f"http://testserver{reverse('kiosk:app')}#kode={code}"
    expected = segno.make(url, error="m").svg_inline(scale=6, dark="#000", light="#fff")
    assert expected in html


def test_duplicate_tablet_name_is_an_error_next_to_the_field(officer, open_event, hr_a):
    kiosk.add_device(event=open_event, name="Tablet 1", context=AuditContext.for_user(hr_a))
    response = officer.post(reverse("kiosk:device_add", kwargs={"event_pk": open_event.pk}),
                            {"name": "tablet 1"})
    assert response.status_code == 422
    assert "sudah dipakai" in response.content.decode()
    assert KioskDevice.objects.count() == 1


def test_closed_event_takes_no_new_tablets(officer, open_event, hr_a):
    events.close_event(event=open_event, context=AuditContext.for_user(hr_a))
    response = officer.post(reverse("kiosk:device_add", kwargs={"event_pk": open_event.pk}),
                            {"name": "Tablet 1"})
    assert response.status_code == 422
    assert "sudah ditutup" in response.content.decode()
    assert not KioskDevice.objects.exists()


def test_revoking_a_tablet_refuses_its_next_request(officer, open_event, hr_a):
    device, token = pair(open_event, hr_a)
    response = officer.post(reverse("kiosk:device_revoke",
                                    kwargs={"event_pk": open_event.pk, "pk": device.pk}))
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.revoked_at is not None and device.revoked_by == hr_a
    person = open_event.expected.first().employee
    assert submit(officer, token, submission(open_event, person)).status_code == 403
    assert AuditEntry.objects.filter(action="kiosk.device.revoked").exists()


def test_new_code_for_an_unpaired_tablet_replaces_the_old_one(officer, open_event, hr_a):
    first = kiosk.add_device(
        event=open_event,
        name="Tablet 1",
        context=AuditContext.for_user(hr_a),
    )
    response = officer.post(reverse("kiosk:device_code",
                                    kwargs={"event_pk": open_event.pk, "pk": first.device.pk}))
    assert response.status_code == 200
    with pytest.raises(kiosk.KioskError):
        kiosk.pair_device(code=first.code, context=AuditContext())


def test_officer_of_other_agency_gets_404(client, open_event, hr_b, hr_a):
    device, _token = pair(open_event, hr_a)
    client.force_login(hr_b)
    assert client.get(devices_url(open_event)).status_code == 404
    revoke = reverse("kiosk:device_revoke", kwargs={"event_pk": open_event.pk, "pk": device.pk})
    assert client.post(revoke).status_code == 404
    device.refresh_from_db()
    assert device.revoked_at is None


def test_device_of_another_event_is_404_under_this_event(officer, open_event, hr_a, agency_a,
                                                         template_version):
    import datetime

    other = factories.event(agency_a, officer=hr_a, template_version=template_version,
                            status=EventStatus.DRAFT, title="Lain",
                            date=datetime.date(2024, 2, 1), venue="Aula")
    device, _token = pair(other, hr_a)
    url = reverse("kiosk:device_revoke", kwargs={"event_pk": open_event.pk, "pk": device.pk})
    assert officer.post(url).status_code == 404


def test_devices_page_queries_stay_constant(officer, open_event, hr_a,
                                            django_assert_max_num_queries):
    pair(open_event, hr_a, "Tablet 0")
    with django_assert_max_num_queries(14):
        officer.get(devices_url(open_event))
    for n in range(1, 12):
        pair(open_event, hr_a, f"Tablet {n}")
    with django_assert_max_num_queries(14):
        response = officer.get(devices_url(open_event))
    assert response.content.decode().count("data-device=") == 12


def test_kiosk_app_shell_holds_no_data(client, open_event, hr_a):
    pair(open_event, hr_a)
    response = client.get(reverse("kiosk:app"))
    assert response.status_code == 200
    html = response.content.decode()
    person = open_event.expected.first().employee
    assert person.name not in html and open_event.title not in html


def test_service_worker_scope_and_asset_list(client):
    response = client.get(reverse("kiosk:service_worker"))
    assert response["Service-Worker-Allowed"] == reverse("kiosk:app")
    body = response.content.decode()
    assert "/static/kiosk/kiosk.js" in body and "/static/vendor/idb/idb.js" in body
    manifest = client.get(reverse("kiosk:manifest")).json()
    assert manifest["start_url"] == reverse("kiosk:app")

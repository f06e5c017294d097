"""Identity without leaks and with a lock that holds: the roster's scrypt verifiers and masks,
wrong birth dates locking a person on every tablet until an officer unlocks them, and what a
signature records about consent, identity and the officer answering for the tablet."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from signings.models import (
    AuditEntry,
    IdentityLock,
    IdentityMethod,
    IdentityResult,
    Role,
    Signature,
    SignatureMethod,
)
from signings.services import identity_checks, kiosk, signatures
from signings.services.context import AuditContext
from tests import factories
from tests.kiosk_support import auth, pair, submission, submit


@pytest.fixture
def birth_event(open_event):
    open_event.identity_check = "birth_date"
    open_event.save(update_fields=["identity_check"])
    return open_event


@pytest.fixture
def person(birth_event):
    return birth_event.expected.select_related("employee__agency").first().employee


def report(client, token, employee, *, wrong=3, attempt_id=None):
    body = {"attempt_id": str(attempt_id or uuid.uuid4()), "employee_id": employee.pk,
            "wrong": wrong, "client_at": timezone.now().isoformat()}
    return client.post(reverse("kiosk:api:identity_attempts"), json.dumps(body),
                       content_type="application/json", headers=auth(token))


def status(client, token) -> dict:
    return client.get(reverse("kiosk:api:status"), headers=auth(token)).json()


# --- what the tablet holds ------------------------------------------------------------------


def test_roster_carries_scrypt_verifiers_no_sha256_and_no_birth_digits(
    client, birth_event, hr_a
):
    _device, token = pair(birth_event, hr_a)
    data = client.get(reverse("kiosk:api:roster"), headers=auth(token)).json()
    assert data["kdf"] == identity_checks.kdf()
    assert "check_salt" not in data
    salts = set()
    for entry in data["employees"]:
        employee = birth_event.expected.get(employee_id=entry["id"]).employee
        assert "birth_hash" not in entry and "number_hash" not in entry
        # Only the last 4 digits show: no birth date, no birth year (NIP digits 1-8).
        assert re.fullmatch(r"\*{14}\d{4}", entry["masked"])
        assert employee.nip[:8] not in entry["masked"]
        assert entry["digits_tail"] == employee.nip[-4:]
        # Not a salted SHA-256 of the date, but scrypt with this person's own salt.
        iso = employee.birth_date.isoformat()
        for text in (iso, f"{entry['birth_salt']}:{entry['id']}:{iso}"):
            assert hashlib.sha256(text.encode()).hexdigest()[:24] not in entry["birth_verifier"]
        assert entry["birth_verifier"] == identity_checks.birth_verifier(
            entry["birth_salt"], employee.birth_date)
        salts.add(entry["birth_salt"])
    assert len(salts) == len(data["employees"])


def test_verifiers_are_made_once_and_remade_when_the_birth_date_changes(
    client, birth_event, person, hr_a
):
    _device, token = pair(birth_event, hr_a)
    first = client.get(reverse("kiosk:api:roster"), headers=auth(token)).json()
    again = client.get(reverse("kiosk:api:roster"), headers=auth(token)).json()
    assert first["employees"] == again["employees"]
    person.birth_date = person.birth_date - datetime.timedelta(days=1)
    person.save(update_fields=["birth_date"])
    changed = client.get(reverse("kiosk:api:roster"), headers=auth(token)).json()
    entry = next(e for e in changed["employees"] if e["id"] == person.pk)
    assert entry["birth_verifier"] == identity_checks.birth_verifier(entry["birth_salt"],
                                                                     person.birth_date)


def test_nik_mask_hides_the_birth_date_digits():
    from signings.identity import mask_tail

    assert mask_tail("6202011508900001") == "************0001"
    assert mask_tail("199001152020121001") == "**************1001"
    assert mask_tail("12345") == "*****"


# --- the lock -------------------------------------------------------------------------------


def test_three_wrong_dates_lock_on_every_tablet_until_an_officer_unlocks(
    client, birth_event, person, hr_a
):
    _one, token_one = pair(birth_event, hr_a, "Tablet 1")
    _two, token_two = pair(birth_event, hr_a, "Tablet 2")
    response = report(client, token_one, person)
    assert response.status_code == 200
    assert response.json()["locked"] is True and response.json()["attempts"] == 3
    assert status(client, token_two)["locked"] == [person.pk]

    refused = submit(client, token_two, submission(
        birth_event, person, birth_date=person.birth_date.isoformat()))
    assert refused.status_code == 423
    assert refused.json()["code"] == "identity.locked"
    assert Signature.objects.count() == 0
    online = client.post(reverse("kiosk:api:identity"),
                         json.dumps({"employee_id": person.pk,
                                     "birth_date": person.birth_date.isoformat()}),
                         content_type="application/json", headers=auth(token_two))
    assert online.status_code == 423

    identity_checks.unlock_identity(event=birth_event, employee=person,
                                    context=AuditContext.for_user(hr_a))
    assert status(client, token_two)["locked"] == []
    signed = submit(client, token_two, submission(
        birth_event, person, birth_date=person.birth_date.isoformat(),
        identity_wrong_attempts=0))
    assert signed.status_code == 201
    assert Signature.objects.get().employee == person
    # The wrong dates before the unlock stay part of the record.
    assert Signature.objects.get().identity_wrong_attempts == 3


def test_a_resent_report_counts_once(client, birth_event, person, hr_a):
    _device, token = pair(birth_event, hr_a)
    attempt = uuid.uuid4()
    report(client, token, person, wrong=2, attempt_id=attempt)
    again = report(client, token, person, wrong=2, attempt_id=attempt)
    assert again.json() == {**again.json(), "attempts": 2, "locked": False}
    assert IdentityLock.objects.get(employee=person).attempts == 2


def test_online_checks_count_wrong_dates_towards_the_lock(client, birth_event, person, hr_a):
    _device, token = pair(birth_event, hr_a)
    wrong = (person.birth_date - datetime.timedelta(days=3)).isoformat()
    answers = [client.post(reverse("kiosk:api:identity"),
                           json.dumps({"employee_id": person.pk, "birth_date": wrong}),
                           content_type="application/json", headers=auth(token)).json()
               for _ in range(3)]
    assert [a["attempts"] for a in answers] == [1, 2, 3]
    assert [a["locked"] for a in answers] == [False, False, True]


def test_lock_and_unlock_are_audited(client, birth_event, person, hr_a):
    _device, token = pair(birth_event, hr_a)
    report(client, token, person)
    locked = AuditEntry.objects.get(action="signing.identity.locked")
    assert locked.details["employee"] == person.pk and locked.details["attempts"] == 3
    assert locked.details["device"] == "Tablet 1"
    identity_checks.unlock_identity(event=birth_event, employee=person,
                                    context=AuditContext.for_user(hr_a))
    unlocked = AuditEntry.objects.get(action="signing.identity.unlocked")
    assert unlocked.details["attempts"] == 3
    assert unlocked.actor == hr_a
    lock = IdentityLock.objects.get(employee=person)
    assert lock.unlocked_by == hr_a and not lock.is_locked and lock.attempts == 0


def test_unlocking_someone_not_locked_is_refused(birth_event, person, hr_a):
    with pytest.raises(identity_checks.IdentityLockError) as refused:
        identity_checks.unlock_identity(event=birth_event, employee=person,
                                        context=AuditContext.for_user(hr_a))
    assert refused.value.code == "identity.not_locked"


def test_report_for_someone_not_expected_is_refused(client, birth_event, hr_a, agency_b):
    _device, token = pair(birth_event, hr_a)
    response = report(client, token, factories.employee(agency_b))
    assert response.status_code == 422
    assert response.json()["code"] == "employee.not_expected"


def test_officer_unlocks_from_the_live_view(officer, birth_event, person, hr_a, client):
    _device, token = pair(birth_event, hr_a)
    report(client, token, person)
    panel = officer.get(reverse("hr:event_live_panel", kwargs={"pk": birth_event.pk}))
    assert "Buka kunci setelah diperiksa tatap muka" in panel.content.decode()
    url = reverse("hr:identity_unlock", kwargs={"pk": birth_event.pk,
                                                "employee_pk": person.pk})
    assert officer.get(url).status_code == 405
    response = officer.post(url)
    assert response.status_code == 302
    assert not IdentityLock.objects.get(employee=person).is_locked


def test_another_agencys_officer_cannot_unlock(client, birth_event, person, hr_a, hr_b):
    _device, token = pair(birth_event, hr_a)
    report(client, token, person)
    client.force_login(hr_b)
    url = reverse("hr:identity_unlock", kwargs={"pk": birth_event.pk,
                                                "employee_pk": person.pk})
    assert client.post(url).status_code == 404
    assert IdentityLock.objects.get(employee=person).is_locked


# --- what the signature records -------------------------------------------------------------


def test_tablet_signature_records_consent_identity_attempts_and_officer(
    client, birth_event, person, hr_a
):
    _device, token = pair(birth_event, hr_a)
    consent = hashlib.sha256(b"Saya setuju.").hexdigest()
    ticked = timezone.now() - datetime.timedelta(seconds=20)
    response = submit(client, token, submission(
        birth_event, person, birth_date=person.birth_date.isoformat(), consent_hash=consent,
        consent_at=ticked.isoformat(), identity_method="birth_date_offline",
        identity_wrong_attempts=2))
    assert response.status_code == 201
    signature = Signature.objects.get()
    assert signature.consent_hash == consent
    assert signature.consent_at == ticked
    assert signature.identity_method == IdentityMethod.BIRTH_DATE_OFFLINE
    assert signature.identity_result == IdentityResult.PASSED
    assert signature.identity_wrong_attempts == 2
    assert signature.responsible_officer == hr_a
    details = AuditEntry.objects.get(action="signing.signature.recorded").details
    assert details["consent_hash"] == consent
    assert details["identity_method"] == "birth_date_offline"
    assert details["identity_result"] == "passed"
    assert details["identity_wrong_attempts"] == 2
    assert details["responsible_officer"] == hr_a.pk
    assert details["consent_at"]


def test_online_method_and_supervised_events_are_recorded_as_such(
    client, open_event, hr_a
):
    _device, token = pair(open_event, hr_a)
    person = open_event.expected.first().employee
    assert submit(client, token, submission(open_event, person,
                                            identity_method="birth_date_online")).status_code \
        == 201
    signature = Signature.objects.get()
    # A supervised event checks no birth date, whatever the tablet claims.
    assert signature.identity_method == IdentityMethod.NONE
    assert signature.identity_result == IdentityResult.NOT_CHECKED


def test_a_malformed_consent_hash_is_refused(client, birth_event, person, hr_a):
    _device, token = pair(birth_event, hr_a)
    response = submit(client, token, submission(
        birth_event, person, birth_date=person.birth_date.isoformat(), consent_hash="zz" * 32))
    assert response.status_code == 422
    assert response.json()["code"] == "consent.invalid"
    assert Signature.objects.count() == 0


def test_officer_screen_signature_records_the_officer_check_and_consent(
    officer, birth_event, person, hr_a
):
    from tests.kiosk_support import data_url

    url = reverse("hr:record_sign", kwargs={"pk": birth_event.pk, "employee_pk": person.pk})
    response = officer.post(url, {"signature": data_url(factories.signature_png())})
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.method == SignatureMethod.OFFICER
    assert signature.identity_method == IdentityMethod.OFFICER
    assert signature.identity_result == IdentityResult.PASSED
    assert signature.consent_hash == signatures.consent_hash(str(signatures.CONSENT_STATEMENT))
    assert signature.consent_at is not None
    assert signature.responsible_officer == hr_a


def test_tablet_officer_is_who_added_it_and_can_be_changed_with_an_audit_entry(
    birth_event, hr_a, agency_a
):
    device, _token = pair(birth_event, hr_a)
    assert device.responsible_officer == hr_a
    colleague = factories.user("hr_a2", role=Role.HR_OFFICER, agency=agency_a)
    kiosk.change_responsible_officer(device=device, officer=colleague,
                                     context=AuditContext.for_user(hr_a))
    device.refresh_from_db()
    assert device.responsible_officer == colleague
    entry = AuditEntry.objects.get(action="kiosk.device.officer_changed")
    assert entry.details["from"] == hr_a.pk and entry.details["to"] == colleague.pk


def test_a_tablet_cannot_be_handed_to_an_officer_of_another_agency(birth_event, hr_a, hr_b):
    device, _token = pair(birth_event, hr_a)
    with pytest.raises(kiosk.KioskError) as refused:
        kiosk.change_responsible_officer(device=device, officer=hr_b,
                                         context=AuditContext.for_user(hr_a))
    assert refused.value.code == "kiosk.officer_invalid"


def test_officer_changes_the_responsible_officer_on_the_tablets_page(
    officer, birth_event, hr_a, agency_a
):
    device, _token = pair(birth_event, hr_a)
    colleague = factories.user("hr_a3", role=Role.HR_OFFICER, agency=agency_a)
    page = officer.get(reverse("kiosk:devices", kwargs={"event_pk": birth_event.pk}))
    assert f'value="{colleague.pk}"' in page.content.decode()
    url = reverse("kiosk:device_officer", kwargs={"event_pk": birth_event.pk, "pk": device.pk})
    assert officer.post(url, {"officer": colleague.pk}).status_code == 302
    device.refresh_from_db()
    assert device.responsible_officer == colleague


def test_a_roster_with_no_time_for_verifiers_sends_tablets_to_the_server_meanwhile(
    client, birth_event, person, hr_a, settings
):
    from signings.tasks import prepare_birth_verifiers

    settings.PAKTA_BIRTH_VERIFIER_BUDGET_SECONDS = 0
    _device, token = pair(birth_event, hr_a)
    data = client.get(reverse("kiosk:api:roster"), headers=auth(token)).json()
    assert {e["birth_check"] for e in data["employees"]} == {"server"}
    assert all(e["birth_verifier"] == "" for e in data["employees"])

    made = prepare_birth_verifiers.call(birth_event.pk)
    assert made == len(data["employees"])
    settings.PAKTA_BIRTH_VERIFIER_BUDGET_SECONDS = 5
    again = client.get(reverse("kiosk:api:roster"), headers=auth(token)).json()
    assert {e["birth_check"] for e in again["employees"]} == {"scrypt"}

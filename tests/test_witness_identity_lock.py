"""A witness on the officer's screen: wrong birth dates count towards the same lock as a
signer's on the tablets, and after MAX_WRONG_ATTEMPTS the witness is refused (even with the
right date, or none) until an officer who has checked them face to face unlocks them."""

import base64

import pytest
from django.urls import reverse

from signings.models import AuditEntry, IdentityAttempt, IdentityLock, WitnessSignature
from signings.models.identity_lock import MAX_WRONG_ATTEMPTS
from tests import factories
from tests.witness_support import office

pytestmark = pytest.mark.django_db

WRONG = "1901-01-01"


def data_url() -> str:
    return "data:image/png;base64," + base64.b64encode(factories.signature_png()).decode()


@pytest.fixture
def setup(agency_a, unit_a, hr_a):
    """The chief witnesses the two staff members' pacts."""
    place = office(agency_a, unit_a, hr_a, staff=2)
    place.pacts = [factories.signature(place.event, person, officer=hr_a)
                   for person in place.staff]
    return place


def sign_url(setup) -> str:
    return reverse("hr:witness_sign", kwargs={"pk": setup.event.pk,
                                              "employee_pk": setup.chief.pk})


def unlock_url(setup, employee) -> str:
    return reverse("hr:identity_unlock", kwargs={"pk": setup.event.pk,
                                                 "employee_pk": employee.pk})


def post(client, setup, birth_date: str | None):
    data = {"signatures": [p.pk for p in setup.pacts], "signature": data_url()}
    if birth_date is not None:
        data["birth_date"] = birth_date
    return client.post(sign_url(setup), data)


def lock_of(setup) -> IdentityLock:
    return IdentityLock.objects.get(event=setup.event, employee=setup.chief)


def test_a_wrong_date_is_counted_and_audited(setup, officer, hr_a):
    page = post(officer, setup, WRONG)
    assert page.status_code == 200 and "Tanggal lahir tidak cocok" in page.content.decode()
    assert not WitnessSignature.objects.exists()
    lock = lock_of(setup)
    assert lock.attempts == 1 and not lock.is_locked
    assert IdentityAttempt.objects.filter(event=setup.event, employee=setup.chief,
                                          device=None).count() == 1
    entry = AuditEntry.objects.get(action="signing.witness.identity_wrong")
    assert entry.actor == hr_a
    assert entry.details == {"event": setup.event.pk, "witness": setup.chief.pk,
                             "attempts": 1, "locked": False}
    assert not AuditEntry.objects.filter(action="signing.identity.locked").exists()


def test_after_the_limit_even_the_right_date_is_refused(setup, officer):
    for _ in range(MAX_WRONG_ATTEMPTS - 1):
        assert "Tanggal lahir tidak cocok" in post(officer, setup, WRONG).content.decode()
    last = post(officer, setup, WRONG).content.decode()
    assert "dikunci setelah" in last and 'id="witness-locked"' in last
    assert lock_of(setup).is_locked and lock_of(setup).attempts == MAX_WRONG_ATTEMPTS
    locked = AuditEntry.objects.get(action="signing.identity.locked")
    assert locked.details["employee"] == setup.chief.pk and locked.details["device"] == ""
    assert AuditEntry.objects.filter(action="signing.witness.identity_wrong").count() == \
        MAX_WRONG_ATTEMPTS

    right = post(officer, setup, setup.chief.birth_date.isoformat())
    assert right.status_code == 200 and "dikunci setelah" in right.content.decode()
    # Leaving the date empty is not the officer vouching for a locked witness.
    assert "dikunci setelah" in post(officer, setup, None).content.decode()
    # Wrong dates once locked are not counted on: the lock is the answer.
    assert "dikunci setelah" in post(officer, setup, WRONG).content.decode()
    assert lock_of(setup).attempts == MAX_WRONG_ATTEMPTS
    assert not WitnessSignature.objects.exists()
    listing = officer.get(reverse("hr:event_witnesses", kwargs={"pk": setup.event.pk}))
    assert f'data-locked="{setup.chief.pk}"' in listing.content.decode()


def test_an_officer_unlocks_face_to_face_and_the_witness_signs(setup, officer, hr_a):
    for _ in range(MAX_WRONG_ATTEMPTS):
        post(officer, setup, WRONG)
    response = officer.post(unlock_url(setup, setup.chief), {"back": "witnesses"})
    assert response.status_code == 302
    assert response.url == reverse("hr:event_witnesses", kwargs={"pk": setup.event.pk})
    lock = lock_of(setup)
    assert not lock.is_locked and lock.attempts == 0 and lock.unlocked_by == hr_a
    entry = AuditEntry.objects.get(action="signing.identity.unlocked")
    assert entry.actor == hr_a and entry.details["attempts"] == MAX_WRONG_ATTEMPTS
    assert post(officer, setup, setup.chief.birth_date.isoformat()).status_code == 302
    assert WitnessSignature.objects.count() == len(setup.pacts)


def test_a_witness_not_on_the_roster_is_locked_and_unlocked_too(agency_a, unit_a, hr_a,
                                                                officer):
    inspector = factories.employee(unit_a, name="Inspektur Pembantu")
    place = office(agency_a, unit_a, hr_a, staff=1, witness=inspector)
    place.pacts = [factories.signature(place.event, place.staff[0], officer=hr_a)]
    place.chief = inspector  # the one who witnesses here
    assert not place.event.expected.filter(employee=inspector).exists()
    for _ in range(MAX_WRONG_ATTEMPTS):
        post(officer, place, WRONG)
    assert IdentityLock.objects.get(event=place.event, employee=inspector).is_locked
    assert officer.post(unlock_url(place, inspector), {"back": "witnesses"}).status_code == 302
    assert not IdentityLock.objects.get(event=place.event, employee=inspector).is_locked


def test_other_agencies_and_strangers_get_404(setup, client, hr_a, hr_b, agency_a):
    client.force_login(hr_a)
    for _ in range(MAX_WRONG_ATTEMPTS):
        post(client, setup, WRONG)
    client.force_login(hr_b)
    assert post(client, setup, setup.chief.birth_date.isoformat()).status_code == 404
    assert client.post(unlock_url(setup, setup.chief)).status_code == 404
    assert lock_of(setup).is_locked
    assert lock_of(setup).attempts == MAX_WRONG_ATTEMPTS
    client.force_login(hr_a)
    stranger = factories.employee(agency_a, name="Bukan Saksi")
    assert client.post(unlock_url(setup, stranger)).status_code == 404

"""The witness ("Menyaksikan") of a pact: who it is, and signing on the officer's screen."""

import datetime

import pytest
from django.urls import reverse

from signings.models import (
    AuditEntry,
    Signature,
    WitnessIdentity,
    WitnessMethod,
    WitnessRecordError,
    WitnessSignature,
)
from signings.services import witnesses
from signings.services.context import AuditContext
from tests import factories
from tests.witness_support import office

pytestmark = pytest.mark.django_db


def sign_all(setup, officer):
    return [factories.signature(setup.event, person, officer=officer)
            for person in (setup.head, setup.chief, *setup.staff)]


def test_the_direct_superior_witnesses_each_pact(agency_a, unit_a, hr_a):
    setup = office(agency_a, unit_a, hr_a)
    head, chief, *staff = sign_all(setup, hr_a)
    assert [s.witness_id for s in staff] == [setup.chief.pk] * 3
    assert chief.witness_id == setup.head.pk
    assert head.witness_id is None  # the head of the agency has no superior here
    entry = AuditEntry.objects.for_object(staff[0]).get(action="signing.signature.recorded")
    assert entry.details["witness"] == setup.chief.pk


def test_the_events_named_witness_overrides_superiors(agency_a, unit_a, hr_a):
    inspector = factories.employee(unit_a, name="Inspektur Pembantu")
    setup = office(agency_a, unit_a, hr_a, witness=inspector)
    inspector_signs = factories.signature(setup.event, inspector, officer=hr_a)
    staff = factories.signature(setup.event, setup.staff[0], officer=hr_a)
    chief = factories.signature(setup.event, setup.chief, officer=hr_a)
    assert staff.witness_id == inspector.pk and chief.witness_id == inspector.pk
    # Nobody witnesses their own pact: theirs falls back to their superior (none here).
    assert inspector_signs.witness_id is None


def test_templates_without_a_witness_block_assign_nobody(open_event, unit_a, hr_a):
    boss = factories.employee(unit_a)
    person = factories.employee(unit_a, superior=boss)
    assert factories.signature(open_event, person, officer=hr_a).witness_id is None


def test_a_superior_must_be_in_the_unit_or_above(agency_a, unit_a, agency_b):
    outsider = factories.employee(agency_b)
    person = factories.employee(unit_a)
    person.superior = outsider
    with pytest.raises(Exception, match="unit yang sama atau unit di atasnya"):
        person.full_clean()
    person.superior = factories.employee(agency_a)  # the unit's parent: fine
    person.full_clean()


def _data_url():
    import base64

    return "data:image/png;base64," + base64.b64encode(factories.signature_png()).decode()


def test_the_witness_signs_on_the_officers_screen(agency_a, unit_a, hr_a, officer):
    setup = office(agency_a, unit_a, hr_a)
    _head, _chief, *staff = sign_all(setup, hr_a)
    url = reverse("hr:witness_sign", kwargs={"pk": setup.event.pk, "employee_pk": setup.chief.pk})
    page = officer.get(url).content.decode()
    assert all(s.employee.display_name in page for s in staff)
    assert "Berperan secara pro aktif" in page  # the pact's text, readable
    ids = [s.pk for s in staff[:2]]

    wrong = officer.post(url, {"signatures": ids, "signature": _data_url(),
                               "birth_date": "1901-01-01"})
    assert wrong.status_code == 200
    assert "Tanggal lahir tidak cocok" in wrong.content.decode()
    assert not WitnessSignature.objects.exists()

    done = officer.post(url, {"signatures": ids, "signature": _data_url(),
                              "birth_date": setup.chief.birth_date.isoformat()})
    assert done.status_code == 302
    rows = list(WitnessSignature.objects.order_by("signature_id"))
    assert [r.signature_id for r in rows] == ids
    assert {(r.method, r.identity_method, r.officer_id) for r in rows} == {
        (WitnessMethod.OFFICER_SCREEN, WitnessIdentity.BIRTH_DATE, hr_a.pk)}
    assert len({r.image_sha256 for r in rows}) == 1
    entries = AuditEntry.objects.filter(action="signing.witness.recorded")
    assert sorted(e.details["signature"] for e in entries) == ids
    # The third pact still waits; the two cannot be witnessed twice.
    assert list(witnesses.pending(setup.event, setup.chief)) == [staff[2]]
    again = officer.post(url, {"signatures": ids, "signature": _data_url()})
    assert again.status_code == 200 and WitnessSignature.objects.count() == 2


def test_without_a_birth_date_the_officer_vouches(agency_a, unit_a, hr_a, officer):
    setup = office(agency_a, unit_a, hr_a, staff=1)
    staff = factories.signature(setup.event, setup.staff[0], officer=hr_a)
    url = reverse("hr:witness_sign", kwargs={"pk": setup.event.pk, "employee_pk": setup.chief.pk})
    assert officer.post(url, {"signatures": [staff.pk], "signature": _data_url()}).status_code \
        == 302
    assert WitnessSignature.objects.get().identity_method == WitnessIdentity.OFFICER


def test_someone_elses_pact_is_refused_whole(agency_a, unit_a, hr_a):
    setup = office(agency_a, unit_a, hr_a)
    head, chief, staff, *_ = sign_all(setup, hr_a)
    with pytest.raises(witnesses.WitnessError):
        witnesses.record_witness(
            event=setup.event, witness=setup.chief, context=AuditContext.for_user(hr_a),
            submission=witnesses.WitnessSubmission(
                signature_ids=[staff.pk, chief.pk], image_png=factories.signature_png(),
                method=WitnessMethod.OFFICER_SCREEN))
    assert not WitnessSignature.objects.exists()


def test_other_agencies_and_non_witnesses_get_404(agency_a, unit_a, hr_a, hr_b, client):
    setup = office(agency_a, unit_a, hr_a, staff=1)
    sign_all(setup, hr_a)
    url = reverse("hr:witness_sign", kwargs={"pk": setup.event.pk, "employee_pk": setup.chief.pk})
    client.force_login(hr_b)
    assert client.get(url).status_code == 404
    assert client.get(reverse("hr:event_witnesses", kwargs={"pk": setup.event.pk})
                      ).status_code == 404
    client.force_login(hr_a)
    not_a_witness = reverse("hr:witness_sign", kwargs={"pk": setup.event.pk,
                                                       "employee_pk": setup.staff[0].pk})
    assert client.get(not_a_witness).status_code == 404


def test_a_witness_signature_is_never_rewritten(agency_a, unit_a, hr_a):
    setup = office(agency_a, unit_a, hr_a, staff=1)
    staff = factories.signature(setup.event, setup.staff[0], officer=hr_a)
    [row] = witnesses.record_witness(
        event=setup.event, witness=setup.chief, context=AuditContext.for_user(hr_a),
            submission=witnesses.WitnessSubmission(
                signature_ids=[staff.pk], image_png=factories.signature_png(),
                method=WitnessMethod.OFFICER_SCREEN))
    with pytest.raises(WitnessRecordError):
        row.save()
    with pytest.raises(WitnessRecordError):
        row.delete()
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        WitnessSignature.objects.filter(pk=row.pk).update(
            signed_at=row.signed_at - datetime.timedelta(days=1))


@pytest.mark.parametrize("staff", [3, 12])
def test_the_witness_page_costs_the_same_for_more_pacts(agency_a, unit_a, hr_a, officer, staff,
                                                       django_assert_max_num_queries):
    setup = office(agency_a, unit_a, hr_a, staff=staff)
    sign_all(setup, hr_a)
    url = reverse("hr:witness_sign", kwargs={"pk": setup.event.pk, "employee_pk": setup.chief.pk})
    listing = reverse("hr:event_witnesses", kwargs={"pk": setup.event.pk})
    with django_assert_max_num_queries(14):
        assert officer.get(url).status_code == 200
    with django_assert_max_num_queries(12):
        assert officer.get(listing).status_code == 200


def test_signatures_stay_witnessless_for_voided_pacts(agency_a, unit_a, hr_a):
    setup = office(agency_a, unit_a, hr_a, staff=1)
    staff = factories.signature(setup.event, setup.staff[0], officer=hr_a)
    from signings.services import signatures

    signatures.void_signature(signature=staff, reason="Salah orang",
                              context=AuditContext.for_user(hr_a))
    assert not witnesses.pending(setup.event, setup.chief).exists()
    assert Signature.objects.filter(witness=setup.chief).count() == 1


def test_the_employee_form_sets_the_superior_by_nip(agency_a, unit_a, agency_b, officer):
    boss = factories.employee(unit_a, name="Atasan")
    person = factories.employee(unit_a)
    url = reverse("hr:employee_edit", kwargs={"pk": person.pk})
    form = officer.get(url).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update({"agency": unit_a.pk, "superior_nip": boss.nip})
    assert officer.post(url, data).status_code == 302
    person.refresh_from_db()
    assert person.superior == boss
    entry = AuditEntry.objects.filter(action="roster.employee.updated").latest("id")
    assert "superior_id" in str(entry.details)
    stranger = factories.employee(agency_b)
    data["superior_nip"] = stranger.nip
    response = officer.post(url, data)
    assert response.status_code == 200
    assert "Tidak ada pegawai dengan NIP ini" in response.content.decode()


def test_the_event_form_names_a_witness_by_nip(agency_a, unit_a, hr_a, officer):
    setup = office(agency_a, unit_a, hr_a, staff=1)
    url = reverse("hr:event_edit", kwargs={"pk": setup.event.pk})
    form = officer.get(url).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data["witness"] = setup.head.nip
    data["date"] = setup.event.date.isoformat()
    response = officer.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    setup.event.refresh_from_db()
    assert setup.event.witness == setup.head
    staff = factories.signature(setup.event, setup.staff[0], officer=hr_a)
    assert staff.witness == setup.head

"""The witness's own device: a one-time personal link that lists the pacts they witness."""

import base64
import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from signings.models import AuditEntry, WitnessIdentity, WitnessLink, WitnessMethod
from signings.services import witnesses
from signings.services.context import AuditContext
from tests import factories
from tests.witness_support import office

pytestmark = pytest.mark.django_db


def data_url():
    return "data:image/png;base64," + base64.b64encode(factories.signature_png()).decode()


@pytest.fixture
def setup(agency_a, unit_a, hr_a):
    made = office(agency_a, unit_a, hr_a, staff=2)
    made.signed = [factories.signature(made.event, person, officer=hr_a)
                   for person in made.staff]
    return made


def make_link(officer, setup) -> str:
    response = officer.post(reverse("hr:witness_link", kwargs={
        "pk": setup.event.pk, "employee_pk": setup.chief.pk}))
    assert response.status_code == 200
    url = re.search(r'id="witness-url">([^<]+)<', response.content.decode()).group(1)
    return url.split("/saksi/")[1].rstrip("/")


def test_the_link_shows_only_what_the_witness_needs(setup, officer, client):
    token = make_link(officer, setup)
    assert not WitnessLink.objects.filter(token_sha256__contains=token).exists()
    client.logout()
    page = client.get(reverse("witness:sign", args=[token]))
    assert page.status_code == 200
    html = page.content.decode()
    for signature in setup.signed:
        assert signature.employee.display_name in html
        assert signature.employee.nip not in html  # no NIP, not even the signers'
    assert setup.chief.nip not in html
    assert "Berperan secara pro aktif" in html
    assert page["X-Robots-Tag"] == "noindex" and "no-store" in page["Cache-Control"]


def test_the_witness_signs_all_at_once_and_the_link_is_spent(setup, officer, client):
    token = make_link(officer, setup)
    client.logout()
    url = reverse("witness:sign", args=[token])
    done = client.post(url, {"signatures": [s.pk for s in setup.signed],
                             "signature": data_url()})
    assert done.status_code == 200 and 'id="witness-done"' in done.content.decode()
    rows = setup.chief.witness_signatures.all()
    assert rows.count() == 2
    assert {(r.method, r.identity_method, r.officer_id) for r in rows} == {
        (WitnessMethod.OWN_DEVICE, WitnessIdentity.PERSONAL_LINK, None)}
    assert WitnessLink.objects.get().used_at is not None
    assert AuditEntry.objects.filter(action="signing.witness.link_created").count() == 1
    assert AuditEntry.objects.filter(action="signing.witness.recorded").count() == 2
    assert client.get(url).status_code == 404
    assert client.post(url, {"signatures": [setup.signed[0].pk],
                             "signature": data_url()}).status_code == 404


def test_an_expired_or_unknown_link_is_404(setup, officer, client):
    token = make_link(officer, setup)
    WitnessLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1),
                               created_at=timezone.now() - datetime.timedelta(days=4))
    client.logout()
    assert client.get(reverse("witness:sign", args=[token])).status_code == 404
    assert client.get(reverse("witness:sign", args=["x" * 32])).status_code == 404


def test_a_new_link_retires_the_earlier_one(setup, officer, client):
    first = make_link(officer, setup)
    second = make_link(officer, setup)
    assert client.get(reverse("witness:sign", args=[first])).status_code == 404
    assert client.get(reverse("witness:sign", args=[second])).status_code == 200


def test_a_link_signs_only_its_own_event_and_witness(setup, agency_a, unit_a, hr_a):
    link, _token = witnesses.create_link(event=setup.event, witness=setup.chief,
                                         context=AuditContext.for_user(hr_a))
    other = office(agency_a, unit_a, hr_a, staff=1)
    signed = factories.signature(other.event, other.staff[0], officer=hr_a)
    with pytest.raises(witnesses.WitnessError) as refused:
        witnesses.record_witness(
            event=other.event, witness=other.chief, context=AuditContext(),
            submission=witnesses.WitnessSubmission(
                signature_ids=[signed.pk], image_png=factories.signature_png(),
                method=WitnessMethod.OWN_DEVICE, link=link))
    assert refused.value.status == 404
    assert not other.chief.witness_signatures.exists()


def test_other_agencies_cannot_make_links(setup, client, hr_b):
    client.force_login(hr_b)
    response = client.post(reverse("hr:witness_link", kwargs={
        "pk": setup.event.pk, "employee_pk": setup.chief.pk}))
    assert response.status_code == 404
    assert not WitnessLink.objects.exists()

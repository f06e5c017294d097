"""One signing order everywhere: the head of the agency first (whatever their echelon), then
echelon II, III, IV, then staff; ties by agency path, then name."""

import datetime

import pytest
from django.urls import reverse

from signings.models import Echelon
from signings.pdf.recap import recap_context
from signings.readmodels import live
from signings.services import events, kiosk
from signings.services.context import AuditContext
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked_event(agency_a, unit_a, template_version, hr_a):
    """An event whose head has echelon III, with officials and staff created out of order."""
    people = {
        "staff_unit": factories.employee(unit_a, name="Ani Staf Unit"),
        "echelon_iv": factories.employee(unit_a, name="Budi Kasi", echelon=Echelon.IV),
        "staff_top_b": factories.employee(agency_a, name="Citra Staf"),
        "echelon_ii": factories.employee(agency_a, name="Zaenal Sekretaris",
                                         echelon=Echelon.II),
        "echelon_iii_unit": factories.employee(unit_a, name="Agus Kabid", echelon=Echelon.III),
        "staff_top_a": factories.employee(agency_a, name="Bambang Staf"),
        "echelon_iii_top": factories.employee(agency_a, name="Yusuf Kabag",
                                              echelon=Echelon.III),
        "head": factories.employee(agency_a, name="Wahyu Kepala", echelon=Echelon.III),
    }
    agency_a.head = people["head"]
    agency_a.save(update_fields=["head"])
    event = events.create_event(
        agency=agency_a,
        details=events.NewEvent(template_version=template_version, title="Apel Besar",
                                date=datetime.date(2024, 1, 17), venue="Halaman",
                                enforce_signing_order=True),
        context=AuditContext.for_user(hr_a),
    )
    event = events.open_event(event=event, context=AuditContext.for_user(hr_a))
    return event, people


# The paths of agency_a ("0001") sort before its unit's ("0001.0001"): within a rank, people at
# the top agency come first, then by name.
EXPECTED_ORDER = [
    "head", "echelon_ii", "echelon_iii_top", "echelon_iii_unit", "echelon_iv",
    "staff_top_a", "staff_top_b", "staff_unit",
]


def test_every_list_gives_the_same_signing_order_head_first(client, hr_a, ranked_event):
    event, people = ranked_event
    expected = [people[key].pk for key in EXPECTED_ORDER]
    client.force_login(hr_a)

    # The live view's unsigned list.
    unsigned = client.get(reverse("hr:event_live", kwargs={"pk": event.pk})).context["unsigned"]
    assert [row.employee_id for row in unsigned] == expected
    assert [row.employee_id for row in live.unsigned_list(event)[0]] == expected

    # The representative candidates offered to the officer.
    form = client.get(reverse("hr:record_representative", kwargs={"pk": event.pk})
                      ).context["form"]
    assert [pk for pk, _label in form.fields["employee"].choices if pk] == expected

    # The tablet: the cached roster, and the "still awaited" queue as people sign in turn.
    assert [row["id"] for row in kiosk.roster(event)] == expected
    awaited_in_turn = []
    while awaited := kiosk.awaited_signers(event):
        awaited_in_turn += [person.pk for person in awaited]
        for person in awaited:
            factories.record(event, person, officer=hr_a, expect=False)
    assert awaited_in_turn == expected

    # The recap, once everyone has signed.
    assert [row["employee"].pk for row in recap_context(event)["rows"]] == expected

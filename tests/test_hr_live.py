"""The live assembly view: totals, breakdowns, lists, search, polling, constant queries."""

import pytest
from django.urls import reverse

from signings.models import AbsenceReason, AttendanceStatus, EmployeeCategory, SignatureMethod
from signings.services import attendance, events, signatures
from signings.services.context import AuditContext
from signings.services.signatures import Submission
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def assembly(open_event, agency_a, unit_a, hr_a):
    """An open event: 3 PNS in unit A, 1 TKD at the top, 1 PNS at the top."""
    tkd = factories.employee(agency_a, category=EmployeeCategory.TKD, name="Tenaga Daerah")
    boss = factories.employee(agency_a, name="Kepala Badan")
    events.set_expected(event=open_event, add=[tkd, boss], context=AuditContext.for_user(hr_a))
    unit_staff = [row.employee for row in open_event.expected.filter(employee__agency=unit_a)]
    factories.signature(open_event, unit_staff[0], officer=hr_a)
    factories.signature(open_event, tkd, officer=hr_a)
    attendance.record_outcome(
        event=open_event,
        employee=unit_staff[1],
        outcome=attendance.OutcomeNote(status=AttendanceStatus.ABSENT, reason=AbsenceReason.SICK),
        context=AuditContext.for_user(hr_a),
    )
    return open_event


def test_totals_and_breakdowns(officer, assembly, unit_a, agency_a):
    context = officer.get(reverse("hr:event_live", kwargs={"pk": assembly.pk})).context
    assert {k: context["totals"][k] for k in ("expected", "signed", "absent", "missing")} == {
        "expected": 5, "signed": 2, "absent": 1, "missing": 2}
    units = {row["employee__agency__name"]: row for row in context["units"]}
    assert (units[unit_a.name]["expected"], units[unit_a.name]["signed"],
            units[unit_a.name]["absent"], units[unit_a.name]["missing"]) == (3, 1, 1, 1)
    assert (units[agency_a.name]["expected"], units[agency_a.name]["signed"]) == (2, 1)
    categories = {row["employee__category"]: row for row in context["categories"]}
    assert categories["TKD"]["signed"] == 1 and categories["PNS"]["expected"] == 4


def test_voided_signature_no_longer_counts(officer, assembly, hr_a):
    signature = assembly.signatures.valid().first()
    signatures.void_signature(
        signature=signature,
        reason="Salah orang",
        context=AuditContext.for_user(hr_a),
    )
    context = officer.get(reverse("hr:event_live_panel", kwargs={"pk": assembly.pk})).context
    assert context["totals"]["signed"] == 1


def test_lists_and_search(officer, assembly):
    url = reverse("hr:event_live_panel", kwargs={"pk": assembly.pk})
    context = officer.get(url).context
    assert {s.employee.name for s in context["signed"]} >= {"Tenaga Daerah"}
    assert "Kepala Badan" in {row.employee.name for row in context["unsigned"]}
    absent = [row for row in context["unsigned"] if row.outcome_status == "absent"]
    assert len(absent) == 1
    searched = officer.get(url, {"q": "kepala"}).context
    assert [row.employee.name for row in searched["unsigned"]] == ["Kepala Badan"]
    assert searched["signed"] == []


def test_page_polls_the_partial_which_is_not_a_full_page(officer, assembly):
    page = officer.get(reverse("hr:event_live", kwargs={"pk": assembly.pk})).content.decode()
    partial_url = reverse("hr:event_live_panel", kwargs={"pk": assembly.pk})
    assert f'hx-get="{partial_url}"' in page and 'hx-trigger="every 3s"' in page
    partial = officer.get(partial_url).content.decode()
    assert "<html" not in partial and 'id="live-panel"' in partial


def test_closed_event_shows_that_recording_is_refused(officer, assembly, hr_a):
    events.close_event(event=assembly, context=AuditContext.for_user(hr_a))
    panel = officer.get(reverse("hr:event_live_panel", kwargs={"pk": assembly.pk}))
    assert "Acara sudah ditutup" in panel.content.decode()


def test_live_panel_query_count_is_constant(officer, open_event, unit_a, hr_a,
                                            django_assert_max_num_queries):
    url = reverse("hr:event_live_panel", kwargs={"pk": open_event.pk})
    with django_assert_max_num_queries(16) as small:
        officer.get(url)
    more = [factories.employee(unit_a) for _ in range(80)]
    events.set_expected(event=open_event, add=more, context=AuditContext.for_user(hr_a))
    for employee in more[:60]:
        factories.signature(open_event, employee, officer=hr_a)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = officer.get(url, {"q": "Pegawai"})
    assert len(response.context["signed"]) == 50 and response.context["signed_total"] == 60


def test_people_covered_by_a_representative_are_marked(officer, open_event, hr_a):
    from signings.services import representation

    signer, *covered = [row.employee for row in open_event.expected.all()]
    representation.record_representative(
        event=open_event,
        employee=signer,
        submission=Submission(
            method=SignatureMethod.REPRESENTATIVE,
            template_hash=open_event.template_version.content_hash,
            image_png=factories.signature_png(),
            represented_group="Seluruh staf",
        ),
        covers=covered[:1],
        context=AuditContext.for_user(hr_a),
    )
    context = officer.get(reverse("hr:event_live_panel", kwargs={"pk": open_event.pk})).context
    marked = {row.employee_id for row in context["unsigned"] if row.represented}
    assert marked == {covered[0].pk}
    assert context["totals"]["signed"] == 1

"""One definition of expected / signed / absent / missing, the same on every page and file.

Signed: an own valid signature. Absent: "tidak hadir" and not signed. Missing: neither, which
includes "sign later", a voided signature not yet replaced, and people only named in someone
else's representative signature.
"""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from signings.models import (
    AbsenceReason,
    AttendanceStatus,
    ExpectedSigner,
    SignatureMethod,
    SigningEvent,
    Tally,
)
from signings.pdf.recap import recap_context
from signings.readmodels import compliance, live
from signings.services import attendance, events, representation, signatures
from signings.services.context import AuditContext
from signings.services.signatures import Submission
from tests import factories
from tests.pdf_helpers import pdf_text

pytestmark = pytest.mark.django_db

EXPECTED_COUNTS = {"expected": 8, "signed": 3, "absent": 1, "missing": 4}


@pytest.fixture
def mixed_event(agency_a, unit_a, template_version, hr_a):
    people = {key: factories.employee(unit_a, name=f"Pegawai {key}") for key in (
        "signed", "voided", "absent", "absent_then_signed", "sign_later", "representative",
        "covered", "missing")}
    outsider = factories.employee(unit_a, name="Pegawai luar daftar")
    event = events.create_event(
        agency=agency_a,
        details=events.NewEvent(template_version=template_version, title="Apel Gabungan",
                                date=datetime.date(2024, 1, 17), venue="Halaman"),
        expected=list(people.values()), context=AuditContext.for_user(hr_a),
    )
    event = events.open_event(event=event, context=AuditContext.for_user(hr_a))
    factories.signature(event, people["signed"], officer=hr_a)
    voided = factories.signature(event, people["voided"], officer=hr_a)
    signatures.void_signature(signature=voided, context=AuditContext.for_user(hr_a),
                              reason="Salah orang")
    attendance.record_outcome(
        event=event,
        employee=people["absent"],
        outcome=attendance.OutcomeNote(status=AttendanceStatus.ABSENT, reason=AbsenceReason.SICK),
        context=AuditContext.for_user(hr_a),
    )
    attendance.record_outcome(
        event=event,
        employee=people["absent_then_signed"],
        outcome=attendance.OutcomeNote(status=AttendanceStatus.ABSENT, reason=AbsenceReason.LEAVE),
        context=AuditContext.for_user(hr_a),
    )
    factories.signature(event, people["absent_then_signed"], officer=hr_a)
    attendance.record_outcome(
        event=event,
        employee=people["sign_later"],
        outcome=attendance.OutcomeNote(status=AttendanceStatus.SIGN_LATER,
                                       note="Sedang dinas pagi"),
        context=AuditContext.for_user(hr_a),
    )
    representation.record_representative(
        event=event, employee=people["representative"],
        submission=Submission(method=SignatureMethod.REPRESENTATIVE,
                              template_hash=event.template_version.content_hash,
                              image_png=factories.signature_png(),
                              represented_group="Seluruh staf Sekretariat"),
        covers=[people["covered"]], context=AuditContext.for_user(hr_a),
    )
    # One more expected signer, then removed again: nobody outside the list is counted.
    events.set_expected(event=event, add=[outsider], context=AuditContext.for_user(hr_a))
    events.set_expected(event=event, remove=[outsider], context=AuditContext.for_user(hr_a))
    return event, people


def test_the_definition_itself(mixed_event):
    event, people = mixed_event
    expected = ExpectedSigner.objects.filter(event=event)
    assert expected.tally() == EXPECTED_COUNTS
    missing = {row.employee_id for row in expected.in_tally(Tally.MISSING)}
    assert missing == {people[k].pk for k in ("voided", "sign_later", "covered", "missing")}
    assert [row.employee_id for row in expected.in_tally(Tally.ABSENT)] == [people["absent"].pk]


def test_live_view_compliance_recap_and_event_lists_agree(client, hr_a, auditor_a, agency_a,
                                                          mixed_event):
    event, people = mixed_event
    pick = lambda counts: {key: counts[key] for key in EXPECTED_COUNTS}  # noqa: E731

    # The live view (HR), and the HR event page's count cards.
    client.force_login(hr_a)
    live_context = client.get(reverse("hr:event_live", kwargs={"pk": event.pk})).context
    assert pick(live_context["totals"]) == EXPECTED_COUNTS
    assert pick(live.totals(event)) == EXPECTED_COUNTS
    detail = client.get(reverse("hr:event_detail", kwargs={"pk": event.pk})).context
    assert {t["key"]: t["value"] for t in detail["tallies"]} == EXPECTED_COUNTS

    # Event lists: the queryset every list uses, the HR list and the home page.
    listed = SigningEvent.objects.with_counts().get(pk=event.pk)
    assert listed.tally == EXPECTED_COUNTS
    home_event = next(e for e in client.get(reverse("home")).context["events"]
                      if e.pk == event.pk)
    assert home_event.tally == EXPECTED_COUNTS
    hr_event = next(e for e in client.get(reverse("hr:events")).context["page"]
                    if e.pk == event.pk)
    assert hr_event.tally == EXPECTED_COUNTS

    # The auditor's pages: event list, event record, compliance page and XLSX.
    client.force_login(auditor_a)
    audit_event = next(e for e in client.get(reverse("audit:event_list")).context["events"]
                       if e.pk == event.pk)
    assert audit_event.tally == EXPECTED_COUNTS
    record = client.get(reverse("audit:event_detail", args=[event.pk])).context["record"]
    assert record.counts == EXPECTED_COUNTS
    assert (len(record.signed), len(record.absent), len(record.missing)) == (3, 1, 4)

    rows = compliance.compliance_rows(agency_a, event)
    total = compliance.totals(rows, agency_a)
    assert {key: getattr(total, key) for key in EXPECTED_COUNTS} == EXPECTED_COUNTS
    page = client.get(reverse("audit:compliance", args=[agency_a.pk]), {"acara": event.pk})
    assert {key: getattr(page.context["total"], key) for key in EXPECTED_COUNTS} == \
        EXPECTED_COUNTS
    response = client.get(reverse("audit:compliance_xlsx", args=[agency_a.pk]),
                          {"acara": event.pk})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *_rows, last = list(sheet.iter_rows(min_row=2, values_only=True))
    assert header[1:5] == tuple(str(label) for label in Tally.labels)
    assert last[0] == "Jumlah" and last[1:5] == (8, 3, 1, 4)

    # The recap: its data, and the printed line of counts.
    context = recap_context(event)
    assert context["record"].counts == EXPECTED_COUNTS
    assert len(context["rows"]) == 3
    text = pdf_text(client.get(reverse("audit:event_recap", args=[event.pk])).content)
    assert "Diharapkan 8 · Sudah tanda tangan 3 · Tidak hadir 1 · Belum tanda tangan 4" in text
    assert "Sedang dinas pagi" in text  # the sign-later note is printed with the missing


def test_every_page_uses_the_same_words(client, hr_a, auditor_a, agency_a, mixed_event):
    event, _people = mixed_event
    words = [str(label) for label in Tally.labels]
    assert words == ["Diharapkan", "Sudah tanda tangan", "Tidak hadir", "Belum tanda tangan"]
    client.force_login(hr_a)
    hr_pages = [reverse("hr:event_live", kwargs={"pk": event.pk}),
                reverse("hr:event_detail", kwargs={"pk": event.pk})]
    client.force_login(auditor_a)
    audit_pages = [reverse("audit:event_list"), reverse("audit:event_detail", args=[event.pk]),
                   reverse("audit:compliance", args=[agency_a.pk])]
    for user, pages in ((hr_a, hr_pages), (auditor_a, audit_pages)):
        client.force_login(user)
        for url in pages:
            page = client.get(url).content.decode()
            assert all(word in page for word in words), url
            for retired in ("Berhalangan", "Menandatangani<", "Belum ada keterangan"):
                assert retired not in page, (url, retired)

"""The one write path for signatures: constraints, idempotency, refusals with codes."""

import uuid

import pytest
from django.db import IntegrityError, transaction

from signings import tasks
from signings.models import AuditEntry, Signature, SignatureMethod
from signings.services import events
from signings.services.context import AuditContext
from signings.services.signatures import SigningError, void_signature
from signings.signature_image import SignatureImageError
from tests import factories


@pytest.mark.django_db
def test_second_signature_for_same_event_and_employee_fails_at_the_database(open_event, hr_a):
    employee = open_event.expected.first().employee
    fields = {"event": open_event, "employee": employee, "method": SignatureMethod.OFFICER,
              "officer": hr_a, "template_hash": "x" * 64}
    Signature.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(**fields)


@pytest.mark.django_db
def test_recording_stores_image_hash_and_audit_entry(open_event, hr_a):
    employee = open_event.expected.first().employee
    result = factories.record(open_event, employee, officer=hr_a, expect=False)
    signature = result.signature
    assert result.created
    assert signature.image.read().startswith(b"\x89PNG")
    # The thumbnail is made after commit, by a task, outside the signing request.
    tasks.make_signature_thumbnail.call(signature.pk)
    signature.refresh_from_db()
    assert signature.thumbnail.name.endswith(".jpg")
    assert signature.template_hash == open_event.template_version.content_hash
    entry = AuditEntry.objects.for_object(signature).get()
    assert entry.action == "signing.signature.recorded"
    assert entry.actor == hr_a


@pytest.mark.django_db
def test_same_submission_twice_returns_the_original(open_event, hr_a):
    employee = open_event.expected.first().employee
    submission = uuid.uuid4()
    png = factories.signature_png()
    first = factories.record(open_event, employee, officer=hr_a, expect=False,
                             submission_id=submission, image_png=png)
    again = factories.record(open_event, employee, officer=hr_a, expect=False,
                             submission_id=submission, image_png=png)
    assert not again.created
    assert again.signature.pk == first.signature.pk
    assert Signature.objects.count() == 1


@pytest.mark.django_db
def test_same_submission_with_other_payload_is_refused(open_event, hr_a):
    employee = open_event.expected.first().employee
    submission = uuid.uuid4()
    factories.record(open_event, employee, officer=hr_a, expect=False, submission_id=submission)
    with pytest.raises(SigningError) as excinfo:
        factories.record(open_event, employee, officer=hr_a, expect=False, submission_id=submission,
             image_png=factories.signature_png(500, 180))
    assert excinfo.value.code == "submission.conflict"
    assert excinfo.value.status == 422


@pytest.mark.django_db
def test_already_signed_is_a_conflict_carrying_the_original(open_event, hr_a):
    employee = open_event.expected.first().employee
    first = factories.record(open_event, employee, officer=hr_a, expect=False).signature
    with pytest.raises(SigningError) as excinfo:
        factories.record(open_event, employee, officer=hr_a, expect=False)
    assert excinfo.value.code == "signature.already_signed"
    assert excinfo.value.status == 409
    assert excinfo.value.detail == {
        "employee_id": first.employee_id,
        "signed_at": first.signed_at.isoformat(),
        "where": "",
        "method": first.method,
    }


@pytest.mark.django_db
def test_unexpected_employee_is_refused(open_event, hr_a, agency_b):
    outsider = factories.employee(agency_b)
    with pytest.raises(SigningError) as excinfo:
        factories.record(open_event, outsider, officer=hr_a, expect=False)
    assert excinfo.value.code == "employee.not_expected"
    assert not Signature.objects.exists()


@pytest.mark.django_db
def test_closed_event_refuses_signatures(open_event, hr_a):
    events.close_event(event=open_event, context=AuditContext.for_user(hr_a))
    employee = open_event.expected.first().employee
    with pytest.raises(SigningError) as excinfo:
        factories.record(open_event, employee, officer=hr_a, expect=False)
    assert excinfo.value.code == "event.not_open"


@pytest.mark.django_db
def test_text_other_than_the_events_version_is_refused(open_event, hr_a):
    employee = open_event.expected.first().employee
    with pytest.raises(SigningError) as excinfo:
        factories.record(open_event, employee, officer=hr_a, expect=False, template_hash="0" * 64)
    assert excinfo.value.code == "template.mismatch"


@pytest.mark.django_db
def test_blank_image_is_refused_and_nothing_is_written(open_event, hr_a):
    import io

    from PIL import Image

    blank = io.BytesIO()
    Image.new("RGBA", (600, 200), (255, 255, 255, 0)).save(blank, format="PNG")
    employee = open_event.expected.first().employee
    with pytest.raises(SignatureImageError) as excinfo:
        factories.record(open_event, employee, officer=hr_a, expect=False,
                         image_png=blank.getvalue())
    assert excinfo.value.code == "image.blank"
    assert not Signature.objects.exists()


@pytest.mark.django_db
def test_void_keeps_the_record_and_frees_the_slot(open_event, hr_a):
    employee = open_event.expected.first().employee
    first = factories.record(open_event, employee, officer=hr_a, expect=False).signature
    with pytest.raises(SigningError):
        void_signature(signature=first, context=AuditContext.for_user(hr_a), reason=" ")
    void_signature(signature=first, context=AuditContext.for_user(hr_a), reason="Salah orang")
    second = factories.record(open_event, employee, officer=hr_a, expect=False).signature
    assert Signature.objects.filter(employee=employee).count() == 2
    assert Signature.objects.valid().get(employee=employee) == second
    first.refresh_from_db()
    assert first.void_reason == "Salah orang"


@pytest.mark.django_db
def test_closed_event_freezes_signatures_against_voiding(open_event, hr_a):
    employee = open_event.expected.first().employee
    signature = factories.record(open_event, employee, officer=hr_a, expect=False).signature
    events.close_event(event=open_event, context=AuditContext.for_user(hr_a))
    with pytest.raises(SigningError) as excinfo:
        void_signature(
            signature=signature,
            reason="Salah orang",
            context=AuditContext.for_user(hr_a),
        )
    assert excinfo.value.code == "event.closed"
    events.reopen_event(
        event=open_event,
        reason="Koreksi data",
        context=AuditContext.for_user(hr_a),
    )
    assert void_signature(
        signature=signature,
        reason="Salah orang",
        context=AuditContext.for_user(hr_a),
    ).is_void

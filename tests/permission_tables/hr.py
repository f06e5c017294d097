"""Permission rows of the officer console (signings/urls/hr.py)."""

from tests.permission_tables import (
    HR_LIST_PAGE,
    HR_OBJECT_PAGE,
    READ_OBJECT_PAGE,
    Row,
    login_then,
)

# A POST without a body: HR of A gets a redirect with an error message, never a 500.
HR_OBJECT_POST = login_then(hr_a=302, hr_b=404, auditor_a=403, admin=302)


def employee(world):
    return {"pk": world.employee.pk}


ROWS = [
    Row("hr:agencies", expect=HR_LIST_PAGE),
    Row("hr:employees", expect=HR_LIST_PAGE),
    Row("hr:employee_create", expect=HR_LIST_PAGE),
    Row("hr:employee_edit", expect=HR_OBJECT_PAGE, kwargs=employee),
    Row("hr:employee_set_active", expect=HR_OBJECT_POST, kwargs=employee, method="post"),
    Row("hr:employee_delete", expect=HR_OBJECT_POST, kwargs=employee, method="post"),
]

# A token that is not this session's pending import: officers are sent back to the upload.
NO_IMPORT = login_then(hr_a=302, hr_b=302, auditor_a=403, admin=302)

ROWS += [
    Row("hr:import_upload", expect=HR_LIST_PAGE),
    Row("hr:import_preview", expect=NO_IMPORT, kwargs=lambda world: {"token": "none"}),
    Row("hr:import_confirm", expect=NO_IMPORT, kwargs=lambda world: {"token": "none"},
        method="post"),
    Row("hr:import_map_unit", expect=NO_IMPORT, kwargs=lambda world: {"token": "none"},
        method="post"),
    Row("hr:import_columns", expect=NO_IMPORT, kwargs=lambda world: {"token": "none"}),
    Row("hr:import_template", expect=HR_LIST_PAGE, kwargs=lambda world: {"fmt": "xlsx"}),
    Row("hr:roster_export", expect=HR_LIST_PAGE, kwargs=lambda world: {"fmt": "csv"}),
]


def template(world):
    return {"pk": world.template_version.template_id}


def event(world):
    return {"pk": world.event.pk}


def event_employee(world):
    return {"pk": world.event.pk, "employee_pk": world.employee.pk}


def signature(world):
    """A signature in the world's event, made here so the shared world fixture stays small."""
    from tests import factories

    if "hr_signature" not in world.extra:
        world.extra["hr_signature"] = factories.signature(
            world.event, world.employee, officer=world.extra["users"]["hr_a"])
    return {"pk": world.extra["hr_signature"].pk}


ROWS += [
    Row("hr:templates", expect=HR_LIST_PAGE),
    Row("hr:template_create", expect=HR_LIST_PAGE),
    Row("hr:template_detail", expect=HR_OBJECT_PAGE, kwargs=template),
    Row("hr:template_edit", expect=HR_OBJECT_PAGE, kwargs=template),
    Row("hr:version_preview", expect=HR_OBJECT_PAGE,
        kwargs=lambda world: {"pk": world.template_version.pk}),
    Row("hr:events", expect=HR_LIST_PAGE),
    Row("hr:event_create", expect=HR_LIST_PAGE),
    Row("hr:event_detail", expect=HR_OBJECT_PAGE, kwargs=event),
    Row("hr:event_expected", expect=HR_OBJECT_PAGE, kwargs=event),
    Row("hr:event_edit", expect=HR_OBJECT_PAGE, kwargs=event),
    # Opening an already open event: refused with a message, a redirect for those allowed.
    Row("hr:event_transition", expect=HR_OBJECT_POST, method="post",
        kwargs=lambda world: {"pk": world.event.pk, "action": "buka"}),
    # No date posted: refused with a message, a redirect for those allowed.
    Row("hr:event_follow_up", expect=HR_OBJECT_POST, method="post", kwargs=event),
    Row("hr:event_live", expect=HR_OBJECT_PAGE, kwargs=event),
    Row("hr:event_live_panel", expect=HR_OBJECT_PAGE, kwargs=event),
    Row("hr:record_absent", expect=HR_OBJECT_PAGE, kwargs=event_employee),
    Row("hr:record_sign", expect=HR_OBJECT_PAGE, kwargs=event_employee),
    Row("hr:record_paper", expect=HR_OBJECT_PAGE, kwargs=event_employee),
    Row("hr:record_representative", expect=HR_OBJECT_PAGE, kwargs=event),
    Row("hr:signature_void", expect=HR_OBJECT_PAGE, kwargs=signature),
    # An empty POST to a recording form re-shows the form with its errors, never a 500.
    Row("hr:record_absent", expect=HR_OBJECT_PAGE, kwargs=event_employee, method="post"),
    Row("hr:record_sign", expect=HR_OBJECT_PAGE, kwargs=event_employee, method="post"),
    Row("hr:record_paper", expect=HR_OBJECT_PAGE, kwargs=event_employee, method="post"),
    Row("hr:record_representative", expect=HR_OBJECT_PAGE, kwargs=event, method="post"),
    Row("hr:signature_void", expect=HR_OBJECT_PAGE, kwargs=signature, method="post"),
    # Clearing a note that does not exist changes nothing and returns to the live view.
    Row("hr:clear_absent", expect=HR_OBJECT_POST, kwargs=event_employee, method="post"),
    # Nobody locked: the officer is told so on the live view.
    Row("hr:identity_unlock", expect=HR_OBJECT_POST, kwargs=event_employee, method="post"),
]


def event_witness(world):
    """The world's event with one pact whose witness is a superior (set on the row directly:
    the world's template has no witness block)."""
    from signings.models import Signature
    from tests import factories

    if "witness" not in world.extra:
        boss = factories.employee(world.unit, name="Atasan Langsung")
        signed = factories.signature(world.event, factories.employee(world.unit),
                                     officer=world.extra["users"]["hr_a"])
        Signature.objects.filter(pk=signed.pk).update(witness=boss)
        world.extra["witness"] = boss
    return {"pk": world.event.pk, "employee_pk": world.extra["witness"].pk}


ROWS += [
    Row("hr:template_install", expect=login_then(hr_a=302, hr_b=302, auditor_a=403, admin=302),
        method="post"),
    Row("hr:event_witnesses", expect=HR_OBJECT_PAGE, kwargs=event),
    Row("hr:witness_sign", expect=HR_OBJECT_PAGE, kwargs=event_witness),
    # Shows a new one-time link (and retires the previous one) each time.
    Row("hr:witness_link", expect=login_then(hr_a=200, hr_b=404, auditor_a=403, admin=200),
        kwargs=event_witness, method="post"),
]


def _certified_recap(world):
    """A recap signed with a certified signature, stored as the service stores one (the
    signing itself needs BSrE: tests/test_bsre_recap.py)."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from signings.models import RecapCertifiedSignature
    from signings.services import recaps
    from signings.services.context import AuditContext

    if "certified_recap" not in world.extra:
        issued = recaps.issue_recap(event=world.event, context=AuditContext.system("test"))
        row = RecapCertifiedSignature(
            recap=issued.recap, signer_name="Saksi", signer_role="Saksi",
            signed_by=world.extra["users"]["hr_a"], signed_at=timezone.now(),
            sha256=hashlib.sha256(issued.data).hexdigest())
        row.file.save("rekap-ttd-uji.pdf", ContentFile(issued.data), save=False)
        row.save()
        world.extra["certified_recap"] = row
    return {"pk": world.extra["certified_recap"].pk}


ROWS += [
    # The local seal (the world's backend) has no certified signature to sign with: a 404 for
    # everyone allowed in; with PAKTA_SIGNING_BACKEND=bsre, tests/test_bsre_recap.py.
    Row("hr:recap_sign", expect=login_then(hr_a=404, hr_b=404, auditor_a=403, admin=404),
        kwargs=event),
    Row("hr:recap_signed_pdf", expect=READ_OBJECT_PAGE, kwargs=_certified_recap),
]

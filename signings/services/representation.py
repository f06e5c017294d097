"""Representative signatures (seed 002: a few heads sign on behalf of a whole body).

The signature itself goes through `signatures.record_signature` like every other method;
this adds, in the same transaction, which expected signers the named group covers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from signings.models import Employee, SignatureMethod, SigningEvent
from signings.services import audit, signatures
from signings.services.context import AuditContext


@transaction.atomic
def record_representative(
    *,
    event: SigningEvent,
    employee: Employee,
    submission: signatures.Submission,
    covers: Iterable[Employee] = (),
    context: AuditContext,
) -> signatures.SigningResult:
    """Record `employee` signing for `submission.represented_group` (method REPRESENTATIVE,
    whatever the submission says) and which expected signers the group covers."""
    covers = [person for person in covers if person.pk != employee.pk]
    expected = set(event.expected.filter(employee__in=covers).values_list("employee_id",
                                                                          flat=True))
    strangers = [person for person in covers if person.pk not in expected]
    if strangers:
        raise signatures.SigningError(
            "representative.not_expected",
            _("%(name)s tidak terdaftar sebagai peserta acara ini.") % {"name": strangers[0]},
        )
    result = signatures.record_signature(
        event=event, employee=employee,
        submission=replace(submission, method=SignatureMethod.REPRESENTATIVE), context=context,
    )
    if covers:
        result.signature.represented_employees.set(covers)
        audit.record(
            action="signing.signature.representation", obj=result.signature,
            agency=event.agency,
            details={"represented_group": submission.represented_group,
                     "represented_employees": sorted(p.pk for p in covers)},
            context=context,
        )
    return result

"""Representative signatures (seed 002: a few heads sign on behalf of a whole body).

The signature itself goes through `signatures.record_signature` like every other method;
this adds, in the same transaction, which expected signers the named group covers.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from signings.models import Employee, SignatureMethod, SigningEvent
from signings.services import audit, signatures


@transaction.atomic
def record_representative(
    *,
    event: SigningEvent,
    employee: Employee,
    image_png: bytes,
    represented_group: str,
    covers: Iterable[Employee] = (),
    officer,
    ip_address: str | None = None,
    user_agent: str = "",
    request=None,
) -> signatures.SigningResult:
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
        event=event, employee=employee, method=SignatureMethod.REPRESENTATIVE,
        image_png=image_png, template_hash=event.template_version.content_hash,
        officer=officer, represented_group=represented_group, ip_address=ip_address,
        user_agent=user_agent, request=request,
    )
    if covers:
        result.signature.represented_employees.set(covers)
        audit.record(
            action="signing.signature.representation", obj=result.signature, actor=officer,
            agency=event.agency, request=request,
            details={"represented_group": represented_group,
                     "represented_employees": sorted(p.pk for p in covers)},
        )
    return result

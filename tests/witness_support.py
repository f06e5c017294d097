"""Shared set-up for the witness ("Menyaksikan") tests: a unit with a head, a section head
and staff whose superiors are set, and an open event on the Pakta Integritas template."""

from __future__ import annotations

from dataclasses import dataclass

from signings import regulation_templates
from signings.models import Echelon, Employee, PactTemplateVersion, SigningEvent
from signings.services import templates
from signings.services.context import AuditContext
from tests import factories


@dataclass
class Office:
    head: Employee
    chief: Employee  # the staff's direct superior
    staff: list[Employee]
    event: SigningEvent


def pakta_integritas(agency, user):
    """The agency's Pakta Integritas (Permenpan RB 49/2011), installed the first time."""
    templates.install_regulation_templates(agency=agency, context=AuditContext.for_user(user))
    return PactTemplateVersion.objects.get(template__agency=agency, number=1,
                                           template__name=regulation_templates.PAKTA_INTEGRITAS.name)


def office(agency, unit, officer, *, staff: int = 3, **event_fields) -> Office:
    head = factories.employee(unit, name="Kepala Dinas", position="Kepala Dinas Kesehatan A",
                              echelon=Echelon.II)
    chief = factories.employee(unit, name="Kepala Bidang", echelon=Echelon.III,
                               position="Kepala Bidang Pelayanan", superior=head)
    people = [factories.employee(unit, name=f"Staf {i}", superior=chief) for i in range(staff)]
    event = factories.event(agency, officer=officer,
                            template_version=pakta_integritas(agency, officer),
                            expected=[head, chief, *people], **event_fields)
    return Office(head=head, chief=chief, staff=people, event=event)

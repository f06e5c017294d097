"""Saving what an officer told the import once: a unit name's unit, an export's columns."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from signings import access, text
from signings.access import Ability
from signings.models import Agency, ColumnMapping, UnitMapping
from signings.services import audit
from signings.services.context import AuditContext
from signings.services.imports.formats import MAPPABLE, header_signature
from signings.services.imports.units import name_key
from signings.tabular import ImportFileError

SOURCE_NAME_MAX = 200


def save_unit_mapping(*, agency: Agency, source_name: str, unit: Agency,
                      context: AuditContext) -> UnitMapping:
    """From now on, rows imported into `agency` naming `source_name` belong to `unit`."""
    access.check(context.actor, Ability.MANAGE, agency)
    source_name = " ".join(text.check(source_name, field=_("Nama unit")).split())
    key = name_key(source_name)
    if not key or len(source_name) > SOURCE_NAME_MAX:
        raise ImportFileError("mapping.unit_name", _("Nama unit di berkas tidak sah."))
    if not unit.is_within(agency):
        raise ImportFileError("mapping.unit", _("Unit harus berada di bawah instansi tujuan."))
    with transaction.atomic():
        previous = (UnitMapping.objects.select_for_update()
                    .filter(agency=agency, source_key=key).first())
        mapping, _created = UnitMapping.objects.update_or_create(
            agency=agency, source_key=key,
            defaults={"source_name": source_name, "unit": unit},
        )
        audit.record(action="roster.import.unit_mapped", obj=mapping, agency=agency,
                     context=context,
                     details={"source_name": source_name, "unit_id": unit.pk,
                              "unit": unit.name,
                              "previous_unit_id": previous.unit_id if previous else None})
    return mapping


def save_column_mapping(*, agency: Agency, header: list[str], columns: dict[str, int],
                        default_category: str, context: AuditContext) -> ColumnMapping:
    """Which column of this header holds each field; found again by the header next time."""
    access.check(context.actor, Ability.MANAGE, agency)
    header = [text.check(cell, field=_("Nama kolom")) for cell in header]
    known = {key for key, _label in MAPPABLE}
    if set(columns) - known or any(not 0 <= i < len(header) for i in columns.values()):
        raise ImportFileError("mapping.columns", _("Pemetaan kolom tidak sah."))
    with transaction.atomic():
        mapping, _created = ColumnMapping.objects.update_or_create(
            agency=agency, signature=header_signature(header),
            defaults={"header": header, "columns": columns,
                      "default_category": default_category},
        )
        audit.record(action="roster.import.columns_mapped", obj=mapping, agency=agency,
                     context=context,
                     details={"signature": mapping.signature,
                              "columns": {key: header[i] for key, i in columns.items()},
                              "default_category": default_category})
    return mapping

"""Model instances from one hand-written SQL row, for the few hot queries where compiling a
queryset costs more than running it: every kiosk request starts by loading its tablet with the
event, the pact version and the responsible officer, and the ORM spends about 1 ms of CPU
compiling that join against 0.2 ms for this (bench/kiosk_profile.py).

Every concrete field is selected, so the instances are complete (nothing deferred), and each
value goes through the converters the ORM itself applies (JSON, and whatever the database
backend needs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models


class Columns:
    """All concrete columns of `model` under a table alias, and the instance from their values."""

    def __init__(self, model: type[models.Model], alias: str) -> None:
        fields = model._meta.concrete_fields
        quote = connection.ops.quote_name
        self.model = model
        self.sql = ", ".join(f"{alias}.{quote(field.column)}" for field in fields)
        self.width = len(fields)
        self.pk_index = fields.index(model._meta.pk)
        self._names = [field.attname for field in fields]
        self._converters: list[tuple[int, list[Callable[..., Any]]]] = []
        for index, field in enumerate(fields):
            column = field.get_col(alias)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                self._converters.append((index, found))

    def load(self, values: Sequence[Any]) -> Any:
        values = list(values)
        for index, converters in self._converters:
            for convert in converters:
                values[index] = convert(values[index], None, connection)
        return self.model.from_db(connection.alias, self._names, values)


def split(row: Sequence[Any], *parts: Columns) -> list[Any]:
    """The instances of a row that selected `parts` one after the other; None for a part without
    a primary key (the far side of a LEFT JOIN without a match)."""
    instances, start = [], 0
    for part in parts:
        values = row[start:start + part.width]
        start += part.width
        instances.append(None if values[part.pk_index] is None else part.load(values))
    return instances

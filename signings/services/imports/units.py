"""Finding the unit a row belongs to: by code (Pakta's template), or by name (SIASN's
`UNOR NAMA`, a mapped `Nama unit`) against the agency tree and the names mapped once."""

from __future__ import annotations

import re
from collections import Counter

from signings.models import Agency, UnitMapping

_NOT_WORD = re.compile(r"[\W_]+")


def name_key(name: str) -> str:
    """A unit name as compared: case, punctuation and spacing do not count."""
    return " ".join(_NOT_WORD.sub(" ", name.casefold()).split())


class UnitResolver:
    """The target agency's subtree, indexed by code and by name, and its saved name mappings.
    Two queries, however many rows ask. Names no unit answers to are counted in `unmatched`
    for the preview to offer a mapping."""

    def __init__(self, root: Agency) -> None:
        self.root = root
        subtree = list(Agency.objects.subtree_of(root))
        self.by_pk = {a.pk: a for a in subtree}
        self.by_code = {a.code.upper(): a for a in subtree}
        named: dict[str, set[int]] = {}
        for agency in subtree:
            for name in {agency.name, agency.short_name}:
                if name_key(name):
                    named.setdefault(name_key(name), set()).add(agency.pk)
        # A name two units share matches neither: the officer maps it.
        self.by_name = {key: self.by_pk[next(iter(pks))] for key, pks in named.items()
                        if len(pks) == 1}
        self.mapped = {
            m.source_key: m.unit for m in UnitMapping.objects.filter(
                agency=root, unit__path__startswith=root.path).select_related("unit")
        }
        self.unmatched: Counter[str] = Counter()

    def by_unit_name(self, name: str) -> Agency | None:
        key = name_key(name)
        unit = self.mapped.get(key) or self.by_name.get(key)
        if unit is None:
            self.unmatched[" ".join(name.split())] += 1
        return unit

"""The "NIP Atasan" column: each row's direct superior, resolved once every row is parsed, so
a superior may be anyone in the file (before or after the row) or an employee already in
Pakta. The scope rule is the employee form's (`superior_rule_problem`), also for a superior
kept while the file moves someone; a cycle is refused, since each person would witness the
other's pact. Reads only; two queries, and none at all when no row names a superior."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext as _

from signings import access
from signings.models import Agency, Employee, superior_rule_problem
from signings.services.imports.outcome import RowOutcome

if TYPE_CHECKING:
    from signings.access import AnyUser


@dataclass(eq=False)
class Candidate:
    """A row that may be written: its outcome so far, its merged values, who it is now."""

    outcome: RowOutcome
    data: dict[str, Any]
    current: Employee | None


@dataclass(frozen=True)
class _Superior:
    agency: Agency
    name: str
    pk: int | None  # None: new in this file, created by the same confirmation


class _Resolver:
    def __init__(self, *, candidates: list[Candidate], rejected: dict[str, int],
                 agencies: dict[int, Agency], user: AnyUser) -> None:
        self.wanted = [c for c in candidates if c.data.get("superior_nip")]
        self.in_file = {c.data["nip"]: c for c in candidates if c.data.get("nip")}
        self.rejected = rejected
        self.agencies = agencies
        self.failed: dict[Candidate, str] = {}
        # Rows that keep their superior but move, or whose superior moves in this file: the
        # superior they keep must still be in their unit or above it.
        self.keeping = [c for c in candidates if not c.data.get("superior_nip") and self._moves(c)]
        self.existing: dict[str, Employee] = {}
        self.recorded: dict[str, str] = {}
        if not self.wanted:
            return
        nips = {c.data["superior_nip"] for c in self.wanted}
        # Looked up as the employee form does: within the agencies this officer may see.
        self.existing = {e.nip or "": e for e in Employee.objects.filter(
            nip__in=nips, agency__in=access.agencies(user)).select_related("agency")}
        # A cycle stays inside one unit (each superior is in the unit or above it), so the
        # superiors already recorded in the units these rows end up in are all it can use.
        units = {c.data["agency_id"] for c in self.wanted}
        self.recorded = {nip: superior for nip, superior in Employee.objects.filter(
            Q(agency_id__in=units) | Q(nip__in=list(self.in_file)),
            nip__isnull=False, superior__nip__isnull=False,
        ).values_list("nip", "superior__nip") if nip and superior}

    def _moves(self, row: Candidate) -> bool:
        current = row.current
        if current is None or current.superior is None:
            return False
        if row.data["agency_id"] != current.agency_id:
            return True
        superior_row = self.in_file.get(current.superior.nip or "")
        return (superior_row is not None
                and superior_row.data["agency_id"] != current.superior.agency_id)

    def kept_problem(self, row: Candidate) -> str:
        assert row.current is not None and row.current.superior is not None  # see _moves
        superior = row.current.superior
        superior_row = self.in_file.get(superior.nip or "")
        if superior_row is not None and superior_row not in self.failed:
            superior_agency = self.agencies[superior_row.data["agency_id"]]
        else:
            superior_agency = superior.agency
        if superior_rule_problem(same_person=False, agency=self.agencies[row.data["agency_id"]],
                                 superior_agency=superior_agency):
            return _("Atasan langsung yang tercatat (%(name)s) tidak lagi dari unit yang sama "
                     "atau unit di atasnya setelah perubahan unit ini; isi kolom NIP Atasan "
                     "dengan atasan yang baru.") % {"name": superior.display_name}
        return ""

    def superior(self, nip: str) -> _Superior | None:
        row = self.in_file.get(nip)
        if row is not None and row not in self.failed:
            name = Employee(name=row.data.get("name", ""),
                            title_prefix=row.data.get("title_prefix", ""),
                            title_suffix=row.data.get("title_suffix", "")).display_name
            return _Superior(self.agencies[row.data["agency_id"]], name,
                             row.current.pk if row.current else None)
        employee = self.existing.get(nip)
        if employee is not None:
            return _Superior(employee.agency, employee.display_name, employee.pk)
        return None

    def problem(self, row: Candidate) -> str:
        nip = row.data["superior_nip"]
        if nip == row.data.get("nip"):
            return superior_rule_problem(same_person=True, agency=None,
                                         superior_agency=self.agencies[row.data["agency_id"]])
        found = self.superior(nip)
        if found is None:
            in_file = self.in_file.get(nip)
            number = in_file.outcome.row if in_file is not None else self.rejected.get(nip)
            if number is not None:
                return _("Atasan (NIP %(nip)s) ada di baris %(row)d yang ditolak; perbaiki "
                         "baris itu dulu.") % {"nip": nip, "row": number}
            return _("Tidak ada pegawai dengan NIP atasan %(nip)s, baik di berkas ini maupun "
                     "di instansi yang Anda kelola.") % {"nip": nip}
        return superior_rule_problem(same_person=False,
                                     agency=self.agencies[row.data["agency_id"]],
                                     superior_agency=found.agency)

    def cycles(self) -> dict[Candidate, str]:
        edges = dict(self.recorded)
        for row in self.wanted:
            if row not in self.failed and row.data.get("nip"):
                edges[row.data["nip"]] = row.data["superior_nip"]
        found: dict[Candidate, str] = {}
        for row in self.wanted:
            start = row.data.get("nip")
            if row in self.failed or not start:
                continue
            chain, nip = [start], edges.get(start)
            while nip is not None and nip not in chain:
                chain.append(nip)
                nip = edges.get(nip)
            if nip == start:
                found[row] = _("Atasan membentuk lingkaran: %(chain)s. Setiap pegawai akan "
                               "menyaksikan pakta atasannya sendiri; perbaiki salah satu NIP "
                               "atasan.") % {"chain": " → ".join([*chain, start])}
        return found

    def settle(self) -> None:
        """Refuse rows until none is left pointing at a refused new person or in a cycle."""
        while True:
            progressed = True
            while progressed:
                progressed = False
                for row in [*self.wanted, *self.keeping]:
                    if row in self.failed:
                        continue
                    names = bool(row.data.get("superior_nip"))
                    problem = self.problem(row) if names else self.kept_problem(row)
                    if problem:
                        self.failed[row] = problem
                        progressed = True
            cycles = self.cycles()
            if not cycles:
                return
            self.failed.update(cycles)


@dataclass(frozen=True)
class SuperiorChange:
    row: Candidate
    change: tuple[str, str, str]  # ("Atasan", from, to) as the preview shows it
    nip: str
    pk: int | None  # None: the superior is new in this file


def resolve_superiors(*, candidates: list[Candidate], rejected: dict[str, int],
                      agencies: dict[int, Agency],
                      user: AnyUser) -> tuple[dict[Candidate, str], list[SuperiorChange]]:
    """Rows refused over their "NIP Atasan" (with why), and the superiors that change.
    `rejected`: NIPs of the rows refused before, with their row numbers."""
    resolver = _Resolver(candidates=candidates, rejected=rejected, agencies=agencies, user=user)
    if not resolver.wanted and not resolver.keeping:
        return {}, []
    resolver.settle()
    label = _("Atasan")
    changes = []
    for row in resolver.wanted:
        if row in resolver.failed:
            continue
        nip = row.data["superior_nip"]
        current = row.current.superior if row.current and row.current.superior_id else None
        if current is not None and current.nip == nip:
            continue
        found = resolver.superior(nip)
        assert found is not None  # settled: every row left has its superior
        changes.append(SuperiorChange(
            row, (label, current.display_name if current else "", found.name), nip, found.pk))
    return resolver.failed, changes

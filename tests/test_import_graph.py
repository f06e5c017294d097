"""The import graph of `signings`: no cycles, and the layers point one way.

grimp reads every import statement, including those inside functions (a lazy import hides a
cycle from Python at start-up, not from the design), so a cycle cannot be dodged by moving an
import into a function body.
"""

from __future__ import annotations

import functools

import grimp
import pytest

PACKAGE = "signings"

# Imports from a lower layer into a higher one that are allowed for now, each with its reason.
# A stale entry fails the test too, so the list only shrinks.
ALLOWED: dict[tuple[str, str], str] = {}

# (importer package, packages it must not import, why)
LAYER_RULES = [
    ("signings.models",
     ("signings.services", "signings.views", "signings.api", "signings.forms", "signings.pdf",
      "signings.tasks", "signings.jobs", "signings.urls"),
     "models are the bottom layer: everything else builds on them"),
    ("signings.services",
     ("signings.views", "signings.api", "signings.forms", "signings.urls", "signings.tasks"),
     "services are called by views, the API and tasks, never the other way round; they start "
     "tasks through signings.jobs"),
    ("signings.pdf",
     ("signings.services", "signings.views", "signings.api", "signings.forms", "signings.urls",
      "signings.tasks"),
     "pdf/ renders and returns bytes; services decide what to store"),
    ("signings.forms", ("signings.views", "signings.api", "signings.urls"),
     "forms are bound by views"),
]


@functools.cache
def graph() -> grimp.ImportGraph:
    # No cache directory: the graph is small and a cache would litter the worktree.
    full = grimp.build_graph(PACKAGE, cache_dir=None)
    for module in list(full.modules):
        # Migrations are generated and import nothing of ours that matters here.
        if module == f"{PACKAGE}.migrations" or module.startswith(f"{PACKAGE}.migrations."):
            full.remove_module(module)
    return full


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _top(module: str) -> str:
    """signings.services.audit -> signings.services; signings.tasks -> signings.tasks."""
    return ".".join(module.split(".")[:2])


def _direct_imports() -> list[tuple[str, str]]:
    g = graph()
    return sorted(
        (importer, imported)
        for importer in g.modules
        for imported in g.find_modules_directly_imported_by(importer)
    )


def _describe(importer: str, imported: str) -> str:
    lines = sorted({d["line_number"] for d in
                    graph().get_import_details(importer=importer, imported=imported)})
    return f"{importer} -> {imported} (line {', '.join(map(str, lines))})"


def test_the_graph_sees_imports_inside_functions():
    # signings.models.template imports Signature inside a method (the models reference each
    # other); if grimp missed such imports, the cycle test below would prove nothing.
    assert graph().direct_import_exists(importer="signings.models.template",
                                        imported="signings.models.signature")


def test_no_import_cycle_between_modules():
    g = graph()
    cycles = set()
    for importer, imported in _direct_imports():
        back = g.find_shortest_chain(importer=imported, imported=importer)
        if back is not None:
            cycle = (importer, *back)
            # The same cycle is found from each of its edges; keep one rotation of it.
            start = cycle.index(min(cycle[:-1]))
            cycles.add(cycle[start:-1] + cycle[:start + 1])
    assert not cycles, "Import cycles:\n" + "\n".join(" -> ".join(c) for c in sorted(cycles))


def test_no_import_cycle_between_packages():
    """Looking at top-level packages and modules only (services, pdf, tasks, views...)."""
    g = graph()
    packages = grimp.ImportGraph()
    for importer, imported in _direct_imports():
        if (importer, imported) in ALLOWED:
            continue
        top_importer, top_imported = _top(importer), _top(imported)
        if top_importer != top_imported:
            packages.add_import(importer=top_importer, imported=top_imported)
    cycles = []
    for importer in sorted(packages.modules):
        for imported in sorted(packages.find_modules_directly_imported_by(importer)):
            back = packages.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                evidence = [_describe(a, b) for a, b in _direct_imports()
                            if _top(a) == importer and _top(b) == imported]
                cycles.append(f"{' -> '.join((importer, *back))}: " + "; ".join(evidence[:5]))
    assert g.modules  # the graph was built at all
    assert not cycles, "Package cycles:\n" + "\n".join(cycles)


@pytest.mark.parametrize("importer_package, forbidden, why", LAYER_RULES,
                         ids=[rule[0] for rule in LAYER_RULES])
def test_layers_import_downwards_only(importer_package, forbidden, why):
    wrong = [
        _describe(importer, imported)
        for importer, imported in _direct_imports()
        if _in(importer, importer_package)
        and any(_in(imported, package) for package in forbidden)
        and (importer, imported) not in ALLOWED
    ]
    assert not wrong, f"{importer_package}: {why}.\n" + "\n".join(wrong)


def test_every_allowed_exception_is_still_needed():
    g = graph()
    stale = [f"{a} -> {b}" for a, b in ALLOWED
             if not g.direct_import_exists(importer=a, imported=b)]
    assert not stale, "Remove from ALLOWED, these imports are gone: " + ", ".join(stale)


def test_services_start_tasks_without_importing_them():
    """The task functions call services; services enqueue by name through signings.jobs."""
    g = graph()
    assert g.direct_import_exists(importer="signings.tasks", imported="signings.services.archives")
    # Archive and report jobs are queued (and queued again after a dead worker) by the one
    # mechanism they share, which enqueues by name.
    assert g.direct_import_exists(importer="signings.services.archives",
                                  imported="signings.services.job_attempts")
    assert g.direct_import_exists(importer="signings.services.job_attempts",
                                  imported="signings.jobs")
    assert g.find_shortest_chain(importer="signings.services.archives",
                                 imported="signings.tasks") is None

"""Every audit action written anywhere in signings/ is in the registry, with its label."""

from __future__ import annotations

import ast
from pathlib import Path

from signings import audit_actions

SOURCE = Path(__file__).resolve().parent.parent / "signings"
# The one place an action is built from a variable: downloads, from the `kind` of each call.
COMPOSED_IN = {"services/downloads.py"}


def _strings(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _scan(path: Path) -> tuple[set[str], bool]:
    """(actions passed as `action=` in this module, whether one is an f-string)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assigned: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, set()).update(_strings(node.value))
        elif (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
              and node.value is not None):
            assigned.setdefault(node.target.id, set()).update(_strings(node.value))
    found: set[str] = set()
    composed = False
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "add_argument":  # argparse's action="store_true" is no audit action
            continue
        for keyword in node.keywords:
            if keyword.arg == "action":
                if isinstance(keyword.value, ast.JoinedStr):
                    composed = True
                    continue
                found |= _strings(keyword.value)
                # `action=ACTION_RENDERED` or `action=action` (a dict lookup on the status)
                for sub in ast.walk(keyword.value):
                    if isinstance(sub, ast.Name):
                        found |= assigned.get(sub.id, set())
            elif (name == "log_download" and keyword.arg == "kind"
                  and isinstance(keyword.value, ast.Constant)):
                found.add(f"audit.download.{keyword.value.value}")
    return found, composed


def _actions_in_source() -> dict[str, list[str]]:
    used: dict[str, list[str]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        relative = path.relative_to(SOURCE).as_posix()
        found, composed = _scan(path)
        assert not composed or relative in COMPOSED_IN, (
            f"signings/{relative} builds an audit action with an f-string: name it literally")
        for action in found:
            used.setdefault(action, []).append(relative)
    return used


def test_every_action_in_the_source_is_registered():
    used = _actions_in_source()
    # The scan itself works: it sees plain, looked-up and composed actions.
    assert {"signing.event.created", "signing.event.reopened", "signing.pdf.rendered",
            "audit.download.recap", "access.role.granted"} <= set(used)
    unknown = {action: where for action, where in used.items()
               if action not in audit_actions.ACTIONS}
    assert not unknown, f"Add these to signings/audit_actions.py: {unknown}"


def test_the_registry_is_alphabetical_and_labelled():
    keys = list(audit_actions.ACTIONS)
    assert keys == sorted(keys)
    assert all(str(label).strip() for label in audit_actions.ACTIONS.values())

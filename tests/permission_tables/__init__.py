"""The permission table: for every URL of the project, the status each kind of user gets.

Each audience module (hr.py, kiosk.py, audit.py, verify.py, common.py) lists `ROWS`. The walker in
tests/test_url_permissions.py fails when a URL pattern has no row, so a new view cannot ship
without saying who may reach it.

Actors: anonymous, hr_a (HR officer of agency A), hr_b (HR officer of agency B), auditor_a
(auditor of agency A), admin (superuser). Objects in the world all belong to agency A, so hr_b
must get 404 for any object URL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ACTORS = ("anonymous", "hr_a", "hr_b", "auditor_a", "admin")


@dataclass(frozen=True)
class Row:
    url_name: str
    expect: dict[str, int]  # actor -> HTTP status for a GET (or `method`) with no body
    kwargs: Callable[[Any], dict] = field(default=lambda world: {})
    method: str = "get"
    # Extra request headers (e.g. a kiosk device token), from the world.
    headers: Callable[[Any], dict] = field(default=lambda world: {})

    def __post_init__(self):
        missing = set(ACTORS) - set(self.expect)
        if missing:
            raise ValueError(f"{self.url_name}: no expected status for {sorted(missing)}")


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ACTORS, status)


# Shorthands for the common shapes of access.
def login_then(hr_a: int, hr_b: int, auditor_a: int, admin: int) -> dict[str, int]:
    return {"anonymous": 302, "hr_a": hr_a, "hr_b": hr_b, "auditor_a": auditor_a, "admin": admin}


HR_OBJECT_PAGE = login_then(hr_a=200, hr_b=404, auditor_a=403, admin=200)
HR_LIST_PAGE = login_then(hr_a=200, hr_b=200, auditor_a=403, admin=200)
READ_OBJECT_PAGE = login_then(hr_a=200, hr_b=404, auditor_a=200, admin=200)
READ_LIST_PAGE = login_then(hr_a=200, hr_b=200, auditor_a=200, admin=200)

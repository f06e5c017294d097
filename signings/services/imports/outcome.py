"""What the preview says of one row: its status, errors and changes. Its own module so that
the steps of the plan (superiors.py) can name it without importing the plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class RowStatus:
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass
class RowOutcome:
    row: int
    status: str
    name: str = ""
    identity: str = ""
    errors: list[str] = field(default_factory=list)
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    note: str = ""
    data: dict[str, Any] | None = None  # Employee field values; set on writable rows
    employee_id: int | None = None
    # Set when the row changes the direct superior: their NIP, and their id unless they are
    # new in this same file (apply finds them among the employees it creates).
    superior_nip: str = ""
    superior_id: int | None = None

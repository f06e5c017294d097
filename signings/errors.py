"""One base class for every refusal a user or a tablet can get.

`code` is stable (tablets, tests and docs/signing.md key on it), `message` is for people and
already translated (lazily), `status` is the HTTP status an API answers with, `detail` is extra
JSON for machines.
"""

from __future__ import annotations

from typing import Any


class PaktaError(Exception):
    default_status = 422

    def __init__(self, code: str, message: Any, *, status: int | None = None,
                 detail: dict[str, Any] | None = None) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.status = status if status is not None else self.default_status
        self.detail = detail

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "detail": self.detail}

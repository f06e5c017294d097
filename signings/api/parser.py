"""The kiosk API's JSON parser: numbers JSON allows but nothing downstream can hold are refused.

Python's json reads `NaN`, `Infinity` and `1e999` (as infinity) without complaint; PostgreSQL's
jsonb refuses them when the strokes are stored, which used to be a 500 after every check had
passed. An integer of thousands of digits is refused too (Python stops at 4,300 digits with a
bare ValueError). The API answers `request.bad_number` (422) for all of them
(`signings/api/kiosk.py: _http_error`).
"""

from __future__ import annotations

import json
import math
from typing import Any, cast

from django.http import HttpRequest
from ninja.parser import Parser

# Integers beyond a 64-bit column are no id, count or coordinate a tablet sends.
INT_LIMIT = 2**63


class BadNumberError(ValueError):
    """A number JSON can spell but Pakta cannot store: NaN, ±Infinity, overflow."""


def _constant(name: str) -> Any:
    raise BadNumberError(name)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadNumberError(text[:20])
    return value


def _int(text: str) -> int:
    # Length first: int() of a huge literal is slow and then refuses it anyway.
    if len(text) > 20:
        raise BadNumberError(text[:20] + "…")
    value = int(text)
    if not -INT_LIMIT <= value < INT_LIMIT:
        raise BadNumberError(text)
    return value


def loads(body: bytes | str) -> Any:
    return json.loads(body, parse_constant=_constant, parse_float=_float, parse_int=_int)


class FiniteJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return cast(dict[str, Any], loads(request.body))

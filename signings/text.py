"""Text hygiene: the one place that decides which characters Pakta accepts in text.

Refused everywhere text comes in (HR forms, the roster import, the kiosk API, model
validation): control characters (NUL breaks PostgreSQL; the others hide in names and
documents), lone surrogates (they cannot be stored as UTF-8), line and paragraph separators,
and the bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C), which
make a name print in another order than it was typed: "Budi\u202eotnaS" reads "BudiSanto"
backwards in a pact. Newline and tab are allowed only in multi-line text (a template's body, a
witness list, a reason).

Search boxes do not refuse: `is_clean` lets them answer "nothing found" instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from signings.errors import PaktaError

BIDI_CONTROLS = frozenset(
    [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)


class TextError(PaktaError):
    """Text carrying a character Pakta does not accept; the message names the field."""


def _class(*ranges: tuple[int, int]) -> str:
    return "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges)


_ALWAYS = _class((0x7F, 0x9F), (0x061C, 0x061C), (0x200E, 0x200F), (0x2028, 0x202E),
                 (0x2066, 0x2069), (0xD800, 0xDFFF))
# One regular expression per kind of text: the check runs in C over every string of every
# request (a signature's data URL is a megabyte), not character by character in Python.
_SINGLE_LINE = re.compile(f"[{_class((0x00, 0x1F))}{_ALWAYS}]")
_MULTILINE = re.compile(f"[{_class((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F))}{_ALWAYS}]")


def forbidden_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character Pakta refuses in `value`, or None."""
    match = (_MULTILINE if multiline else _SINGLE_LINE).search(value)
    return match.group() if match else None


def is_clean(value: str, *, multiline: bool = False) -> bool:
    return forbidden_character(value, multiline=multiline) is None


def describe(char: str) -> str:
    """`U+202E, pengubah arah teks`: what to look for, for the person who typed it."""
    point = ord(char)
    if point in BIDI_CONTROLS:
        kind = _("pengubah arah teks")
    elif 0xD800 <= point <= 0xDFFF:
        kind = _("karakter rusak")
    else:
        kind = _("karakter kendali")
    return f"U+{point:04X}, {kind}"


def message(field: Any, char: str, *, row: int | None = None) -> str:
    """The Indonesian sentence naming the field (and the import row) and the character."""
    params = {"field": field, "char": describe(char), "row": row}
    if row is not None:
        return str(_("Baris %(row)d, kolom %(field)s: berisi karakter tersembunyi yang tidak "
                     "diizinkan (%(char)s). Hapus karakter itu lalu unggah lagi.") % params)
    return str(_("%(field)s berisi karakter tersembunyi yang tidak diizinkan (%(char)s). "
                 "Ketik ulang isinya.") % params)


def check(value: str, *, field: Any, multiline: bool = False, row: int | None = None) -> str:
    """`value` unchanged, or TextError("text.forbidden_character") naming the field."""
    char = forbidden_character(value, multiline=multiline)
    if char is not None:
        raise TextError("text.forbidden_character", message(field, char, row=row),
                        detail={"field": str(field), "character": f"U+{ord(char):04X}",
                                **({"row": row} if row is not None else {})})
    return value


def row_problems(cells: Mapping[str, str], *, labels: Mapping[str, Any], row: int) -> list[str]:
    """For one import row: a message per cell carrying a refused character, naming the row and
    the column. Line breaks and tabs inside a cell are fine: the import collapses them."""
    problems = []
    for key, value in cells.items():
        char = forbidden_character(value, multiline=True)
        if char is not None:
            problems.append(message(labels.get(key, key), char, row=row))
    return problems


def scrub(value: str) -> str:
    """For text we must keep but never refuse (a User-Agent header): each refused character
    becomes U+FFFD."""
    if is_clean(value):
        return value
    return "".join("\ufffd" if forbidden_character(char) else char for char in value)

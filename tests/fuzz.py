"""Shared pieces of the fuzz tests (tests/test_fuzz_*.py): settings, odd values, and a way to
tell that a refused request wrote nothing.

Every run is seeded (`derandomize=True`: the same examples on every machine, so a failure in
CI is a failure on a laptop) and bounded by `max_examples`; set `PAKTA_FUZZ_SCALE=20` to run
twenty times as many examples by hand. Each example runs inside a savepoint that is rolled
back, so examples do not see each other's writes and a shrunk failure reproduces alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.signals import got_request_exception
from django.db import connection, transaction
from django.test import override_settings
from django.test.client import ClientHandler
from hypothesis import Phase, settings
from hypothesis import strategies as st

from signings.models import Agency, AgencyKind

SCALE = max(1, int(os.environ.get("PAKTA_FUZZ_SCALE", "1") or 1))


def fuzz_settings(examples: int) -> settings:
    """Seeded and bounded: `examples` per run (times PAKTA_FUZZ_SCALE), no deadline since an
    example is a whole request through Django and the database."""
    return settings(
        max_examples=examples * SCALE,
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        # No explain phase: it reruns the failing request many times to say little here.
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    )


# --- odd values ------------------------------------------------------------------------------

# What people paste, what attackers try, and what breaks parsers: control and format
# characters (NUL, bidi overrides, zero-width), combining marks, astral characters, template
# and format-string syntax, spreadsheet formulas, SQL, very long text.
NASTY_STRINGS = [
    "", " ", "   ", "\x00", "a\x00b", "\x07\x1b[31m", "\r\n", "\t", "\x7f", "\x85",
    "\u202e", "Budi\u202eosotnaS", "\u2066x\u2069", "\u200b", "\ufeff", "\u00ad",
    "e\u0301\u0301\u0301", "𝕏𝕐", "🙂", "İı", "ß", "Ǆ", "\U0010ffff",
    "'; DROP TABLE signings_employee; --", "<script>alert(1)</script>", "{{ 7|add:1 }}",
    "{% csrf_token %}", "%(name)s", "%s%s%n", "{0}", "=1+1", "@SUM(A1)", "..", "../../etc/passwd",
    "A" * 251, "A" * 5000, "1e999", "NaN", "-0", "9" * 40, "0x10", "١٢٣", "１２３",
]

unicode_text = st.text(st.characters(codec="utf-8"), max_size=40)
control_text = st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp", "Mn"]),
                       min_size=1, max_size=8)


@st.composite
def _salted(draw: st.DrawFn) -> str:
    """An ordinary word with something odd inside it."""
    word = draw(st.sampled_from(["Budi Santoso", "Aula", "Pemilu 2024", "III/a", "A-DINKES"]))
    odd = draw(st.one_of(st.sampled_from(NASTY_STRINGS[:25]), control_text))
    at = draw(st.integers(0, len(word)))
    return word[:at] + odd + word[at:]


nasty_text = st.one_of(st.sampled_from(NASTY_STRINGS), unicode_text, control_text, _salted())

number_text = st.one_of(
    st.integers().map(str),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["0", "-1", "2147483648", "-2147483649", "9223372036854775808", "1e999",
                     "1_000", " 7 ", "+5", "0.5", "Infinity", "nan", "٣", "七"]),
)

date_text = st.one_of(
    st.sampled_from([
        "0001-01-01", "9999-12-31", "10000-01-01", "0000-00-00", "2024-02-30", "2023-02-29",
        "1900-01-01", "1899-12-31", "2024-13-01", "31/12/2024", "12/31/2024", "2024-1-1",
        "20240101", "-2024-01-01", "2024-01-01T00:00", "٢٠٢٤-٠١-٠١", "today", "",
    ]),
    st.dates().map(lambda d: d.isoformat()),
)

datetime_text = st.one_of(
    st.sampled_from([
        "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59.999999-23:59",
        "0001-01-01T00:00+14:00", "0001-01-01T00:00:00+23:59", "1900-01-01T00:00:00+07:00",
        "1970-01-01T00:00:00Z", "2024-02-30T10:00:00+07:00", "2024-01-17T25:00:00+07:00",
        "2024-01-17T10:00:00+99:00", "2024-01-17T10:00:00", "2024-01-17 10:00:00+07:00",
        "2024-01-17T10:00:00.1234567890123+07:00", "+12024-01-17T10:00:00Z", "0", "",
        "2038-01-19T03:14:08Z", "2100-01-01T00:00:00Z",
    ]),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
)

form_value = st.one_of(nasty_text, number_text, date_text)

# A field left out of the request altogether.
MISSING = object()


@st.composite
def mutated(draw: st.DrawFn, valid: dict[str, Any],
            odd: dict[str, st.SearchStrategy] | None = None, *, at_most: int = 3) -> dict:
    """`valid` with up to `at_most` fields replaced by odd values (or left out). Shrinks
    towards the valid request, so a failure names only the fields that matter."""
    data = dict(valid)
    keys = draw(st.lists(st.sampled_from(sorted(valid)), max_size=at_most, unique=True))
    for key in keys:
        value = draw(st.one_of((odd or {}).get(key, form_value), st.just(MISSING)))
        if value is MISSING:
            del data[key]
        else:
            data[key] = value
    return data


# --- JSON with what JSON.stringify never sends ------------------------------------------------


class Raw:
    """A literal spliced into a JSON body as is: NaN, Infinity, 1e999, -0, 1E+400."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"Raw({self.text!r})"


raw_number = st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1E+400",
                              "1e-400", "-0", "123456789012345678901234567890"]).map(Raw)


def to_json(value: Any) -> str:
    """json.dumps, with every Raw spliced in verbatim."""
    raws: list[str] = []

    def placeholder(obj: Any) -> str:
        if isinstance(obj, Raw):
            raws.append(obj.text)
            return f"\x00RAW{len(raws) - 1}\x00"
        raise TypeError(type(obj))

    text = json.dumps(value, default=placeholder, allow_nan=True)
    for index, raw in enumerate(raws):
        text = text.replace(json.dumps(f"\x00RAW{index}\x00"), raw)
    return text


class Blob(bytes):
    """Generated file content that prints as a short description, not as 100 KB of bytes."""

    def __new__(cls, data: bytes, label: str):
        blob = super().__new__(cls, data)
        blob.label = label
        return blob

    def __repr__(self) -> str:
        return f"Blob(<{self.label}; {len(self)} bytes>)"


def upload(name: str, data: bytes):
    """A file for the test client under any name, even one Django's own UploadedFile would
    refuse to construct ('..', '/'): the server must cope with whatever a browser sends."""
    import io

    handle = io.BytesIO(bytes(data))
    handle.name = name
    return handle


# --- "nothing written" -----------------------------------------------------------------------


def _tables(exclude: tuple[str, ...]) -> list[str]:
    models = [*apps.get_app_config("signings").get_models(include_auto_created=True),
              get_user_model()]
    return sorted(m._meta.db_table for m in models if m._meta.db_table not in exclude)


def database_state(*, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """A fingerprint of every row of the app's tables (and the users'), one query: a refusal
    must leave it as it was, updates included, not only the row counts."""
    tables = _tables(exclude)
    quote = connection.ops.quote_name
    # Table names from the models' metadata, quoted: nothing here comes from a request.
    row_digest = "count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
    parts = [f"(SELECT {row_digest} FROM {quote(table)} AS t)" for table in tables]  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return dict(zip(tables, row, strict=True))


# What no stored text may hold once accepted (issue 11: refused in every text field, import row
# and API string): C0 controls but tab, newline and carriage return; DEL and the C1 controls;
# line and paragraph separators; the bidirectional controls. (NUL cannot be stored at all.)
HIDDEN_CHARACTERS = ("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f"
                     "\u2028-\u202e\u2066-\u2069]")


def hidden_characters_stored() -> list[str]:
    """`table.column` of every text column holding such a character, one query."""
    quote = connection.ops.quote_name
    checks, params = [], []
    for model in apps.get_app_config("signings").get_models():
        for field in model._meta.concrete_fields:
            if field.get_internal_type() in ("CharField", "TextField"):
                table, column = quote(model._meta.db_table), quote(field.column)
                # Names from the models' metadata, quoted; label and pattern are parameters.
                checks.append(f"(SELECT %s FROM {table} WHERE {column} ~ %s LIMIT 1)")  # noqa: S608
                params += [f"{model._meta.db_table}.{field.column}", HIDDEN_CHARACTERS]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(checks), params)
        return [row[0] for row in cursor.fetchall()]


def media_files() -> set[str]:
    root = Path(django_settings.MEDIA_ROOT)
    if not root.exists():
        return set()
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return [table for table in before if before[table] != after[table]]


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """One example: a fresh cache (rate limits count per test) and a savepoint undone after."""
    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def module_data(django_db_blocker, build, **overrides):
    """For a module-scoped fixture: what `build()` makes (under the settings `overrides`),
    kept for every test of the module and rolled back after the last one; each test still
    runs in its own savepoint inside. Building the same objects for every target would cost
    more than fuzzing them."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(**overrides):
                data = build()
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            raise
    try:
        yield data
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def regency(code: str, name: str, *, city: str = "Sampit") -> Agency:
    """A fuzz module's own top agency, "Pemerintah Kabupaten <name>"."""
    return Agency.objects.create(code=code, name=f"Pemerintah Kabupaten {name}",
                                 kind=AgencyKind.REGENCY, city=city)


def health_office(parent: Agency, name: str) -> Agency:
    """A unit under `parent`: "Dinas Kesehatan <name>", coded <parent's code>-DINKES."""
    return Agency.objects.create(code=f"{parent.code}-DINKES", name=f"Dinas Kesehatan {name}",
                                 kind=AgencyKind.DEPARTMENT, city=parent.city, parent=parent)


def other_regency(code: str) -> Agency:
    """Another agency, whose objects no fuzzed request may reach."""
    return regency(code, "Lain", city="Kuala Pembuang")


def error_messages(response) -> list[str]:
    request = getattr(response, "wsgi_request", None)
    if request is None:
        return []
    return [str(m) for m in get_messages(request) if m.level >= message_levels.ERROR]


# --- Schemathesis, without its changes to Hypothesis ----------------------------------------


def import_schemathesis():
    """Schemathesis, with Hypothesis left as it was.

    The first time its strategy builder is imported, Schemathesis swaps Hypothesis' printer
    for one that prints nothing (every "Failing test case" of every later test would show
    blank arguments) and changes its buffer sizes (later tests would draw other examples
    than when run alone). It does so once per process; this undoes it right away."""
    import hypothesis.core
    from hypothesis.internal import entropy
    from hypothesis.internal.conjecture import engine
    from hypothesis.strategies._internal import collections, core

    saved = [(hypothesis.core, "RepresentationPrinter"), (hypothesis.core, "BUFFER_SIZE"),
             (engine, "BUFFER_SIZE"), (collections, "BUFFER_SIZE"),
             (entropy, "register_random"), (core, "is_first_param_referenced_in_function")]
    values = [getattr(module, name) for module, name in saved]
    import schemathesis
    import schemathesis.generation.hypothesis.builder  # noqa: F401 (runs the patching)

    for (module, name), value in zip(saved, values, strict=True):
        setattr(module, name, value)
    return schemathesis


# --- the app in-process, for Schemathesis ----------------------------------------------------


class InProcessApp:
    """Django's test handler behind a WSGI face, for Schemathesis' WSGI transport.

    The plain WSGIHandler would close the test's database connection between requests (it
    runs close_old_connections); the test handler keeps every request inside the test's
    transaction, as the Django test client does. An exception inside a view is re-raised
    here with its traceback instead of becoming an anonymous 500.
    """

    def __init__(self) -> None:
        self.handler = ClientHandler(enforce_csrf_checks=False)

    def __call__(self, environ, start_response):
        caught: list = []

        def store(**kwargs):
            caught.append(sys.exc_info())

        got_request_exception.connect(store, dispatch_uid="pakta-fuzz")
        try:
            response = self.handler(environ)
        finally:
            got_request_exception.disconnect(dispatch_uid="pakta-fuzz")
        if caught and caught[0][1] is not None:
            raise caught[0][1].with_traceback(caught[0][2])
        headers = list(response.items())
        headers += [("Set-Cookie", c.output(header="").strip()) for c in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        if response.streaming:
            return [b"".join(response.streaming_content)]
        return [response.content]

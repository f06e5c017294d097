"""The developer documents stay true: every screen is on the map, every refusal a tablet can
get is explained.

docs/architecture.md must list every URL name of signings/urls/ in its "Where is X" section,
with the view that really serves it and templates that exist; docs/signing.md must list every
error code raised on the kiosk's paths (submission, pairing, identity check), by the officer's
signing methods and by voiding.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver

import signings.urls
from signings.api.kiosk import api
from signings.services import kiosk as kiosk_service

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURE = ROOT / "docs" / "architecture.md"
SIGNING = ROOT / "docs" / "signing.md"

# Modules whose every refusal is on a signing path, and functions of other modules that are.
SIGNING_MODULES = [
    "signings/api/kiosk.py",
    "signings/middleware.py",  # the request-size guard in front of the API
    "signings/services/signatures.py",
    "signings/services/representation.py",
    "signings/signature_image.py",
    "signings/text.py",
]
SIGNING_FUNCTIONS = [kiosk_service.authenticate, kiosk_service.pair_device]

CODE_SHAPE = re.compile(r"^[a-z_]+\.[a-z_]+$")


def _url_names(patterns, namespace: str = "") -> list[tuple[str, object]]:
    names = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace \
                else (pattern.namespace or namespace)
            names += _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            names.append((name, pattern.callback))
    return names


URL_NAMES = _url_names(signings.urls.urlpatterns)
API_VIEWS = {
    f"kiosk:api:{operation.url_name}": operation.view_func.__name__
    for path_view in api.default_router.path_operations.values()
    for operation in path_view.operations
}


def _where_is_x() -> str:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    start = text.index("## Where is X")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def _row(section: str, name: str) -> str | None:
    """The table row whose first cell names the URL."""
    for line in section.splitlines():
        if line.startswith(f"| `{name}` |"):
            return line
    return None


def test_the_url_walk_finds_every_audience():
    names = {name for name, _callback in URL_NAMES}
    for expected in ("home", "hr:event_live", "kiosk:app", "kiosk:api:submit",
                     "audit:signature_pdf", "verify:signature"):
        assert expected in names


@pytest.mark.parametrize("name", [name for name, _callback in URL_NAMES])
def test_every_url_name_is_in_the_where_is_x_table(name):
    assert _row(_where_is_x(), name) is not None, (
        f"docs/architecture.md: add a row for `{name}` to the \"Where is X\" tables "
        f"(URL name, path, view, form, service, template)."
    )


@pytest.mark.parametrize("name, callback", URL_NAMES, ids=[name for name, _ in URL_NAMES])
def test_each_row_names_the_view_that_serves_the_url(name, callback):
    row = _row(_where_is_x(), name)
    if row is None:
        pytest.skip("missing row: reported by the test above")
    if name in API_VIEWS:
        view = API_VIEWS[name]
    elif getattr(callback, "__module__", "").startswith("signings."):
        view = callback.__name__
    else:
        return  # django-ninja's own schema and root pages
    view_cell = row.split("|")[3]  # | name | path | view | ...
    assert re.search(rf"\b{re.escape(view)}\b", view_cell), (
        f"docs/architecture.md: the row of `{name}` should name its view `{view}`.")


def test_every_template_the_map_names_exists():
    templates = set(re.findall(r"`([\w/]+\.html)`", _where_is_x()))
    assert templates
    missing = sorted(t for t in templates if not (ROOT / "templates" / t).exists())
    assert not missing, f"docs/architecture.md names templates that do not exist: {missing}"


def _codes_in(tree: ast.AST) -> set[str]:
    """Codes passed to an error class (`...Error("code", ...)`), to the API's
    `error(request, "code", ...)`, or written as `{"code": "..."}`."""
    codes = set()
    for node in ast.walk(tree):
        candidates = []
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name.endswith("Error") and node.args:
                candidates.append(node.args[0])
            elif name == "error" and len(node.args) > 1:
                candidates.append(node.args[1])
        elif isinstance(node, ast.Dict):
            candidates += [value for key, value in zip(node.keys, node.values, strict=True)
                           if isinstance(key, ast.Constant) and key.value == "code"]
        codes |= {c.value for c in candidates
                  if isinstance(c, ast.Constant) and isinstance(c.value, str)
                  and CODE_SHAPE.match(c.value)}
    return codes


def signing_path_codes() -> set[str]:
    codes = set()
    for module in SIGNING_MODULES:
        codes |= _codes_in(ast.parse((ROOT / module).read_text(encoding="utf-8")))
    for function in SIGNING_FUNCTIONS:
        codes |= _codes_in(ast.parse(textwrap.dedent(inspect.getsource(function))))
    return codes


def test_the_code_scan_finds_the_submission_refusals():
    codes = signing_path_codes()
    for expected in ("request.too_large", "device.unknown", "device.revoked",
                     "agreement.missing", "image.blank", "submission.conflict",
                     "event.not_open", "template.mismatch", "identity.mismatch",
                     "signature.already_signed", "signature.order", "signature.void_reason",
                     "representative.not_expected", "pairing.invalid"):
        assert expected in codes


def test_every_signing_error_code_is_in_signing_md():
    text = SIGNING.read_text(encoding="utf-8")
    missing = sorted(code for code in signing_path_codes() if f"`{code}`" not in text)
    assert not missing, f"docs/signing.md does not explain these error codes: {missing}"


def test_the_docs_are_linked_from_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/architecture.md)" in readme
    assert "(docs/signing.md)" in readme

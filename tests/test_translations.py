"""English is available for every Indonesian string of the UI.

The msgids are the Indonesian sentences; locale/en holds their English. These tests extract the
strings afresh from a copy of the code, so a new `{% translate %}` without an English entry
fails here rather than showing Indonesian to an English-speaking user.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/en/LC_MESSAGES/django.po"
MO = ROOT / "locale/en/LC_MESSAGES/django.mo"

pytestmark = pytest.mark.skipif(
    shutil.which("msgattrib") is None, reason="GNU gettext is not installed (bin/test installs it)"
)


def entries(args: list[str], po: Path) -> str:
    out = subprocess.run(["msgattrib", *args, str(po)], capture_output=True, text=True,
                         check=True).stdout
    # The header entry (empty msgid) is not a translation.
    return "\n".join(line for line in out.splitlines() if line.startswith("msgid \"") and
                     line != 'msgid ""')


def test_catalog_has_no_untranslated_or_fuzzy_entries():
    assert entries(["--untranslated"], PO) == ""
    assert entries(["--only-fuzzy"], PO) == ""


def test_compiled_catalog_matches_the_source(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(PO)], check=True)
    assert compiled.read_bytes() == MO.read_bytes(), "run: msgfmt -o django.mo django.po"


def test_every_string_in_the_code_has_an_english_entry(tmp_path):
    copy = tmp_path / "p"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
        ".venv", "var", ".git", "node_modules", "tests", "bench", "__pycache__", "static"))
    shutil.copytree(ROOT / "static" / "kiosk", copy / "static" / "kiosk")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "-v", "0"],
        cwd=copy, check=True, env={"DEBUG": "1", "PATH": "/usr/bin:/bin",
                                   "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"},
    )
    missing = entries(["--untranslated"], copy / "locale/en/LC_MESSAGES/django.po")
    fuzzy = entries(["--only-fuzzy"], copy / "locale/en/LC_MESSAGES/django.po")
    assert not missing and not fuzzy, f"Add English for:\n{missing}\n{fuzzy}"

"""Fuzzing the roster import through its three views (upload → preview → confirm) with
generated CSV and XLSX files: odd encodings, delimiters and headers, cells with control
characters, formulas, huge numbers and dates, broken spreadsheets.

No step may answer 500. A refused upload, any preview, and a refused confirmation write
nothing; an accepted import stores no hidden character and leaves a roster whose pages and
exports still open.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from types import SimpleNamespace

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from signings.models import Role
from signings.services import imports
from tests import factories, siasn_export
from tests.fuzz import (
    changed,
    database_state,
    error_messages,
    fuzz_settings,
    health_office,
    hidden_characters_stored,
    module_data,
    nasty_text,
    number_text,
    other_regency,
    regency,
    rolled_back,
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

HEADER = [label for _key, label in imports.COLUMNS]


def build_world() -> SimpleNamespace:
    agency = regency("IM", "Impor")
    unit = health_office(agency, "Impor")
    other = other_regency("IX")
    officer = factories.user("fuzz_import", role=Role.HR_OFFICER, agency=agency)
    known = factories.employee(unit, name="Budi Santoso")
    stranger = factories.employee(other)
    return SimpleNamespace(agency=agency, unit=unit, other=other, officer=officer,
                           known=known, stranger=stranger)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from module_data(django_db_blocker, build_world)


@pytest.fixture
def officer(client, world):
    client.force_login(world.officer)
    return client


# --- generated files -------------------------------------------------------------------------


def column_values(world) -> dict[str, st.SearchStrategy]:
    """Per column: values an HR file really has, which the odd ones are mixed into."""
    known = [world.known.nip, world.stranger.nip or ""] if world is not None else []
    return {
        "NIP": st.sampled_from(["", factories.pns_nip(7), "19800101 200501 1 007", *known,
                                "199002152021211001", "1.98001012005011E+17"]),
        "NIK": st.sampled_from(["", "6202011508900001", "6202015508900002"]),
        "Nomor Pegawai": st.sampled_from(["", "P-001", "P-001 "]),
        "Nama": st.sampled_from(["Siti Aminah", "Budi Santoso", "Rahmat Hidayat"]),
        "Gelar Depan": st.sampled_from(["", "Dr.", "Ir."]),
        "Gelar Belakang": st.sampled_from(["", "S.E.", "S.Kom., M.T."]),
        "Kategori": st.sampled_from(["PNS", "PPPK", "TKD", "honorer", "cpns", "P3K"]),
        "Jabatan": st.sampled_from(["Analis Kebijakan", "Pengemudi"]),
        "Golongan": st.sampled_from(["III/a", "IV/e", "IX", "", "II a"]),
        "Eselon": st.sampled_from(["", "II", "III.b", "4", "IV-A"]),
        "Kode Unit": st.sampled_from(["", "IM-DINKES", "IM", "IX", "im-dinkes "]),
        "Aktif": st.sampled_from(["ya", "tidak", "", "0", "1"]),
        # Someone in the file, in Pakta, in another agency, nobody, or a mangled number.
        "NIP Atasan": st.sampled_from(["", factories.pns_nip(7), "199002152021211001", *known,
                                       factories.pns_nip(8), "1.98E+17"]),
    }


odd_cell = st.one_of(nasty_text, number_text, st.sampled_from(["=HYPERLINK(\"x\")", "+1", "@A1"]))
typed_cell = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=datetime.datetime(1900, 1, 1)),
    st.dates(min_value=datetime.date(1900, 1, 1)),
    st.booleans(), st.none(),
)


@st.composite
def table(draw, world) -> list[list]:
    values = column_values(world)
    header = list(HEADER)
    title: list[list] = []
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    if draw(st.integers(0, 3)) == 0:
        # Odd headers: a column gone, a duplicate, a nasty name, a blank title row first.
        edit = draw(st.sampled_from(["drop", "duplicate", "rename", "blank_row_first"]))
        if edit == "drop":
            header.pop(draw(st.integers(0, len(header) - 1)))
        elif edit == "duplicate":
            header.append(draw(st.sampled_from(header)))
        elif edit == "rename":
            header[draw(st.integers(0, len(header) - 1))] = draw(nasty_text)
        else:
            title = [["Daftar pegawai"], []]
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        row = [draw(values.get(name, st.just(""))) for name in header]
        for _ in range(draw(st.integers(0, 2))):
            if row:
                row[draw(st.integers(0, len(row) - 1))] = draw(odd_cell)
        if draw(st.integers(0, 4)) == 0:
            row = row[: draw(st.integers(0, len(row)))] + draw(st.lists(odd_cell, max_size=2))
        rows.append(row)
    return [*title, header, *rows]


@st.composite
def csv_file(draw, world) -> tuple[str, bytes]:
    rows = draw(table(world))
    delimiter = draw(st.sampled_from([";", ",", "\t", "|"]))
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\r\n", "\n",
                                                                              "\r"]))).writerows(
        rows)
    text = out.getvalue()
    if draw(st.integers(0, 5)) == 0:
        text += draw(st.sampled_from(['"unterminated', "a\x00b;c", "\x1a", "\ufeff;;;"]))
    header = next((row for row in rows if len(row) > 2), HEADER)
    if draw(st.integers(0, 4)) == 0:
        # A name with odd characters past the first 4 KB, where the sniffing for binary files
        # no longer looks: as many ordinary rows as it takes first.
        def row_with(name: str) -> str:
            cells = {"Nama": name, "Kategori": "TKD", "Jabatan": "Pengemudi",
                     "Nomor Pegawai": f"P-{len(name)}"}
            return delimiter.join(cells.get(column, "") for column in header) + "\n"

        odd = draw(st.sampled_from(["\x00", "Budi\x00", "\x1b[2J", "Budi\u202eosotnaS"]))
        text += row_with("Rahmat") * (4200 // len(row_with("Rahmat"))) + row_with(odd)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    name = draw(st.sampled_from(["pegawai.csv", "PEGAWAI.CSV", "pegawai.txt"]))
    return name, data


def _xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, float) and value != value:
                value = None  # openpyxl cannot write NaN
            cells.append(value)
        try:
            sheet.append(cells)
        except (IllegalCharacterError, ValueError, TypeError):
            sheet.append([repr(value) for value in cells])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@st.composite
def xlsx_file(draw, world) -> tuple[str, bytes]:
    rows = draw(table(world))
    for row in rows:
        for _ in range(draw(st.integers(0, 1))):
            if row:
                row[draw(st.integers(0, len(row) - 1))] = draw(typed_cell)
    data = _xlsx_bytes(rows)
    damage = draw(st.integers(0, 5))
    if damage == 0:
        # Cut at a share of the length: the bytes (zip times) differ from run to run.
        data = data[: max(4, len(data) * draw(st.integers(1, 999)) // 1000)]
    elif damage == 1:
        # A zip that is not a workbook, or a workbook part that is not XML.
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr(draw(st.sampled_from(["xl/workbook.xml", "[Content_Types].xml",
                                                   "mimetype"])), draw(st.binary(max_size=50)))
        data = out.getvalue()
    return draw(st.sampled_from(["pegawai.xlsx", "pegawai.csv"])), data


def junk_file() -> st.SearchStrategy:
    return st.tuples(
        st.one_of(st.sampled_from(["pegawai.csv", "pegawai.xlsx", "pegawai", "a.b.c.csv",
                                   "pegawai.xls", ".csv", "x" * 300 + ".csv"]),
                  nasty_text.map(lambda t: t + ".csv")),
        st.one_of(st.binary(max_size=300),
                  st.sampled_from([b"", b"   \n", b"\xd0\xcf\x11\xe0rest", b"PK\x03\x04junk"])),
    )


SIASN_VALUES = {
    "NIP BARU": st.sampled_from([factories.pns_nip(8), "199002152021211008", "null",
                                 "1.98001012005011E+17"]),
    "NAMA": st.sampled_from(["Siti Aminah", "null"]),
    "JENIS PEGAWAI NAMA": st.sampled_from(["PNS Daerah Kabupaten/Kota", "PPPK", "CPNS",
                                           "null", "Honorer"]),
    "STATUS CPNS PNS": st.sampled_from(["P", "C", "null"]),
    "KEDUDUKAN HUKUM NAMA": st.sampled_from(["Aktif", "Pensiun", "CLTN", "null"]),
    "GOL AKHIR NAMA": st.sampled_from(["III/a", "IX", "9", "null"]),
    "JABATAN NAMA": st.sampled_from(["Analis Kebijakan", "Kepala Seksi Umum", "null"]),
    "UNOR NAMA": st.sampled_from(["Dinas Kesehatan Impor", "Unit Tak Dikenal", "null"]),
}


@st.composite
def siasn_file(draw, world) -> tuple[str, bytes]:
    """A SIASN export (the full header) with odd cells in the columns Pakta reads."""
    rows = siasn_export.rows([siasn_export.Person(factories.pns_nip(9), "Budi")])
    for _ in range(draw(st.integers(0, 3))):
        row = list(rows[1])
        for column, values in SIASN_VALUES.items():
            row[siasn_export.HEADER.index(column)] = draw(values)
        for _ in range(draw(st.integers(0, 2))):
            column = draw(st.sampled_from(sorted(SIASN_VALUES)))
            row[siasn_export.HEADER.index(column)] = draw(st.one_of(odd_cell, typed_cell))
        rows.append(row)
    if draw(st.booleans()):
        return "asn.xlsx", _xlsx_bytes(rows)
    return "asn.csv", siasn_export.to_csv([[("" if c is None else str(c)) for c in row]
                                           for row in rows], bom=draw(st.booleans()))


def files(world) -> st.SearchStrategy:
    return st.one_of(csv_file(world), xlsx_file(world), siasn_file(world), junk_file())


def _base_workbook() -> bytes:
    return _xlsx_bytes([HEADER, ["19800101 200501 1 001", "", "", "Budi", "", "", "PNS",
                                 "Analis", "III/a", "", "", "ya"], [1, 2.5, None, True]])


@st.composite
def damaged_workbook(draw) -> bytes:
    """A real workbook with one zip member cut, emptied, dropped, replaced or edited: the
    paths where openpyxl parses XML, not only where the zip itself is broken."""
    source = zipfile.ZipFile(io.BytesIO(_base_workbook()))
    names = sorted(source.namelist())
    part = draw(st.sampled_from(names))
    how = draw(st.sampled_from(["cut", "empty", "drop", "junk", "edit"]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in names:
            data = source.read(name)
            if name == part:
                if how == "drop":
                    continue
                if how == "cut":
                    data = data[: len(data) * draw(st.integers(0, 999)) // 1000]
                elif how == "empty":
                    data = b""
                elif how == "junk":
                    data = draw(st.binary(max_size=60))
                else:
                    old = draw(st.sampled_from([b'r="', b"<v>", b't="s"', b'count="', b"sheet1",
                                                b'ref="', b"<c ", b"<row", b'Id="rId1"']))
                    data = data.replace(old, old + draw(st.binary(min_size=1, max_size=4)), 1)
            target.writestr(name, data)
    return out.getvalue()


@fuzz_settings(200)
@given(data=st.one_of(damaged_workbook(), xlsx_file(None).map(lambda f: f[1]),
                      st.binary(max_size=200)),
       name=st.sampled_from(["pegawai.xlsx", "pegawai.csv"]))
def test_reading_any_file_gives_rows_or_a_clear_refusal(data, name):
    """No database here, so many cheap examples: the reader itself never raises anything but
    ImportFileError (the upload view shows its message)."""
    try:
        rows = imports.read_table(data, name)
    except imports.ImportFileError as error:
        assert str(error.message).strip()
    else:
        assert all(isinstance(cell, str) for row in rows for cell in row)


# --- the flow --------------------------------------------------------------------------------


def nul_past_the_sniffing() -> bytes:
    """Issue 11: a NUL byte in a row after the first 4 KB passed the preview and failed the
    confirmation with a bare 500."""
    ordinary = ";;P-1;Rahmat;;;TKD;Pengemudi;;;;ya\r\n"
    return (";".join(HEADER) + "\r\n" + ordinary * 120
            + ";;P-2;Budi\x00;;;TKD;Pengemudi;;;;ya\r\n").encode()


def test_import_never_500s_and_writes_only_when_confirmed(officer, world):
    agencies = st.sampled_from([world.agency.pk, world.agency.pk, world.unit.pk, world.other.pk])
    outcomes: dict[str, int] = {}

    @fuzz_settings(60)
    @given(roster=files(world), agency=agencies)
    @example(roster=("pegawai.csv", nul_past_the_sniffing()), agency=world.agency.pk)
    def run(roster, agency):
        name, data = roster
        with rolled_back():
            officer.cookies.pop("messages", None)
            before = database_state()
            response = officer.post(reverse("hr:import_upload"), {
                "agency": agency, "file": upload(name, data)})
            assert response.status_code < 500
            if response.status_code != 302:
                outcomes["refused at upload"] = outcomes.get("refused at upload", 0) + 1
                assert changed(before, database_state()) == []
                return
            preview = officer.get(response.url)
            assert preview.status_code in (200, 302)
            assert changed(before, database_state()) == []
            if preview.status_code != 200:
                return
            if "plan" not in preview.context:  # a header to map first: nothing kept but it
                outcomes["asked for columns"] = outcomes.get("asked for columns", 0) + 1
                assert "/kolom/" in response.url
                return
            token = preview.context["token"]
            confirm = officer.post(reverse("hr:import_confirm", kwargs={"token": token}),
                                   {"fingerprint": preview.context["fingerprint"]})
            assert confirm.status_code == 302
            if error_messages(confirm):
                outcomes["refused at confirmation"] = outcomes.get(
                    "refused at confirmation", 0) + 1
                assert changed(before, database_state()) == []
                return
            outcomes["imported"] = outcomes.get("imported", 0) + 1
            assert hidden_characters_stored() == []
            # What was imported can be listed and exported again.
            assert officer.get(reverse("hr:employees"), {"active": "all"}).status_code == 200
            for fmt in ("csv", "xlsx"):
                export = officer.get(reverse("hr:roster_export", args=[fmt]), {"active": "all"})
                assert export.status_code == 200

    run()
    # The generated files reach every stage, not only the upload's refusals.
    assert outcomes.get("imported", 0) > 0 and outcomes.get("refused at upload", 0) > 0, outcomes

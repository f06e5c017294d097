"""ANRI archive metadata (CSV and XLSX) inside the archive ZIP, per agency."""

import csv
import datetime
import io
import json
import zipfile
import zoneinfo

import pytest
from openpyxl import load_workbook

from signings.archive_metadata import COLUMNS
from signings.models import ArchiveStatus
from signings.services import archives
from signings.services.context import AuditContext
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_event(open_event, hr_a):
    for expected in list(open_event.expected.select_related("employee").order_by("pk"))[:2]:
        factories.signature(open_event, expected.employee, officer=hr_a)
    return open_event


def build(event, auditor) -> zipfile.ZipFile:
    job = archives.request_archive(agency=event.agency, event=event,
                                   context=AuditContext.for_user(auditor))
    job = archives.build_archive(job_id=job.pk, context=AuditContext.system("test"))
    assert job.status == ArchiveStatus.READY
    with job.file.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def test_archive_carries_the_agencys_anri_metadata_as_csv_and_xlsx(signed_event, agency_a,
                                                                    auditor_a):
    agency_a.archive_classification_code = "800.1.2"
    agency_a.archive_retention = "Aktif 5 tahun, inaktif 5 tahun, permanen"
    agency_a.save()
    archive = build(signed_event, auditor_a)
    text = archive.read("metadata-arsip.csv").decode("utf-8-sig")
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["Kode klasifikasi"] == "800.1.2"
    assert signed_event.title in row["Uraian"]
    assert row["Kurun waktu"] == signed_event.date.strftime("%d-%m-%Y")
    assert row["Tingkat perkembangan"].startswith("Asli")
    assert row["Jumlah"] == "2 pakta, 1 rekapitulasi"
    assert row["Retensi"] == "Aktif 5 tahun, inaktif 5 tahun, permanen"
    book = load_workbook(io.BytesIO(archive.read("metadata-arsip.xlsx")))
    sheet = book.active
    assert [c.value for c in sheet[1]] == COLUMNS
    assert [c.value for c in sheet[2]] == [row[c] for c in COLUMNS]


def test_metadata_files_are_listed_in_the_manifest(signed_event, auditor_a):
    archive = build(signed_event, auditor_a)
    manifest_name = next(n for n in archive.namelist() if n.endswith(".json")
                         and "manifest" in n.lower())
    files = {f["name"]: f for f in json.loads(archive.read(manifest_name))["files"]}
    assert files["metadata-arsip.csv"]["kind"] == "metadata"
    assert files["metadata-arsip.xlsx"]["kind"] == "metadata"


def test_defaults_apply_without_configuration(signed_event, auditor_a):
    archive = build(signed_event, auditor_a)
    text = archive.read("metadata-arsip.csv").decode("utf-8-sig")
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["Kode klasifikasi"] == "800"
    assert row["Retensi"]


def test_agency_text_that_looks_like_a_formula_stays_text_in_csv_and_xlsx(signed_event, agency_a,
                                                                          auditor_a):
    agency_a.archive_retention = "=HYPERLINK(\"http://x\")"
    agency_a.save()
    archive = build(signed_event, auditor_a)
    text = archive.read("metadata-arsip.csv").decode("utf-8-sig")
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["Retensi"] == "'=HYPERLINK(\"http://x\")"
    sheet = load_workbook(io.BytesIO(archive.read("metadata-arsip.xlsx"))).active
    assert sheet["F2"].value == "'=HYPERLINK(\"http://x\")"
    assert sheet["F2"].data_type == "s"


def test_the_workbook_bytes_depend_on_the_content_not_on_the_clock():
    """openpyxl writes the clock into the document's `modified` time; two archives of the same
    content built a second apart must still be byte for byte the same."""
    from freezegun import freeze_time

    from signings.archive_metadata import as_xlsx

    moment = datetime.datetime(2024, 1, 17, 9, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Makassar"))
    table = [["800", "Pakta integritas: Apel", "17-01-2024", "Asli", "2 pakta", "2 tahun"]]
    with freeze_time("2026-11-27 04:36:51"):
        first = as_xlsx(table, moment=moment)
    with freeze_time("2026-11-27 04:36:52"):
        second = as_xlsx(table, moment=moment)
    assert first == second
    core = zipfile.ZipFile(io.BytesIO(first)).read("docProps/core.xml").decode()
    assert "2024-01-17T01:30:00Z</dcterms:created>" in core
    assert "2024-01-17T01:30:00Z</dcterms:modified>" in core

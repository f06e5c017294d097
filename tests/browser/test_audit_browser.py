"""An auditor in a real browser: downloads a signed PDF, the recap and a ZIP archive; the QR on
the PDF leads to its verification page; an altered PDF is caught there."""

import io
import zipfile
from pathlib import Path

import pytest

from signings.models import ArchiveJob, ArchiveStatus
from signings.services import pacts
from signings.services.context import AuditContext
from tests import factories
from tests.pdf_helpers import decode_qr_codes, pdf_text

pytestmark = pytest.mark.django_db(transaction=True)

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def download(page, action) -> bytes:
    with page.expect_download() as info:
        action()
    return Path(info.value.path()).read_bytes()


def test_auditor_downloads_pdf_recap_and_archive_and_verifies(
        live_server, page, log_in, settings, open_event, unit_a, hr_a, auditor_a, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.PAKTA_PUBLIC_BASE_URL = live_server.url
    employee = factories.employee(unit_a, name="Rina Kartika")
    signature = pacts.render_and_store(
        signature_id=factories.signature(open_event, employee,
                                         officer=hr_a).pk, context=AuditContext.system("test"))
    log_in(page, auditor_a.username)

    page.click("text=Audit")
    page.click(f"text={open_event.title}")
    pdf = download(page, lambda: page.locator("tr", has_text="Rina Kartika")
                   .get_by_role("link", name="PDF").click())
    assert "Rina Kartika" in pdf_text(pdf)

    recap = download(page, lambda: page.click("text=Unduh rekap (PDF)"))
    assert "REKAPITULASI" in pdf_text(recap) and "Rina Kartika" in pdf_text(recap)

    page.click("text=Buat arsip ZIP")
    page.wait_for_selector("#archive-download")
    archive = zipfile.ZipFile(io.BytesIO(download(page, lambda: page.click("#archive-download"))))
    assert "manifest.csv" in archive.namelist() and archive.testzip() is None

    # The QR code printed on the PDF leads to the public verification page.
    [qr_url] = decode_qr_codes(pdf)
    assert qr_url == f"{live_server.url}/v/{signature.verification_code}/"
    page.goto(qr_url)
    assert page.locator("#verify-status").get_attribute("data-status") == "valid"
    assert "Rina Kartika" in page.content()

    original = tmp_path / "asli.pdf"
    original.write_bytes(pdf)
    page.set_input_files("input[name=document]", str(original))
    page.get_by_role("button", name="Periksa berkas").click()
    assert page.locator("#upload-verdict").get_attribute("data-verdict") == "issued"

    altered = bytearray(pdf)
    index = altered.find(b"/Title")
    altered[index + 1] ^= 0x01
    forged = tmp_path / "ubah.pdf"
    forged.write_bytes(bytes(altered))
    page.set_input_files("input[name=document]", str(forged))
    page.get_by_role("button", name="Periksa berkas").click()
    assert page.locator("#upload-verdict").get_attribute("data-verdict") == "altered"


def test_archive_page_polls_and_offers_the_file_when_the_worker_finishes(
        live_server, page, log_in, open_event, auditor_a):
    from django.core.files.base import ContentFile

    job = ArchiveJob.objects.create(agency=open_event.agency, event=open_event,
                                    requested_by=auditor_a, status=ArchiveStatus.RUNNING,
                                    total=4, done=1)
    log_in(page, auditor_a.username)
    page.goto(f"{live_server.url}/audit/arsip/{job.pk}/")
    assert "1 / 4" in page.inner_text("#archive-progress")
    assert page.locator("#archive-download").count() == 0

    # The worker finishes in the background; the page notices through htmx polling.
    job.file.save("arsip.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    job.status = ArchiveStatus.READY
    job.done = 4
    job.file_sha256 = "a" * 64
    job.save()
    page.wait_for_selector("#archive-download", timeout=10_000)
    assert "100%" in page.inner_text("#archive-progress")

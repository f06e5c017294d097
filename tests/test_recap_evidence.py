"""The recap is evidence too: sealed like a pact, with its own verification code and /v/ page,
a signature block for the officer and the witnesses, the audit chain head at its making, and
its hash in the audit log."""

import asyncio
import csv
import hashlib
import io
import zipfile

import pdfplumber
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.validation.ades import ades_lta_validation

from signings.models import AuditEntry, EventRecap
from signings.pdf import pki
from signings.pdf.pact import verification_url
from signings.services import archives, events, pacts, recaps
from signings.services.audit import chain_for
from signings.services.context import AuditContext
from tests import factories
from tests.pdf_helpers import decode_qr_codes, pdf_text
from tests.test_seal_lta import offline_spec, the_seal

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor_client(client, auditor_a):
    client.force_login(auditor_a)
    return client


@pytest.fixture
def signed_event(open_event, unit_a, hr_a):
    for expected in list(open_event.expected.select_related("employee").order_by("pk"))[:2]:
        factories.signature(open_event, expected.employee, officer=hr_a)
    return open_event


def download(client, event) -> bytes:
    response = client.get(reverse("audit:event_recap", args=[event.pk]))
    assert response.status_code == 200
    return response.content


def flat(text: str) -> str:
    """Extracted text without line breaks or spaces: a 64-character hash may wrap."""
    return "".join(text.split())


def test_recap_prints_its_code_qr_and_the_chain_head_at_its_making(
        auditor_client, signed_event, settings):
    settings.PAKTA_PUBLIC_BASE_URL = "https://pakta.example.go.id"
    chain = chain_for(signed_event.agency)
    before = AuditEntry.objects.filter(chain=chain).order_by("-seq").first()
    count_before = before.seq
    data = download(auditor_client, signed_event)
    recap = EventRecap.objects.get(event=signed_event)
    text = pdf_text(data)
    assert recap.verification_code in text
    assert f"Kode verifikasi rekap: {recap.verification_code}" in text
    # The head is the last entry of the agency's chain before the recap was made, and the count
    # is the length of that chain then: the recap's own entry comes after it.
    assert recap.chain_head == before.entry_hash and recap.chain_count == count_before
    assert before.entry_hash in flat(text)
    assert f"{count_before} catatan" in text
    assert decode_qr_codes(data) == [verification_url(recap.verification_code)]
    assert verification_url(recap.verification_code).startswith("https://pakta.example.go.id/")


def test_every_page_of_a_long_recap_carries_its_code(auditor_client, open_event, unit_a, hr_a):
    people = [factories.employee(unit_a) for _ in range(40)]
    events.set_expected(event=open_event, add=people, context=AuditContext.for_user(hr_a))
    for person in people:
        factories.signature(open_event, person, officer=hr_a)
    data = download(auditor_client, open_event)
    code = EventRecap.objects.get(event=open_event).verification_code
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    assert len(pages) > 1
    assert all(f"Kode verifikasi rekap: {code}" in page for page in pages)


def test_recap_has_a_signature_block_for_the_officer_and_each_witness(
        auditor_client, agency_a, unit_a, template_version, hr_a):
    hr_a.first_name, hr_a.last_name = "Sri", "Wahyuni"
    hr_a.save()
    event = factories.event(agency_a, officer=hr_a, template_version=template_version,
                            title="Apel Besar", venue="Halaman",
                            witnesses=["Ketua DPRD Kotim", "Perwakilan Bawaslu",
                                       "Kapolres Kotim"])
    factories.signature(event, factories.employee(unit_a), officer=hr_a)
    event = events.close_event(event=event, context=AuditContext.for_user(hr_a))
    text = pdf_text(download(auditor_client, event))
    block = text[text.index("Pengesahan"):]
    assert "Petugas penanggung jawab," in block and "Sri Wahyuni" in block
    assert "Sampit," in block and "NIP." in block
    assert "Menyaksikan," in block
    for witness in ("Ketua DPRD Kotim", "Perwakilan Bawaslu", "Kapolres Kotim"):
        assert witness in block
    assert "Nama: ...." not in block


def test_recap_without_recorded_witnesses_leaves_blank_named_lines(auditor_client, signed_event):
    assert signed_event.witnesses == []
    text = pdf_text(download(auditor_client, signed_event))
    block = text[text.index("Menyaksikan,"):]
    assert block.count("Nama: ....") == 2 and block.count("Jabatan/instansi: ....") == 2
    assert "Tidak ada saksi yang dicatat di sistem" in block


def test_recap_seal_validates_at_level_b_lta_and_names_the_recap(
        auditor_client, signed_event, local_tsa):
    data = download(auditor_client, signed_event)
    _reader, signature = the_seal(data)
    root = pki.to_asn1(local_tsa.pki.root())
    result = asyncio.run(ades_lta_validation(signature, offline_spec(root)))
    assert result.ades_subindic == AdESPassed.OK, result.failure_msg
    assert result.oldest_evidence_record_timestamp is not None
    reason = signature.sig_object["/Reason"]
    assert reason.startswith("Rekapitulasi penandatanganan ")
    assert signed_event.title in reason and "Pakta integritas —" not in reason
    # Sealed through the certificate register, like every pact.
    assert AuditEntry.objects.filter(action="seal.certificate.registered").exists()


def test_the_recaps_hash_is_in_the_audit_log(auditor_client, signed_event, auditor_a):
    data = download(auditor_client, signed_event)
    recap = EventRecap.objects.get(event=signed_event)
    entry = AuditEntry.objects.get(action=recaps.ACTION_SEALED)
    assert entry.details["sha256"] == hashlib.sha256(data).hexdigest() == recap.sha256
    assert entry.details["verification_code"] == recap.verification_code
    assert entry.details["chain_head"] == recap.chain_head
    assert entry.object_id == str(signed_event.pk) and entry.agency == signed_event.agency
    assert entry.actor == auditor_a
    download_entry = AuditEntry.objects.get(action="audit.download.recap")
    assert download_entry.details["sha256"] == recap.sha256


def test_one_state_is_issued_once_and_a_new_state_gets_a_new_code(
        auditor_client, signed_event, unit_a, hr_a):
    first = download(auditor_client, signed_event)
    assert download(auditor_client, signed_event) == first
    assert AuditEntry.objects.filter(action=recaps.ACTION_SEALED).count() == 1
    newcomer = factories.employee(unit_a, name="Pegawai Terlambat")
    events.set_expected(event=signed_event, add=[newcomer], context=AuditContext.for_user(hr_a))
    factories.signature(signed_event, newcomer, officer=hr_a)
    second = download(auditor_client, signed_event)
    older, newer = EventRecap.objects.filter(event=signed_event).order_by("made_at")
    assert older.verification_code != newer.verification_code
    assert hashlib.sha256(first).hexdigest() == older.sha256
    assert hashlib.sha256(second).hexdigest() == newer.sha256
    assert AuditEntry.objects.filter(action=recaps.ACTION_SEALED).count() == 2


def test_the_thumbnail_task_catching_up_changes_neither_the_state_nor_the_page(signed_event):
    from signings.pdf import recap as recap_pdf
    from signings.tasks import _make_thumbnail

    signed_event.signatures.update(thumbnail="")
    evidence = recap_pdf.RecapEvidence(verification_code="ABCD2345", chain_head="0" * 64,
                                       chain_count=1, made_at=signed_event.opened_at)
    state = recaps.state_fingerprint(signed_event)
    without = recap_pdf.render_recap(signed_event, evidence=evidence)
    for pk in signed_event.signatures.values_list("pk", flat=True):
        _make_thumbnail(pk)
    assert not signed_event.signatures.filter(thumbnail="").exists()
    assert recaps.state_fingerprint(signed_event) == state
    assert recap_pdf.render_recap(signed_event, evidence=evidence) == without


def test_a_lost_recap_file_is_issued_again_under_the_same_code(auditor_client, signed_event):
    download(auditor_client, signed_event)
    recap = EventRecap.objects.get(event=signed_event)
    recap.file.storage.delete(recap.file.name)
    again = download(auditor_client, signed_event)
    reissued = EventRecap.objects.get(event=signed_event)
    assert reissued.verification_code == recap.verification_code
    assert reissued.sha256 == hashlib.sha256(again).hexdigest() != recap.sha256
    entry = AuditEntry.objects.filter(action=recaps.ACTION_SEALED).order_by("id").last()
    assert entry.details["replaces_sha256"] == recap.sha256


def test_the_archive_carries_the_issued_recap_and_names_its_code(signed_event, auditor_a):
    job = archives.request_archive(agency=signed_event.agency, event=signed_event,
                                   context=AuditContext.for_user(auditor_a))
    job = archives.build_archive(job_id=job.pk, context=AuditContext.system("test"))
    with job.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    row = next(r for r in rows if r["cara"] == "Rekapitulasi")
    recap = EventRecap.objects.get(event=signed_event)
    assert row["kode_verifikasi"] == recap.verification_code
    assert hashlib.sha256(archive.read(row["berkas"])).hexdigest() == recap.sha256


# The public /v/ page for a recap.

def recap_url(recap: EventRecap) -> str:
    return reverse("verify:signature", args=[recap.verification_code])


def upload(client, url: str, data: bytes):
    return client.post(url, {"document": SimpleUploadedFile("rekap.pdf", data)})


@pytest.fixture
def issued(signed_event):
    return recaps.issue_recap(event=signed_event, context=AuditContext.system("test"))


def test_recap_code_opens_a_page_that_says_it_is_a_recap(client, issued, signed_event):
    response = client.get(recap_url(issued.recap))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-document="recap"' in page and 'data-status="valid"' in page
    assert "Verifikasi rekapitulasi penandatanganan" in page
    assert "Verifikasi pakta integritas" not in page and "Penanda tangan" not in page
    assert signed_event.title in page and signed_event.agency.name in page
    assert issued.recap.chain_head in page and issued.recap.verification_code in page
    assert response["X-Robots-Tag"] == "noindex"


def test_lowercase_recap_code_finds_it_and_unknown_codes_keep_the_same_404(client, issued):
    assert client.get(reverse("verify:signature", args=[
        issued.recap.verification_code.lower()])).status_code == 200
    response = client.get(reverse("verify:signature", args=["ZZZZZZZZZZZZ"]))
    assert response.status_code == 404
    assert [t.name for t in response.templates][0] == "verify/not_found.html"


def test_uploaded_recap_is_recognised_on_its_page(client, issued):
    assert "Berkas PDF rekap" in client.get(recap_url(issued.recap)).content.decode()
    page = upload(client, recap_url(issued.recap), issued.data).content.decode()
    assert 'data-verdict="issued"' in page
    assert "Berkas PDF rekap" in page and "Berkas PDF pakta" not in page


def test_altered_recap_is_caught(client, issued):
    data = bytearray(issued.data)
    data[len(data) // 3] ^= 0x20
    page = upload(client, recap_url(issued.recap), bytes(data)).content.decode()
    assert 'data-verdict="altered"' in page


def test_a_pact_on_the_recap_page_and_the_recap_on_a_pact_page_are_other_documents(
        client, issued, signed_event):
    pact = pacts.render_and_store(signature_id=signed_event.signatures.first().pk,
                                  context=AuditContext.system("test"))
    page = upload(client, recap_url(issued.recap), pact.pdf.read()).content.decode()
    assert 'data-verdict="other"' in page
    pact_url = reverse("verify:signature", args=[pact.verification_code])
    page = upload(client, pact_url, issued.data).content.decode()
    assert 'data-verdict="other"' in page


def test_an_earlier_recap_says_it_was_superseded_but_still_verifies(
        client, issued, signed_event, unit_a, hr_a):
    newcomer = factories.employee(unit_a)
    events.set_expected(event=signed_event, add=[newcomer], context=AuditContext.for_user(hr_a))
    factories.signature(signed_event, newcomer, officer=hr_a)
    recaps.issue_recap(event=signed_event, context=AuditContext.system("test"))
    page = upload(client, recap_url(issued.recap), issued.data).content.decode()
    assert 'data-status="superseded"' in page and 'data-status="valid"' not in page
    assert 'data-verdict="issued"' in page

"""The pact's evidence page and page layout, read back from the PDF: every value equals the
database, the page is inside the seal, user text is printed literally, every page is numbered,
and the shipped templates keep the statement and its signature on one page."""

from __future__ import annotations

import datetime
import hashlib
import io
import re

import pdfplumber
import pytest
from django.utils import timezone, translation
from pyhanko.pdf_utils.reader import PdfFileReader

from signings import demo
from signings.consent import CONSENT_STATEMENT, consent_hash
from signings.models import AuditEntry, Echelon, Signature, SignatureMethod
from signings.pdf import dates, evidence, seal
from signings.pdf.pact import pact_context, render_pact
from signings.services import pacts
from signings.services.context import AuditContext
from tests import factories
from tests.kiosk_support import pair, submission, submit
from tests.pdf_helpers import paper_scan_jpeg

pytestmark = pytest.mark.django_db

TITLE = "Lembar bukti penandatanganan elektronik"
HOSTILE_UA = 'Mozilla/5.0 <script>alert("x")</script> <b>tebal</b> & Tablet/1.0'
MM = 72 / 25.4
# pact.css: left page margin plus the label column of an evidence row.
VALUE_COLUMN_X = (22 + 58) * MM - 1
FOOTER_TOP = 297 * MM - 28 * MM


def evidence_rows(data: bytes) -> dict[str, str]:
    """{label: value} of the last page's rows, read by position: labels left of the value
    column, a value's wrapped lines joined with spaces."""
    rows: dict[str, str] = {}
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[-1].crop((0, 0, pdf.pages[-1].width, FOOTER_TOP))
        lines: list[list[dict]] = []
        # One line: tops within 3 pt (a fingerprint is set smaller than its label).
        for word in sorted(page.extract_words(), key=lambda w: (w["top"], w["x0"])):
            if lines and word["top"] - lines[-1][0]["top"] < 3:
                lines[-1].append(word)
            else:
                lines.append([word])
    label = None
    for words in lines:
        words.sort(key=lambda w: w["x0"])
        left = " ".join(w["text"] for w in words if w["x0"] < VALUE_COLUMN_X)
        right = " ".join(w["text"] for w in words if w["x0"] >= VALUE_COLUMN_X)
        if left and right:
            label = left
            rows[label] = right
        elif right and label is not None:
            rows[label] += " " + right
        else:
            label = None  # a heading, the title or the note
    return rows


def page_texts(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def when(moment, signature) -> str:
    return dates.indonesian_datetime(moment, signature.event.agency.timezone, seconds=True)


def loaded(signature: Signature) -> Signature:
    return pacts.render_and_store(signature_id=signature.pk, context=AuditContext.system("test"))


def recorded_entry(signature: Signature) -> AuditEntry:
    return AuditEntry.objects.for_object(signature).get(action="signing.signature.recorded")


@pytest.fixture
def officer_named(hr_a):
    hr_a.first_name, hr_a.last_name = "Rina", "Kartika"
    hr_a.save(update_fields=["first_name", "last_name"])
    return hr_a


@pytest.fixture
def tablet_signature(client, open_event, officer_named):
    """Signed on a paired tablet through the kiosk API, birth date checked, 42 s fast clock."""
    open_event.identity_check = "birth_date"
    open_event.save(update_fields=["identity_check"])
    person = open_event.expected.select_related("employee").first().employee
    device, token = pair(open_event, officer_named, name="Tablet Meja 3")
    now = timezone.now()
    response = submit(client, token, submission(
        open_event, person, birth_date=person.birth_date.isoformat(),
        consent_hash=consent_hash(str(CONSENT_STATEMENT)),
        consent_at=(now - datetime.timedelta(seconds=30)).isoformat(),
        client_signed_at=(now - datetime.timedelta(seconds=5)).isoformat(),
        client_sent_at=(now + datetime.timedelta(seconds=42)).isoformat(),
        identity_method="birth_date_offline", identity_wrong_attempts=1),
        HTTP_USER_AGENT=HOSTILE_UA, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 201, response.content
    return loaded(Signature.objects.get(device=device))


@pytest.fixture
def officer_signature(open_event, unit_a, officer_named):
    employee = factories.employee(unit_a, name="Siti Rahmawati", title_suffix="S.E.")
    return loaded(factories.signature(open_event, employee, officer=officer_named))


def test_the_last_page_is_the_titled_evidence_page(tablet_signature):
    texts = page_texts(tablet_signature.pdf.read())
    assert len(texts) == 2
    assert texts[-1].startswith(TITLE)
    assert TITLE not in texts[0]
    assert tablet_signature.verification_code in texts[-1]


def test_tablet_evidence_equals_the_database(tablet_signature, officer_named):
    signature = tablet_signature
    rows = evidence_rows(signature.pdf.read())
    version = signature.event.template_version
    entry = recorded_entry(signature)
    with signature.image.open("rb") as handle:
        image_sha = hashlib.sha256(handle.read()).hexdigest()
    assert image_sha == entry.details["image_sha256"]
    offset = signature.clock_offset_seconds
    assert offset is not None and offset > 0 and not signature.clock_suspect
    expected = {
        "Nama": signature.employee.display_name,
        "NIP": pact_context(signature)["identity_value"],
        "Cara penandatanganan": "Tablet (kios)",
        "Pemeriksaan identitas": "Tanggal lahir, diperiksa tablet",
        "Hasil pemeriksaan identitas": "Cocok",
        "Tanggal lahir salah sebelumnya": str(signature.identity_wrong_attempts),
        "Pernyataan yang disetujui": f"“{CONSENT_STATEMENT}”",
        "Sidik pernyataan (SHA-256)": signature.consent_hash,
        "Waktu persetujuan": f"{when(signature.consent_at, signature)} (jam tablet)",
        "Tablet": "Tablet Meja 3",
        "Petugas yang mencatat": "—",
        "Petugas penanggung jawab": f"Rina Kartika ({officer_named.username})",
        "Alamat IP": "203.0.113.7",
        "Jam tablet saat menandatangani": when(signature.client_signed_at, signature),
        "Selisih jam tablet": f"+{offset} detik (jam tablet lebih cepat dari server)",
        "Diterima server": when(signature.received_at, signature),
        "Waktu tanda tangan (server)": when(signature.signed_at, signature),
        "Templat dan versi": f"{version.template.name}, versi {version.number}",
        "Sidik teks pakta (SHA-256)": signature.template_hash,
        "Sidik gambar tanda tangan (SHA-256)": image_sha,
        "Sidik catatan audit tanda tangan": entry.entry_hash,
        "Rantai dan nomor urut": f"{entry.chain} #{entry.seq}",
        "Waktu catatan": when(entry.at, signature),
    }
    assert {label: rows.get(label) for label in expected} == expected
    assert signature.identity_wrong_attempts == 1
    assert signature.device.responsible_officer == officer_named
    assert re.sub(r"\s", "", rows["Agen pengguna (peramban)"]) == \
        re.sub(r"\s", "", signature.user_agent)


def test_user_text_is_printed_literally(tablet_signature):
    text = " ".join(page_texts(tablet_signature.pdf.read())[-1].split())
    assert tablet_signature.user_agent == HOSTILE_UA
    assert '<script>alert("x")</script> <b>tebal</b> & Tablet/1.0' in text


def test_officer_screen_evidence_has_no_tablet_and_names_the_officer(officer_signature,
                                                                      officer_named):
    signature = officer_signature
    rows = evidence_rows(signature.pdf.read())
    officer = f"Rina Kartika ({officer_named.username})"
    assert rows["Cara penandatanganan"] == "Layar petugas"
    assert rows["Pemeriksaan identitas"] == "Diperiksa petugas"
    assert rows["Pernyataan yang disetujui"] == f"“{CONSENT_STATEMENT}”"
    assert rows["Waktu persetujuan"] == f"{when(signature.consent_at, signature)} (jam server)"
    for label in ("Tablet", "Jam tablet saat menandatangani", "Selisih jam tablet",
                  "Alamat IP", "Agen pengguna (peramban)"):
        assert rows[label] == "—", label
    assert rows["Petugas yang mencatat"] == officer
    assert rows["Petugas penanggung jawab"] == officer
    assert rows["Sidik catatan audit tanda tangan"] == recorded_entry(signature).entry_hash


def test_paper_evidence_gives_the_scan_fingerprint(open_event, unit_a, hr_a):
    employee = factories.employee(unit_a)
    signature = loaded(factories.signature(open_event, employee, officer=hr_a,
                                           method=SignatureMethod.PAPER,
                                           paper_scan=paper_scan_jpeg()))
    data = signature.pdf.read()
    rows = evidence_rows(data)
    assert rows["Sidik pindaian kertas (SHA-256)"] == \
        recorded_entry(signature).details["paper_scan_sha256"]
    assert rows["Sidik gambar tanda tangan (SHA-256)"] == "—"
    texts = page_texts(data)
    assert [bool(re.search(rf"Halaman {i} dari 3", text)) for i, text in
            enumerate(texts, start=1)] == [True, True, True]


def test_every_page_says_halaman_i_dari_n(tablet_signature):
    texts = page_texts(tablet_signature.pdf.read())
    for number, text in enumerate(texts, start=1):
        assert f"Halaman {number} dari {len(texts)}" in text


def test_an_unknown_consent_statement_prints_only_its_fingerprint(open_event, unit_a, hr_a):
    employee = factories.employee(unit_a)
    signature = factories.signature(open_event, employee, officer=hr_a,
                                    consent_hash="ab" * 32, consent_at=timezone.now())
    rows = {row.label: row.value for section in evidence.sections(
        signature, image_sha256=None, scan_sha256=None) for row in section.rows}
    assert rows["Pernyataan yang disetujui"] == "(teks tidak dikenali; lihat sidiknya)"
    assert rows["Sidik pernyataan (SHA-256)"] == "ab" * 32


def test_an_english_consent_statement_is_recognised():
    with translation.override("en"):
        english = str(CONSENT_STATEMENT)
    assert english != str(CONSENT_STATEMENT)
    from signings import consent

    assert consent.statement_for(consent_hash(english)) == english


def test_a_suspect_clock_says_the_server_time_was_used(tablet_signature):
    tablet_signature.clock_offset_seconds = -900
    tablet_signature.clock_suspect = True
    assert evidence.clock_offset(tablet_signature) == (
        "-900 detik (jam tablet lebih lambat dari server); meragukan: waktu terima server "
        "dipakai sebagai waktu tanda tangan")


def test_an_english_session_renders_the_same_indonesian_pact(tablet_signature):
    indonesian = render_pact(tablet_signature)
    with translation.override("en"):
        assert render_pact(tablet_signature) == indonesian
    assert "Halaman 1 dari 2" in page_texts(indonesian)[0]


def test_evidence_page_is_inside_the_sealed_revision(tablet_signature):
    data = tablet_signature.pdf.read()
    assert seal.check_seal(data).valid
    reader = PdfFileReader(io.BytesIO(data))
    sealed = next(sig for sig in reader.embedded_signatures if sig.field_name == seal.SEAL_FIELD)
    byte_range = list(sealed.sig_object["/ByteRange"])
    # The seal covers everything up to the end of its byte range: that prefix is the document
    # as sealed (later revisions add only validation data and a document timestamp).
    signed_revision = data[:byte_range[2] + byte_range[3]]
    texts = page_texts(signed_revision)
    assert len(texts) == 2 and texts[-1].startswith(TITLE)
    assert recorded_entry(tablet_signature).entry_hash in texts[-1]


def test_evidence_page_costs_one_query_on_a_loaded_signature(
    tablet_signature, django_assert_max_num_queries
):
    signature = Signature.objects.select_related(
        "event__agency", "event__template_version__template", "employee__agency", "device",
        "officer", "responsible_officer").get(pk=tablet_signature.pk)
    # The audit entry; everything else is on the rows the PDF task loads anyway.
    with django_assert_max_num_queries(1):
        evidence.sections(signature, image_sha256=None, scan_sha256=None)


# --- layout of the shipped templates ----------------------------------------------------------


def positions(data: bytes, phrase: str) -> list[tuple[int, float]]:
    """(page number, top) of every occurrence of `phrase`, across line breaks."""
    pattern = r"\s+".join(map(re.escape, phrase.split()))
    found = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            found += [(number, match["top"]) for match in page.search(pattern)]
    return found


@pytest.mark.parametrize("content", [demo.PEMILU_2024, demo.PILKADA_2024],
                         ids=["pemilu_2024", "pilkada_2024"])
def test_shipped_templates_keep_the_statement_and_signature_on_page_one(
    content, agency_a, unit_a, hr_a
):
    version = factories.template_version(agency_a, name=content["title"][:40], **content)
    event = factories.event(agency_a, officer=hr_a, template_version=version, expected=[])
    # Long on purpose: a three-line name under the signature, a two-line position.
    employee = factories.employee(
        unit_a, name="Muhammad Rizky Pratama Wijayakusuma Hadiningrat", title_prefix="Dr.",
        title_suffix="S.Kom., M.Si.", echelon=Echelon.III,
        position="Kepala Bidang Pengadaan, Pemberhentian dan Informasi Kepegawaian")
    signature = factories.signature(event, employee, officer=hr_a)
    data = render_pact(signature)
    context = pact_context(signature)
    title = positions(data, version.title)
    closing_end = positions(data, " ".join(version.closing.split()[-4:]))
    place = positions(data, context["place_and_date"])
    signer = positions(data, "Yang membuat pernyataan,")
    assert [page for page, _top in title[:1] + closing_end + place + signer] == [1, 1, 1, 1]
    assert closing_end[0][1] < place[0][1] < signer[0][1]
    texts = page_texts(data)
    assert len(texts) == 2 and texts[1].startswith(TITLE)
    assert employee.display_name.split()[-1] in texts[0]


def test_a_tablet_time_that_was_not_believed_is_printed_as_sent(client, open_event, hr_a):
    person = open_event.expected.select_related("employee").first().employee
    device, token = pair(open_event, hr_a, name="Tablet Jam Rusak")
    raw = "9999-12-31T23:59:59-14:00"
    response = submit(client, token, submission(open_event, person, client_signed_at=raw))
    assert response.status_code == 201, response.content
    signature = loaded(Signature.objects.get(device=device))
    rows = evidence_rows(signature.pdf.read())
    assert rows["Jam tablet tak dipercaya"] == f"client_signed_at: {raw}"
    assert rows["Jam tablet saat menandatangani"] == "—"

"""The witnessed pact PDF, its evidence page, the recap and the verify page."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from signings.models import AuditEntry, WitnessMethod
from signings.pdf import seal
from signings.pdf.recap import render_recap
from signings.services import audit_verify, pacts, verification, witnesses
from signings.services.context import AuditContext
from tests import factories
from tests.pdf_helpers import pdf_text
from tests.witness_support import office

pytestmark = pytest.mark.django_db
SYSTEM = AuditContext.system("test")


@pytest.fixture
def setup(agency_a, unit_a, hr_a):
    made = office(agency_a, unit_a, hr_a, staff=1)
    made.pact = factories.signature(made.event, made.staff[0], officer=hr_a)
    return made


def witness(setup, hr_a):
    return witnesses.record_witness(
        event=setup.event, witness=setup.chief, context=AuditContext.for_user(hr_a),
            submission=witnesses.WitnessSubmission(
                signature_ids=[setup.pact.pk], image_png=factories.signature_png(),
                method=WitnessMethod.OFFICER_SCREEN))[0]


def spaced(nip: str) -> str:
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def test_pending_pact_names_the_witness_and_leaves_the_block_empty(setup):
    signature = pacts.render_and_store(signature_id=setup.pact.pk, context=SYSTEM)
    text = pdf_text(signature.pdf.read())
    assert "Menyaksikan," in text and "Kepala Bidang Pelayanan" in text
    assert setup.chief.display_name in text and spaced(setup.chief.nip) in text
    assert "Menunggu tanda tangan saksi" in text
    assert "Yang membuat pernyataan," in text
    # The regulation's seven points, point 6 naming the agency.
    assert "Berperan secara pro aktif" in text
    assert "informasi penyimpangan integritas di Pemerintah Kabupaten A" in " ".join(
        text.split())


def test_witnessing_issues_a_new_sealed_pact_and_keeps_the_first(setup, hr_a):
    first = pacts.render_and_store(signature_id=setup.pact.pk, context=SYSTEM)
    first_bytes, first_name = first.pdf.read(), first.pdf.name
    row = witness(setup, hr_a)
    issued = pacts.issue_witnessed(signature_id=setup.pact.pk, context=SYSTEM)
    assert issued.pdf.name != first_name and default_storage.exists(first_name)
    data = issued.pdf.read()
    text = pdf_text(data)
    assert "Menyaksikan," in text and setup.chief.display_name in text
    assert spaced(setup.chief.nip) in text
    assert "Menunggu tanda tangan saksi" not in text
    # The evidence page lists the witness's signature.
    assert "Saksi (Menyaksikan)" in text and "Disaksikan" in text
    assert row.image_sha256 in text.replace("\n", "")
    assert seal.check_seal(data).valid
    # Both files verify as issued by Pakta; the current one is the witnessed one.
    assert verification.check_upload(data, expected=issued).issued
    assert verification.check_upload(first_bytes, expected=issued).issued
    entry = AuditEntry.objects.for_object(issued).get(action=pacts.ACTION_WITNESSED)
    assert entry.details["previous_sha256"] == first.pdf_sha256
    assert entry.details["sha256"] == issued.pdf_sha256
    # Run again (a retried task): nothing new.
    again = pacts.issue_witnessed(signature_id=setup.pact.pk, context=SYSTEM)
    assert again.pdf_sha256 == issued.pdf_sha256
    assert audit_verify.check_signatures()[1] == []


def test_a_witness_before_the_first_render_gives_one_witnessed_file(setup, hr_a):
    witness(setup, hr_a)
    issued = pacts.issue_witnessed(signature_id=setup.pact.pk, context=SYSTEM)
    actions = list(AuditEntry.objects.for_object(issued).filter(
        action__startswith="signing.pdf.").values_list("action", flat=True))
    assert actions == [pacts.ACTION_RENDERED]
    assert "Menunggu tanda tangan saksi" not in pdf_text(issued.pdf.read())


def test_a_lost_witnessed_file_renders_again_the_same(setup, hr_a):
    pacts.render_and_store(signature_id=setup.pact.pk, context=SYSTEM)
    witness(setup, hr_a)
    issued = pacts.issue_witnessed(signature_id=setup.pact.pk, context=SYSTEM)
    default_storage.delete(issued.pdf.name)
    again = pacts.render_and_store(signature_id=setup.pact.pk, context=SYSTEM)
    entry = AuditEntry.objects.for_object(again).get(action=pacts.ACTION_RERENDERED)
    assert entry.details["same_content_as_first"] is True
    assert "Menunggu tanda tangan saksi" not in pdf_text(again.pdf.read())


def test_the_recap_shows_each_pacts_witness(setup, hr_a, unit_a):
    other = factories.signature(setup.event, setup.chief, officer=hr_a)
    witness(setup, hr_a)
    text = " ".join(pdf_text(render_recap(setup.event)).split())
    assert f"Disaksikan {setup.chief.display_name}" in text
    assert f"Menunggu saksi: {setup.head.display_name}" in text
    assert other.verification_code in text


def test_the_verify_page_says_who_witnessed(setup, hr_a, client):
    url = reverse("verify:signature", args=[setup.pact.verification_code])
    assert "menunggu tanda tangan saksi" in client.get(url).content.decode()
    witness(setup, hr_a)
    html = client.get(url).content.decode()
    assert setup.chief.display_name in html and "berkas yang disegel sebelumnya tetap sah" in html
    assert setup.chief.nip not in html


def test_the_pakta_integritas_and_both_signatures_fit_page_one(agency_a, unit_a, hr_a):
    from signings.models import Echelon
    from signings.pdf.pact import pact_context, render_pact
    from tests.test_pdf_evidence import positions

    # Long on purpose: three-line names on both sides, two-line positions.
    boss = factories.employee(
        unit_a, name="Raden Ayu Siti Nurhaliza Kusumawardhani Hadiningrat", title_prefix="Dr.",
        title_suffix="S.H., M.H.", echelon=Echelon.II,
        position="Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia")
    made = office(agency_a, unit_a, hr_a, staff=0)
    employee = factories.employee(
        unit_a, name="Muhammad Rizky Pratama Wijayakusuma Hadiningrat", title_prefix="Dr.",
        title_suffix="S.Kom., M.Si.", echelon=Echelon.III, superior=boss,
        position="Kepala Bidang Pengadaan, Pemberhentian dan Informasi Kepegawaian")
    signature = factories.signature(made.event, employee, officer=hr_a)
    witnesses.record_witness(
        event=made.event, witness=boss, context=AuditContext.for_user(hr_a),
        submission=witnesses.WitnessSubmission(
            signature_ids=[signature.pk], image_png=factories.signature_png(),
            method=WitnessMethod.OFFICER_SCREEN))
    data = render_pact(signature)
    version = made.event.template_version
    found = [positions(data, version.title)[:1],
             positions(data, "siap menghadapi konsekuensinya."),
             positions(data, pact_context(signature)["place_and_date"]),
             positions(data, "Menyaksikan,"), positions(data, "Yang membuat pernyataan,")]
    assert [hits[0][0] for hits in found] == [1, 1, 1, 1, 1]
    # Witness and maker side by side, under the place/date line.
    assert found[2][0][1] < found[3][0][1] == pytest.approx(found[4][0][1], abs=2)
    assert employee.display_name.split()[-1] in pdf_text(data)

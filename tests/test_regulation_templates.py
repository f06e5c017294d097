"""The regulation's templates, shipped: Pakta Integritas (Permenpan RB 49/2011) with its
witness, and the 2024 Ikrar Netralitas ASN."""

import pytest
from django.urls import reverse

from signings import regulation_templates
from signings.models import AuditEntry, PactTemplate
from signings.services import templates
from signings.services.context import AuditContext

pytestmark = pytest.mark.django_db


def install(agency, user):
    return templates.install_regulation_templates(agency=agency,
                                                  context=AuditContext.for_user(user))


def test_pakta_integritas_has_the_seven_points_and_a_witness(agency_a, hr_a):
    pakta, ikrar = install(agency_a, hr_a)
    assert pakta.title == "PAKTA INTEGRITAS" and pakta.witness_required
    assert len(pakta.points) == 7
    assert pakta.points[0].startswith("Berperan secara pro aktif dalam upaya pencegahan dan "
                                      "pemberantasan Korupsi, Kolusi dan Nepotisme")
    assert pakta.points[5] == (
        "Akan menyampaikan informasi penyimpangan integritas di Pemerintah Kabupaten A serta "
        "turut menjaga kerahasiaan saksi atas pelanggaran peraturan yang dilaporkannya;")
    assert pakta.points[6] == ("Bila saya melanggar hal-hal tersebut di atas, saya siap "
                               "menghadapi konsekuensinya.")
    assert "Nomor 49 Tahun 2011" in pakta.legal_basis[0]
    assert pakta.closing == "" and pakta.election == ""


def test_ikrar_netralitas_has_the_four_points_of_2024(agency_a, hr_a):
    _pakta, ikrar = install(agency_a, hr_a)
    assert len(ikrar.points) == 4 and not ikrar.witness_required
    assert ikrar.points[0].startswith("Menjaga dan menegakkan prinsip netralitas pegawai ASN")
    assert ikrar.points[3] == "Menolak politik uang dan segala jenis pemberian dalam bentuk apapun."
    assert ikrar.election == "Pemilu dan Pemilihan Tahun 2024"


def test_installing_again_changes_nothing_and_each_install_is_audited(agency_a, hr_a):
    install(agency_a, hr_a)
    assert install(agency_a, hr_a) == []
    assert PactTemplate.objects.filter(agency=agency_a).count() == len(
        regulation_templates.SHIPPED)
    assert AuditEntry.objects.filter(action="template.regulation_installed").count() == 2


def test_officers_install_them_for_their_own_agencies_only(officer, agency_a, agency_b):
    url = reverse("hr:template_install")
    assert officer.post(url, {"agency": agency_b.pk}).status_code == 302
    assert not PactTemplate.objects.filter(agency=agency_b).exists()
    officer.post(url, {"agency": agency_a.pk})
    assert PactTemplate.objects.filter(agency=agency_a).count() == 2


def test_the_witness_flag_is_frozen_with_a_signed_version(agency_a, unit_a, hr_a):
    from tests import factories

    pakta, _ikrar = install(agency_a, hr_a)
    event = factories.event(agency_a, officer=hr_a, template_version=pakta)
    factories.signature(event, factories.employee(unit_a), officer=hr_a)
    content = {**pakta.content(), "witness_required": False}
    version, created = templates.save_template(
        template=pakta.template, name=pakta.template.name, description="", content=content,
        context=AuditContext.for_user(hr_a))
    assert created and version.number == 2 and not version.witness_required
    pakta.refresh_from_db()
    assert pakta.witness_required

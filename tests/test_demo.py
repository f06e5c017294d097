import pytest
from django.core.management import call_command

from signings import demo
from signings.models import (
    Agency,
    AttendanceOutcome,
    AuditEntry,
    Employee,
    EmployeeCategory,
    EventStatus,
    PactTemplateVersion,
    Signature,
    SigningEvent,
)
from signings.services.audit_verify import verify_chain


def snapshot():
    return {model.__name__: model.objects.count() for model in
            (Agency, Employee, PactTemplateVersion, SigningEvent, Signature, AttendanceOutcome,
             AuditEntry)}


@pytest.fixture
def loaded(db):
    call_command("load_demo")


def test_loading_the_demo_twice_duplicates_nothing_and_covers_the_seeds(loaded):
    before = snapshot()
    call_command("load_demo")
    assert snapshot() == before

    names = set(Agency.objects.values_list("name", flat=True))
    for expected in ("Pemerintah Provinsi Kalimantan Tengah",
                     "Pemerintah Kabupaten Kotawaringin Timur", "Pemerintah Kabupaten Seruyan",
                     "Pemerintah Provinsi Sumatera Barat",
                     "Sekretariat Daerah Provinsi Sumatera Barat"):
        assert expected in names
    assert 200 <= Employee.objects.count() <= 600
    assert set(Employee.objects.values_list("category", flat=True)) == set(EmployeeCategory.values)
    assert set(Employee.objects.values_list("echelon", flat=True)) == {2, 3, 4, 9}
    assert Agency.objects.filter(head__isnull=False).count() >= 6
    assert set(SigningEvent.objects.values_list("status", flat=True)) == set(EventStatus.values)
    points = PactTemplateVersion.objects.filter(election__contains="Pemilu").first().points
    assert points[3] == "Menolak politik uang dan segala jenis pemberian dalam bentuk apapun."
    assert verify_chain()[1] is None
    for employee in Employee.objects.all():
        employee.full_clean()


def test_demo_users_log_in_with_the_printed_password(loaded, client):
    for username, *_rest in demo.DEMO_USERS:
        response = client.post("/masuk/", {"username": username, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.get("/").status_code == 200
        client.post("/keluar/")
    client.post("/masuk/", {"username": "admin", "password": demo.DEMO_PASSWORD})
    assert client.get("/admin/signings/employee/?q=Santoso").status_code == 200


def test_demo_has_a_bkn_report_with_a_follow_up_and_reasons(loaded):
    from signings.readmodels import bkn_report

    kotim = Agency.objects.get(name="Pemerintah Kabupaten Kotawaringin Timur")
    held = bkn_report.Period(election="Pemilu dan Pemilihan Tahun 2024").events(
        SigningEvent.objects.all(), kotim)
    assert [e.title.endswith("(susulan)") for e in held] == [False, True]
    report = bkn_report.agency_report(kotim, list(held))
    apel = bkn_report.bkn_report(held[0])
    assert report.total.expected == apel.total.expected
    assert report.total.signed > apel.total.signed
    reasons = {person.reason for person in report.non_signers if person.tally == "Tidak hadir"}
    assert reasons and "" not in reasons


def test_the_tours_siasn_sample_imports_into_kotim_after_one_unit_mapping(loaded, client):
    """README's tour: hr.kotim uploads *Contoh SIASN*, maps the one unknown unit, confirms."""
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    sample = (settings.BASE_DIR / "static" / "samples" / "contoh-siasn.csv").read_bytes()
    client.post("/masuk/", {"username": "hr.kotim", "password": demo.DEMO_PASSWORD})
    assert "contoh-siasn.csv" in client.get(reverse("hr:import_upload")).content.decode()
    kotim = Agency.objects.get(code="KOTIM")
    response = client.post(reverse("hr:import_upload"), {
        "agency": kotim.pk, "file": SimpleUploadedFile("contoh-siasn.csv", sample)})
    page = client.get(response.url)
    assert page.context["plan"].format == "siasn"
    assert [name for name, _n in page.context["plan"].unmatched_units] == [
        "UPT Puskesmas Baamang"]
    token = page.context["token"]
    client.post(reverse("hr:import_map_unit", kwargs={"token": token}), {
        "prefix": "u0", "u0-source_name": "UPT Puskesmas Baamang",
        "u0-unit": Agency.objects.get(code="KOTIM-DINKES").pk})
    page = client.get(response.url)
    assert page.context["counts"]["error"] == 0
    client.post(reverse("hr:import_confirm", kwargs={"token": token}),
                {"fingerprint": page.context["fingerprint"]})
    head = Employee.objects.get(name="Sri Wahyuni")
    assert (head.display_name, head.grade_label, head.echelon) == (
        "dr. Sri Wahyuni, M.Kes", "Pembina Tingkat I (IV/b)", 2)

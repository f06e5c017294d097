"""Archives checkable offline, years later: same content gives the same ZIP; a signed,
timestamped manifest; certificates, README and verifier inside; the verifier runs with nothing
but Python and pyHanko and names every bad file."""

import hashlib
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse

from signings import archive_manifest
from signings.archive_verifier import verify_arsip
from signings.models import ArchiveJob
from signings.pdf import pki
from signings.services import archives, checkpoints
from signings.services.context import AuditContext
from tests import factories
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def signed_event(open_event, hr_a):
    for expected in list(open_event.expected.select_related("employee").order_by("pk"))[:3]:
        factories.signature(open_event, expected.employee, officer=hr_a)
    return open_event


def build(event, auditor, settings, capture) -> ArchiveJob:
    """Through the real request service and background task."""
    settings.TASKS = IMMEDIATE
    with capture(execute=True):
        job = archives.request_archive(agency=event.agency, event=event,
                                       context=AuditContext.for_user(auditor))
    job.refresh_from_db()
    return job


@pytest.fixture
def archive_zip(signed_event, auditor_a, settings, django_capture_on_commit_callbacks,
                tmp_path) -> Path:
    job = build(signed_event, auditor_a, settings, django_capture_on_commit_callbacks)
    copy = tmp_path / "out" / "arsip.zip"
    copy.parent.mkdir()
    with job.file.open("rb") as handle:
        copy.write_bytes(handle.read())
    return copy


def run_offline(archive: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """The verifier shipped in the archive, run as an auditor would: its own directory, no
    Django settings, no database, no project on the path (python -I)."""
    workdir = tmp_path / "auditor"
    workdir.mkdir(exist_ok=True)
    with zipfile.ZipFile(archive) as zipped:
        (workdir / "verify_arsip.py").write_bytes(zipped.read("verify_arsip.py"))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workdir),
           "LANG": "C.UTF-8"}
    return subprocess.run([sys.executable, "-I", "verify_arsip.py", str(archive)], cwd=workdir,
                          env=env, capture_output=True, text=True, timeout=300, check=False)


def rewrite(source: Path, target: Path, name: str, change) -> None:
    """The same ZIP with one member's bytes changed."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            out.writestr(info, change(data) if info.filename == name else data)


def flip_middle_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:]


def test_archive_verifies_offline_with_only_python_and_pyhanko(archive_zip, tmp_path,
                                                               signed_event):
    result = run_offline(archive_zip, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ARSIP UTUH" in result.stdout
    with zipfile.ZipFile(archive_zip) as zipped:
        names = zipped.namelist()
        manifest = json.loads(zipped.read("manifest.json"))
        readme = zipped.read("BACA-SAYA.txt").decode()
    assert {"manifest.json.p7s", "manifest.json.tst", "SHA256SUMS", "verify_arsip.py",
            "manifest.csv"} <= set(names)
    assert any(n.startswith("sertifikat/akar/") for n in names)
    assert any(n.startswith("sertifikat/segel/") for n in names)
    listed = {f["name"] for f in manifest["files"]}
    assert set(names) - listed == {"manifest.json", "manifest.json.p7s", "manifest.json.tst"}
    pacts = [f for f in manifest["files"] if f["kind"] == "pact"]
    assert len(pacts) == 3 and all(f["sealed_by"] for f in pacts)
    # The recap counts too once it is sealed (issue 10 item 4).
    sealed = len([f for f in manifest["files"] if f.get("sealed_by")])
    assert f"PDF diperiksa segelnya: {sealed}." in result.stdout
    codes = {f["verification_code"] for f in pacts}
    assert codes == {s.verification_code for s in signed_event.signatures.all()}
    assert manifest["events"][0]["id"] == signed_event.pk and manifest["generated_at"]
    assert manifest["audit_checkpoint"] is None  # no checkpoints on this branch yet
    root = manifest["certificates"]["trust_roots"][0]["fingerprint"]
    assert root in readme and "verify_arsip.py" in readme and "openssl" in readme


def test_a_flipped_byte_in_one_pdf_is_named_and_fails(archive_zip, tmp_path):
    with zipfile.ZipFile(archive_zip) as zipped:
        victim = next(n for n in zipped.namelist() if n.startswith("pakta/"))
        others = [n for n in zipped.namelist() if n.endswith(".pdf") and n != victim]
    tampered = tmp_path / "out" / "diubah.zip"
    rewrite(archive_zip, tampered, victim, flip_middle_byte)
    result = run_offline(tampered, tmp_path)
    assert result.returncode == 1
    assert "ARSIP TIDAK UTUH: 1 berkas bermasalah" in result.stdout
    assert f"RUSAK  {victim}: isi berkas berbeda dari manifest" in result.stdout
    assert not any(f"RUSAK  {name}" in result.stdout for name in others)


def test_a_tampered_manifest_fails_its_signature(archive_zip, tmp_path):
    def edit(data: bytes) -> bytes:
        manifest = json.loads(data)
        manifest["pacts"] += 1
        return json.dumps(manifest).encode()

    tampered = tmp_path / "out" / "manifest-diubah.zip"
    rewrite(archive_zip, tampered, "manifest.json", edit)
    result = run_offline(tampered, tmp_path)
    assert result.returncode == 1
    assert "RUSAK  manifest.json: tanda tangan tidak cocok dengan isi berkas" in result.stdout
    assert "RUSAK  manifest.json: cap waktu tidak cocok" in result.stdout


def test_a_replaced_manifest_signature_is_caught(archive_zip, tmp_path):
    tampered = tmp_path / "out" / "ttd-diubah.zip"
    rewrite(archive_zip, tampered, "manifest.json.p7s", flip_middle_byte)
    result = run_offline(tampered, tmp_path)
    assert result.returncode == 1
    assert "RUSAK  manifest.json: tanda tangan" in result.stdout


def test_an_added_or_removed_file_is_named(archive_zip, tmp_path):
    extra = tmp_path / "out" / "tambahan.zip"
    with zipfile.ZipFile(archive_zip) as src, zipfile.ZipFile(extra, "w") as out:
        victim = next(n for n in src.namelist() if n.startswith("rekap/"))
        for info in src.infolist():
            if info.filename != victim:
                out.writestr(info, src.read(info.filename))
        out.writestr("pakta/palsu.pdf", b"%PDF-1.7 palsu")
    result = run_offline(extra, tmp_path)
    assert result.returncode == 1
    assert "RUSAK  pakta/palsu.pdf: berkas tambahan" in result.stdout
    assert f"RUSAK  {victim}: berkas tercantum di manifest tetapi tidak ada" in result.stdout


def test_same_content_gives_the_same_zip_bytes(signed_event, auditor_a, settings,
                                               django_capture_on_commit_callbacks):
    first = build(signed_event, auditor_a, settings, django_capture_on_commit_callbacks)
    second = build(signed_event, auditor_a, settings, django_capture_on_commit_callbacks)
    assert first.pk != second.pk and first.file.name != second.file.name
    assert first.file_sha256 == second.file_sha256
    with second.file.open("rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == second.file_sha256
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        infos = zipped.infolist()
    assert len({info.date_time for info in infos}) == 1
    assert {info.external_attr >> 16 for info in infos} == {0o100644}


def test_new_content_gives_a_new_signed_manifest(signed_event, auditor_a, hr_a, unit_a,
                                                 settings, django_capture_on_commit_callbacks,
                                                 tmp_path):
    first = build(signed_event, auditor_a, settings, django_capture_on_commit_callbacks)
    factories.signature(signed_event, factories.employee(unit_a), officer=hr_a)
    second = build(signed_event, auditor_a, settings, django_capture_on_commit_callbacks)
    assert first.file_sha256 != second.file_sha256
    with second.file.open("rb") as handle:
        path = tmp_path / "baru.zip"
        path.write_bytes(handle.read())
    with zipfile.ZipFile(path) as zipped:
        assert json.loads(zipped.read("manifest.json"))["pacts"] == 4


def test_without_a_tsa_the_archive_is_signed_but_untimestamped_until_one_is_set(
        signed_event, auditor_a, settings, local_tsa, tmp_path):
    settings.PAKTA_TSA_URL = ""  # development without the local responder

    def build_and_check(name: str):
        job = archives.request_archive(agency=signed_event.agency, event=signed_event,
                                       context=AuditContext.for_user(auditor_a))
        job = archives.build_archive(job_id=job.pk, context=AuditContext.system("test"))
        path = tmp_path / name
        with job.file.open("rb") as handle:
            path.write_bytes(handle.read())
        out = io.StringIO()
        code = verify_arsip.main([str(path)], out=out)
        with zipfile.ZipFile(path) as zipped:
            return code, out.getvalue(), set(zipped.namelist())

    code, report, names = build_and_check("tanpa-tsa.zip")
    assert code == 0, report
    assert "manifest.json.tst" not in names
    assert "PERINGATAN  manifest.json: tanpa cap waktu" in report
    assert "segel tanpa cap waktu (PAdES B-B)" in report  # the pacts were sealed B-B too

    settings.PAKTA_TSA_URL = local_tsa.url
    code, report, names = build_and_check("dengan-tsa.zip")
    assert code == 0, report
    assert "manifest.json.tst" in names and "manifest.json: tanpa cap waktu" not in report


def test_manage_command_verifies_with_the_same_code(archive_zip, tmp_path):
    out = io.StringIO()
    call_command("verify_archive", str(archive_zip), stdout=out)
    assert "ARSIP UTUH" in out.getvalue()
    tampered = tmp_path / "out" / "diubah.zip"
    with zipfile.ZipFile(archive_zip) as zipped:
        victim = next(n for n in zipped.namelist() if n.startswith("pakta/"))
    rewrite(archive_zip, tampered, victim, flip_middle_byte)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_archive", str(tampered), stdout=out)
    assert victim in out.getvalue()


def test_a_root_from_elsewhere_replaces_the_archives_own(archive_zip, tmp_path, local_tsa):
    """The roots inside an archive prove nothing if the archive was forged whole: with --akar
    the auditor's own copy of the root decides."""
    real_root = tmp_path / "real-root.pem"
    real_root.write_bytes(local_tsa.pki.root_path.read_bytes())
    out = io.StringIO()
    assert verify_arsip.main([str(archive_zip), "--akar", str(real_root)], out=out) == 0
    assert "dari berkas --akar" in out.getvalue()

    other = pki.ensure_dev_pki(tmp_path / "other-pki", base_url="http://127.0.0.1:9")
    other_root = tmp_path / "other-root.pem"
    other_root.write_bytes(other.root_path.read_bytes())
    out = io.StringIO()
    assert verify_arsip.main([str(archive_zip), "--akar", str(other_root)], out=out) == 1
    assert "RUSAK  manifest.json: sertifikat penanda tangan tidak berakar" in out.getvalue()


def test_the_latest_audit_checkpoint_travels_and_is_checked(signed_event, auditor_a, tmp_path):
    checkpoint = checkpoints.make_checkpoint(
        chain=checkpoints.chain_of_agency(signed_event.agency), context=AuditContext.system("test"))
    job = archives.request_archive(agency=signed_event.agency, event=signed_event,
                                   context=AuditContext.for_user(auditor_a))
    job = archives.build_archive(job_id=job.pk, context=AuditContext.system("test"))
    path = tmp_path / "dengan-jejak.zip"
    with job.file.open("rb") as handle:
        path.write_bytes(handle.read())
    result = run_offline(path, tmp_path)
    assert result.returncode == 0, result.stdout
    assert (f"Titik periksa jejak audit sah: rantai {checkpoint.chain}, "
            f"entri ke-{checkpoint.seq}") in result.stdout

    name = f"jejak-audit/{checkpoint.chain}-{checkpoint.seq:012d}.json"
    tampered = tmp_path / "jejak-diubah.zip"
    rewrite(path, tampered, name, lambda data: data.replace(checkpoint.head_hash.encode(),
                                                            b"0" * 64))
    result = run_offline(tampered, tmp_path)
    assert result.returncode == 1
    assert f"RUSAK  {name}: tanda tangan tidak cocok" in result.stdout


def test_ready_page_says_the_archive_can_be_checked_offline(archive_zip, signed_event,
                                                           auditor_a, client):
    job = ArchiveJob.objects.get(event=signed_event)
    client.force_login(auditor_a)
    page = client.get(reverse("audit:archive_detail", args=[job.pk])).content.decode()
    assert 'id="archive-offline-hint"' in page and "BACA-SAYA.txt" in page


def test_verifier_imports_nothing_from_django_or_pakta():
    source = (archive_manifest.HERE / "verify_arsip.py").read_text()
    assert "django" not in source.lower().replace("no django", "")
    assert "from signings" not in source and "import signings" not in source


@pytest.mark.django_db(transaction=True)
def test_two_workers_signing_the_same_content_store_one_manifest(monkeypatch):
    """Two archives of the same content built at once (an auditor asking twice, two workers):
    one signs and stores the manifest, the other waits and gets the same one; never a JSON
    from one with the signature of the other."""
    body = {"format": archive_manifest.FORMAT, "files": [{"name": "x", "sha256": "0" * 64}]}
    original = archive_manifest.detached.timestamp

    def slow_timestamp(data: bytes) -> bytes:
        time.sleep(0.5)  # the TSA's round trip, long enough for the other to arrive
        return original(data)

    monkeypatch.setattr(archive_manifest.detached, "timestamp", slow_timestamp)
    signed = at_once(lambda: archive_manifest.sign_manifest(body))
    assert len(signed) == 2 and signed[0] == signed[1]
    key = hashlib.sha256(archive_manifest.canonical_json(body)).hexdigest()
    _dirs, files = default_storage.listdir(archive_manifest.STORE)
    assert sorted(files) == [f"{key}{suffix}" for suffix in (".json", ".p7s", ".tst")]
    stored = archive_manifest._read_stored(key)
    assert (stored.document, stored.signature, stored.token) == (
        signed[0].document, signed[0].signature, signed[0].token)

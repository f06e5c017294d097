"""Archives: a ZIP of every signed PDF, the recap(s) and a manifest, built in the background."""

import csv
import datetime
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from signings.models import ArchiveJob, ArchiveStatus, AuditEntry
from signings.services import archives
from signings.services.context import AuditContext
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_event(open_event, unit_a, hr_a):
    people = list(open_event.expected.select_related("employee").order_by("pk"))[:3]
    for expected in people:
        factories.signature(open_event, expected.employee, officer=hr_a)
    return open_event


def read_zip(job: ArchiveJob) -> zipfile.ZipFile:
    with job.file.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def manifest(archive: zipfile.ZipFile) -> list[dict]:
    text = archive.read("manifest.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_archive_holds_every_pdf_recap_and_a_manifest_with_matching_hashes(
        signed_event, auditor_a):
    job = archives.request_archive(
        agency=signed_event.agency,
        event=signed_event,
        context=AuditContext.for_user(auditor_a),
    )
    job = archives.build_archive(job_id=job.pk, context=AuditContext.system("test"))
    assert job.status == ArchiveStatus.READY and job.done == job.total == 3
    archive = read_zip(job)
    assert archive.testzip() is None
    assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
    rows = manifest(archive)
    pacts = [r for r in rows if r["cara"] != "Rekapitulasi"]
    assert len(pacts) == 3
    by_code = {s.verification_code: s for s in signed_event.signatures.all()}
    for row in rows:
        data = archive.read(row["berkas"])
        assert hashlib.sha256(data).hexdigest() == row["sha256"]
    for row in pacts:
        signature = by_code[row["kode_verifikasi"]]
        signature.refresh_from_db()
        assert row["sha256"] == signature.pdf_sha256
        assert row["nip"] == signature.employee.nip
        assert row["pegawai"] == signature.employee.display_name
    assert any(name.startswith("rekap/") for name in archive.namelist())
    assert hashlib.sha256(job.file.open("rb").read()).hexdigest() == job.file_sha256


def test_agency_archive_covers_the_subtree_only(signed_event, agency_b, auditor_a, hr_b):
    version_b = factories.template_version(agency_b)
    employee_b = factories.employee(agency_b, name="Pegawai Kabupaten B")
    event_b = factories.event(agency_b, officer=hr_b, template_version=version_b,
                              title="Apel B", date=datetime.date(2024, 1, 18), venue="Aula")
    factories.signature(event_b, employee_b, officer=hr_b)

    job = archives.request_archive(
        agency=signed_event.agency,
        context=AuditContext.for_user(auditor_a),
    )
    archive = read_zip(archives.build_archive(job_id=job.pk, context=AuditContext.system("test")))
    rows = manifest(archive)
    assert len([r for r in rows if r["cara"] != "Rekapitulasi"]) == 3
    assert all(r["pegawai"] != "Pegawai Kabupaten B" for r in rows)
    assert all("Apel B" != r["acara"] for r in rows)


def test_a_failed_build_is_marked_failed_and_leaves_no_file(signed_event, auditor_a,
                                                            monkeypatch, settings):
    job = archives.request_archive(
        agency=signed_event.agency,
        event=signed_event,
        context=AuditContext.for_user(auditor_a),
    )

    def broken(field, hasher):
        raise OSError("disk full")
        yield b""

    monkeypatch.setattr(archives, "_file_chunks", broken)
    with pytest.raises(OSError):
        archives.build_archive(job_id=job.pk, context=AuditContext.system("test"))
    job.refresh_from_db()
    assert job.status == ArchiveStatus.FAILED and "disk full" in job.error and job.can_retry
    assert not list((Path(settings.MEDIA_ROOT) / "archives").rglob("*.zip*"))
    assert not list(archives.scratch_dir().iterdir())


def test_a_worker_killed_halfway_leaves_no_file_and_the_job_can_run_again(
        signed_event, auditor_a, monkeypatch, settings):
    job = archives.request_archive(
        agency=signed_event.agency,
        event=signed_event,
        context=AuditContext.for_user(auditor_a),
    )
    original = archives._file_chunks
    calls = {"n": 0}

    def dying(field, hasher):
        calls["n"] += 1
        if calls["n"] == 2:
            # What a SIGKILL looks like from inside: the process stops mid-stream.
            raise SystemExit("killed")
        yield from original(field, hasher)

    monkeypatch.setattr(archives, "_file_chunks", dying)
    with pytest.raises(SystemExit):
        archives.build_archive(job_id=job.pk, context=AuditContext.system("test"))
    job.refresh_from_db()
    assert job.status == ArchiveStatus.RUNNING and not job.file
    archive_dir = Path(settings.MEDIA_ROOT) / "archives"
    assert not list(archive_dir.glob("*.zip"))
    # What a kill leaves: a temporary file in the worker's scratch directory, not in storage.
    assert len(list(archives.scratch_dir().glob("*.part"))) == 1

    # While the heartbeat is fresh nobody may start a second copy of the same job.
    assert not job.can_retry
    with pytest.raises(archives.ArchiveError):
        archives.retry_archive(job=job, context=AuditContext.for_user(auditor_a))
    assert archives.build_archive(job_id=job.pk, context=AuditContext.system("test")).attempts == 1

    # Once its heartbeat is older than the stall limit the worker counts as dead: the job may
    # run again at once, from the start.
    ArchiveJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(
        seconds=settings.PAKTA_JOB_STALL_SECONDS + 1))
    job.refresh_from_db()
    assert job.is_stalled and job.can_retry
    archives.retry_archive(job=job, context=AuditContext.for_user(auditor_a))
    monkeypatch.setattr(archives, "_file_chunks", original)
    job = archives.build_archive(job_id=job.pk, context=AuditContext.system("test"))
    assert job.status == ArchiveStatus.READY and job.attempts == 2
    assert read_zip(job).testzip() is None
    assert len(list(archive_dir.glob("*.zip"))) == 1
    assert not list(archives.scratch_dir().glob("*.part"))


@pytest.mark.django_db(transaction=True)
def test_request_page_starts_the_task_and_offers_the_file_when_ready(
        task_queue, signed_event, auditor_a, client):
    client.force_login(auditor_a)
    response = client.post(reverse("audit:event_archive", args=[signed_event.pk]))
    job = ArchiveJob.objects.get()
    assert job.status == ArchiveStatus.QUEUED
    task_queue.drain()  # the worker, on either backend
    assert response.url == reverse("audit:archive_detail", args=[job.pk])
    page = client.get(response.url, headers={"HX-Request": "true"})
    assert b'id="archive-progress"' in page.content and b"<html" not in page.content
    assert reverse("audit:archive_download", args=[job.pk]).encode() in page.content
    download = client.get(reverse("audit:archive_download", args=[job.pk]))
    assert download.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).testzip() is None
    logged = AuditEntry.objects.filter(action="audit.download.archive").get()
    assert logged.actor == auditor_a and logged.object_id == str(job.pk)


def test_progress_page_polls_while_running(signed_event, auditor_a, client):
    job = ArchiveJob.objects.create(agency=signed_event.agency, event=signed_event,
                                    requested_by=auditor_a, status=ArchiveStatus.RUNNING,
                                    total=10, done=4)
    client.force_login(auditor_a)
    page = client.get(reverse("audit:archive_detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page and "4 / 10" in page and "40%" in page
    assert reverse("audit:archive_download", args=[job.pk]) not in page


def test_archive_not_ready_is_not_downloadable(signed_event, auditor_a, client):
    job = ArchiveJob.objects.create(agency=signed_event.agency, event=signed_event,
                                    requested_by=auditor_a)
    client.force_login(auditor_a)
    assert client.get(reverse("audit:archive_download", args=[job.pk])).status_code == 404


def test_officer_of_other_agency_cannot_archive_or_see_the_job(signed_event, auditor_a, hr_b,
                                                               client):
    job = ArchiveJob.objects.create(agency=signed_event.agency, event=signed_event,
                                    requested_by=auditor_a)
    client.force_login(hr_b)
    assert client.post(reverse("audit:event_archive", args=[signed_event.pk])).status_code == 404
    assert client.post(reverse("audit:agency_archive",
                               args=[signed_event.agency.pk])).status_code == 404
    assert client.get(reverse("audit:archive_detail", args=[job.pk])).status_code == 404
    assert ArchiveJob.objects.count() == 1


def test_archive_requests_are_post_only(signed_event, auditor_a, client):
    client.force_login(auditor_a)
    assert client.get(reverse("audit:event_archive", args=[signed_event.pk])).status_code == 405
    assert client.get(reverse("audit:agency_archive",
                              args=[signed_event.agency.pk])).status_code == 405
    assert not ArchiveJob.objects.exists()

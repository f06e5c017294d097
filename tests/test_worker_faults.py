"""A worker that dies: its archive job is seen as stalled from its heartbeat, queued again by
the sweep every worker runs (or at once by "Jalankan ulang"), and an attempt thought dead that
wakes up writes nothing. The last test kills a real `db_worker` in the middle of an archive."""

import datetime
import io
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from signings.archive_verifier import verify_arsip
from signings.models import ArchiveJob, ArchiveStatus, AuditEntry
from signings.models.job_liveness import MAX_AUTOMATIC_REQUEUES
from signings.services import archives, job_attempts, stalled_jobs
from signings.services.context import AuditContext
from signings.services.heartbeat import Heartbeat, Superseded
from tests import factories
from tests.concurrency import at_once

ROOT = Path(__file__).resolve().parent.parent
SYSTEM = AuditContext.system("test")


def ago(seconds: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=seconds)


def archive_tasks() -> int:
    return DBTaskResult.objects.filter(task_path__endswith=".build_archive").count()


def actions(job: ArchiveJob) -> list[str]:
    return list(AuditEntry.objects.for_object(job).order_by("chain", "seq")
                .values_list("action", flat=True))


@pytest.fixture
def signed_event(open_event, hr_a):
    for expected in list(open_event.expected.select_related("employee").order_by("pk"))[:3]:
        factories.signature(open_event, expected.employee, officer=hr_a)
    return open_event


@pytest.fixture
def running_job(signed_event, auditor_a):
    """A job whose attempt 1 is running (or was, when its worker died), per its heartbeat."""
    def make(*, silent_for: float, requeues: int = 0) -> ArchiveJob:
        return ArchiveJob.objects.create(
            agency=signed_event.agency, event=signed_event, requested_by=auditor_a,
            status=ArchiveStatus.RUNNING, attempts=1, total=3, done=1, requeues=requeues,
            started_at=ago(silent_for + 5), heartbeat_at=ago(silent_for))
    return make


# --- stall detection -------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_running_job_is_stalled_once_its_heartbeat_is_older_than_the_limit(
        running_job, settings):
    settings.PAKTA_JOB_STALL_SECONDS = 60
    alive, dead = running_job(silent_for=50), running_job(silent_for=70)
    assert not alive.is_stalled and not alive.can_retry
    assert dead.is_stalled and dead.worker_died and dead.can_retry
    assert list(ArchiveJob.objects.stalled()) == [dead]


@pytest.mark.django_db
def test_a_queued_job_is_stalled_only_when_no_worker_took_it_for_ten_minutes(
        signed_event, auditor_a):
    waiting = ArchiveJob.objects.create(agency=signed_event.agency, event=signed_event,
                                        requested_by=auditor_a, heartbeat_at=ago(9 * 60))
    forgotten = ArchiveJob.objects.create(agency=signed_event.agency, event=signed_event,
                                          requested_by=auditor_a, heartbeat_at=ago(11 * 60))
    assert not waiting.is_stalled and forgotten.is_stalled and not forgotten.worker_died
    assert list(ArchiveJob.objects.stalled()) == [forgotten]


@pytest.mark.django_db
def test_finished_jobs_are_never_stalled(running_job):
    job = running_job(silent_for=3600)
    ArchiveJob.objects.filter(pk=job.pk).update(status=ArchiveStatus.FAILED)
    job.refresh_from_db()
    assert not job.is_stalled and job.can_retry  # a failed job is retried by a person
    assert not ArchiveJob.objects.stalled().exists()


# --- "Jalankan ulang" ------------------------------------------------------------------------

@pytest.mark.django_db
def test_retry_is_refused_while_the_heartbeat_is_fresh(running_job, auditor_a, client):
    job = running_job(silent_for=5)
    client.force_login(auditor_a)
    page = client.get(reverse("audit:archive_detail", args=[job.pk])).content.decode()
    assert "Jalankan ulang" not in page and 'id="archive-stalled"' not in page
    response = client.post(reverse("audit:archive_retry", args=[job.pk]), follow=True)
    assert "Arsip ini sedang dibuat." in response.content.decode()
    job.refresh_from_db()
    assert job.status == ArchiveStatus.RUNNING and archive_tasks() == 0
    assert "audit.archive.retried" not in actions(job)


@pytest.mark.django_db
def test_retry_is_accepted_at_once_when_the_heartbeat_is_stale(
        running_job, auditor_a, client, settings, django_capture_on_commit_callbacks):
    settings.PAKTA_JOB_STALL_SECONDS = 60
    job = running_job(silent_for=61, requeues=2)
    client.force_login(auditor_a)
    page = client.get(reverse("audit:archive_detail", args=[job.pk])).content.decode()
    assert 'id="archive-stalled"' in page and "Jalankan ulang" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("audit:archive_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ArchiveStatus.QUEUED and job.requeues == 0 and archive_tasks() == 1
    entry = AuditEntry.objects.for_object(job).get(action="audit.archive.retried")
    assert entry.actor == auditor_a and entry.details["from"] == "running"


# --- the sweep -------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_sweep_queues_a_dead_workers_job_again_once(
        running_job, settings, django_capture_on_commit_callbacks):
    settings.PAKTA_JOB_STALL_SECONDS = 60
    dead, alive = running_job(silent_for=61), running_job(silent_for=30)
    with django_capture_on_commit_callbacks(execute=True):
        assert stalled_jobs.sweep()["archive"] == [dead.pk]
        assert stalled_jobs.sweep()["archive"] == []
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == ArchiveStatus.QUEUED and dead.requeues == 1
    assert alive.status == ArchiveStatus.RUNNING and archive_tasks() == 1
    entry = AuditEntry.objects.for_object(dead).get(action="audit.archive.requeued")
    assert entry.actor is None and entry.actor_label == stalled_jobs.SWEEP_LABEL
    assert entry.details["attempt"] == 1 and entry.details["from"] == "running"

    rebuilt = archives.build_archive(job_id=dead.pk, context=SYSTEM)
    assert rebuilt.status == ArchiveStatus.READY and rebuilt.attempts == 2
    assert actions(dead) == ["audit.archive.requeued", "audit.archive.started",
                             "audit.archive.built"]


@pytest.mark.django_db
def test_a_job_that_kills_its_worker_again_and_again_fails_for_a_person_to_decide(
        running_job, settings, django_capture_on_commit_callbacks):
    settings.PAKTA_JOB_STALL_SECONDS = 60
    job = running_job(silent_for=61, requeues=MAX_AUTOMATIC_REQUEUES)
    with django_capture_on_commit_callbacks(execute=True):
        assert stalled_jobs.sweep()["archive"] == []
    job.refresh_from_db()
    assert job.status == ArchiveStatus.FAILED and "Worker stopped" in job.error
    assert job.can_retry and archive_tasks() == 0
    assert actions(job) == ["audit.archive.failed"]


@pytest.mark.django_db
def test_the_sweep_queues_a_forgotten_queued_job_once_more(
        signed_event, auditor_a, django_capture_on_commit_callbacks):
    job = ArchiveJob.objects.create(agency=signed_event.agency, event=signed_event,
                                    requested_by=auditor_a, heartbeat_at=ago(11 * 60))
    with django_capture_on_commit_callbacks(execute=True):
        assert stalled_jobs.sweep()["archive"] == [job.pk]
        assert stalled_jobs.sweep()["archive"] == []
    job.refresh_from_db()
    assert job.status == ArchiveStatus.QUEUED and job.requeues == 0 and archive_tasks() == 1


@pytest.mark.django_db
def test_the_sweep_can_be_run_by_hand(running_job, settings):
    settings.PAKTA_JOB_STALL_SECONDS = 60
    dead = running_job(silent_for=61)
    out = io.StringIO()
    call_command("sweep_stalled_jobs", stdout=out)
    assert out.getvalue().splitlines() == [f"Queued again (archive): {dead.pk}",
                                           "Queued again (bkn_report): none"]


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_queue_the_job_again_exactly_once(running_job, settings,
                                                             monkeypatch):
    settings.PAKTA_JOB_STALL_SECONDS = 60
    job = running_job(silent_for=61)
    original = job_attempts._requeue_or_fail

    def slow(kind, job, context):
        time.sleep(0.3)  # hold the row lock while the other sweep looks
        return original(kind, job, context)

    monkeypatch.setattr(job_attempts, "_requeue_or_fail", slow)
    results = at_once(stalled_jobs.sweep)
    assert sorted(result["archive"] for result in results) == [[], [job.pk]]
    assert actions(job).count("audit.archive.requeued") == 1 and archive_tasks() == 1


# --- an attempt that was replaced ------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("woken", ["between_pacts", "before_the_rename"])
def test_an_attempt_thought_dead_that_wakes_up_writes_nothing(
        woken, signed_event, auditor_a, settings, monkeypatch):
    """Attempt 1 freezes, the sweep queues the job again, attempt 2 finishes; then attempt 1
    goes on: it must not replace attempt 2's file, state or hash."""
    settings.PAKTA_JOB_STALL_SECONDS = 60
    job = archives.request_archive(agency=signed_event.agency, event=signed_event,
                                   context=AuditContext.for_user(auditor_a))
    frozen = {"done": False}

    def freeze_and_be_replaced():
        if frozen["done"]:
            return
        frozen["done"] = True
        ArchiveJob.objects.filter(pk=job.pk).update(heartbeat_at=ago(120))
        assert stalled_jobs.sweep()["archive"] == [job.pk]
        assert archives.build_archive(job_id=job.pk, context=SYSTEM).attempts == 2

    if woken == "between_pacts":
        original_chunks = archives._file_chunks

        def chunks(field, hasher):
            freeze_and_be_replaced()
            yield from original_chunks(field, hasher)

        monkeypatch.setattr(archives, "_file_chunks", chunks)
    else:
        original_hash = archives._hash_stream

        def hash_stream(handle):
            result = original_hash(handle)
            freeze_and_be_replaced()
            return result

        monkeypatch.setattr(archives, "_hash_stream", hash_stream)

    returned = archives.build_archive(job_id=job.pk, context=SYSTEM)  # attempt 1
    job.refresh_from_db()
    assert returned.attempts == job.attempts == 2 and job.status == ArchiveStatus.READY
    with job.file.open("rb") as handle:
        assert archives._hash_stream(handle)[0] == job.file_sha256
    assert zipfile.ZipFile(job.file.path).testzip() is None
    archive_dir = Path(settings.MEDIA_ROOT) / "archives"
    assert len(list(archive_dir.glob("*.zip"))) == 1
    assert not list((archive_dir / ".partial").glob("*.part"))
    assert actions(job).count("audit.archive.built") == 1
    assert "audit.archive.failed" not in actions(job)


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_beats_while_the_attempt_runs_and_notices_when_it_is_replaced(
        running_job, settings):
    settings.PAKTA_JOB_HEARTBEAT_SECONDS = 0.05
    job = running_job(silent_for=30)

    def wait_for(condition) -> None:
        deadline = time.monotonic() + 30
        while not condition():
            assert time.monotonic() < deadline
            time.sleep(0.02)

    def last_beat() -> datetime.datetime:
        return ArchiveJob.objects.values_list("heartbeat_at", flat=True).get(pk=job.pk)

    with Heartbeat(ArchiveJob, job.pk, attempt=1, running=ArchiveStatus.RUNNING) as beat:
        wait_for(lambda: last_beat() > job.heartbeat_at)
        beat.progress(done=2)
        # The sweep queued the job again and attempt 2 took it.
        ArchiveJob.objects.filter(pk=job.pk).update(attempts=2)
        wait_for(lambda: beat.superseded)
        with pytest.raises(Superseded):
            beat.check()
        stopped_at = last_beat()
    time.sleep(0.2)
    assert last_beat() == stopped_at
    assert ArchiveJob.objects.get(pk=job.pk).done == 2


@pytest.mark.django_db
def test_a_failed_build_is_in_the_audit_log(signed_event, auditor_a, monkeypatch):
    job = archives.request_archive(agency=signed_event.agency, event=signed_event,
                                   context=AuditContext.for_user(auditor_a))

    def broken(field, hasher):
        raise OSError("disk full")
        yield b""

    monkeypatch.setattr(archives, "_file_chunks", broken)
    with pytest.raises(OSError):
        archives.build_archive(job_id=job.pk, context=SYSTEM)
    assert actions(job) == ["audit.archive.requested", "audit.archive.started",
                            "audit.archive.failed"]
    failed = AuditEntry.objects.for_object(job).get(action="audit.archive.failed")
    assert "disk full" in failed.details["error"] and failed.details["attempt"] == 1


def test_manage_py_db_worker_is_the_worker_with_the_sweep():
    assert get_commands()["db_worker"] == "signings"


@pytest.mark.django_db(transaction=True)
def test_a_worker_run_in_process_stops_its_sweep_when_it_returns():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    assert not [t for t in threading.enumerate() if t.name == "stalled-jobs-sweep"]


# --- a real worker, killed -------------------------------------------------------------------

WORKER_TIMINGS = {"PAKTA_JOB_HEARTBEAT_SECONDS": "0.5", "PAKTA_JOB_STALL_SECONDS": "3",
                  "PAKTA_JOB_SWEEP_SECONDS": "1"}
SIGNATURES = 20  # without their PDFs: the archive renders and seals each, a few seconds' work
TIMEOUT = 300


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}")


def _start_worker(settings, log: Path) -> subprocess.Popen:
    env = {**os.environ, **WORKER_TIMINGS, "DJANGO_SETTINGS_MODULE": "tests.settings",
           "DATABASE_URL": _database_url(), "MEDIA_ROOT": str(settings.MEDIA_ROOT),
           "PAKTA_SEAL_PKCS12": settings.PAKTA_SEAL_PKCS12,
           "PAKTA_DEV_PKI_DIR": settings.PAKTA_DEV_PKI_DIR, "PAKTA_TSA_URL": settings.PAKTA_TSA_URL,
           "PYTHONUNBUFFERED": "1"}
    with open(log, "ab") as out:
        return subprocess.Popen(
            # The checks are the production ones (a real seal, a public address): not ours here.
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
             "--interval", "0.2", "--skip-checks"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait(job: ArchiveJob, condition, what: str, worker: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + TIMEOUT
    while True:
        job.refresh_from_db()
        if condition(job):
            return
        if time.monotonic() > deadline or worker.poll() is not None:
            pytest.fail(f"{what}: job is {job.status} {job.done}/{job.total}, worker exit code "
                        f"{worker.poll()}\n" + log.read_text(errors="replace")[-4000:])
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_an_archive_survives_its_worker_being_killed(open_event, unit_a, hr_a, auditor_a,
                                                     settings, tmp_path):
    people = [factories.employee(unit_a) for _ in range(SIGNATURES)]
    for person in people:
        factories.signature(open_event, person, officer=hr_a)
    DBTaskResult.objects.all().delete()  # the PDF tasks: the archive renders the PDFs itself
    job = archives.request_archive(agency=open_event.agency, event=open_event,
                                   context=AuditContext.for_user(auditor_a))
    log = tmp_path / "workers.log"
    workers = [_start_worker(settings, log)]
    try:
        _wait(job, lambda j: j.status == ArchiveStatus.RUNNING and j.done >= 1,
              "the first worker never got going", workers[0], log)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(timeout=30)
        killed_at = timezone.now()
        job.refresh_from_db()
        assert job.status == ArchiveStatus.RUNNING and 0 < job.done < job.total, (
            "the worker was not killed in the middle of the archive: give it more signatures")
        assert not job.file

        workers.append(_start_worker(settings, log))  # as systemd's Restart=always would
        _wait(job, lambda j: j.is_finished, "the archive never finished", workers[1], log)
        finished_at = timezone.now()
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGKILL)
                worker.wait(timeout=30)

    assert job.status == ArchiveStatus.READY, job.error
    assert job.attempts == 2 and job.requeues == 1 and job.done == job.total == SIGNATURES
    assert actions(job) == ["audit.archive.requested", "audit.archive.started",
                            "audit.archive.requeued", "audit.archive.started",
                            "audit.archive.built"]
    requeued = AuditEntry.objects.for_object(job).get(action="audit.archive.requeued")
    assert requeued.actor_label == stalled_jobs.SWEEP_LABEL
    # For the record (run with -s), never asserted: the machine's speed is not the point.
    print(f"\nkill -> queued again {(requeued.at - killed_at).total_seconds():.1f} s, "
          f"-> ready {(finished_at - killed_at).total_seconds():.1f} s (stall limit "
          f"{WORKER_TIMINGS['PAKTA_JOB_STALL_SECONDS']} s, {SIGNATURES} pacts)")
    out = tmp_path / "verify.txt"
    with open(out, "w") as report:
        assert verify_arsip.main([job.file.path], out=report) == 0, out.read_text()
    with zipfile.ZipFile(job.file.path) as archive:
        assert len([n for n in archive.namelist() if n.startswith("pakta/")]) == SIGNATURES
    assert not list((Path(settings.MEDIA_ROOT) / "archives" / ".partial").glob("*.part"))

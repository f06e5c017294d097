"""A worker that dies while building a BKN report PDF: the job is seen as stalled from its
heartbeat and queued again by the same sweep as the archives, fails after repeated deaths, and
an attempt thought dead that wakes up stores nothing over the attempt that replaced it."""

import datetime
import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from signings.models import AuditEntry, BknReportJob, ReportStatus
from signings.models.job_liveness import MAX_AUTOMATIC_REQUEUES
from signings.pdf import seal
from signings.services import bkn_reports, stalled_jobs
from signings.services.context import AuditContext
from tests import factories

pytestmark = pytest.mark.django_db

SYSTEM = AuditContext.system("test")


def ago(seconds: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=seconds)


def actions(job: BknReportJob) -> list[str]:
    return list(AuditEntry.objects.for_object(job).order_by("chain", "seq")
                .values_list("action", flat=True))


def report_tasks() -> int:
    return DBTaskResult.objects.filter(task_path__endswith=".build_bkn_report").count()


@pytest.fixture
def signed_event(open_event, hr_a):
    first = open_event.expected.select_related("employee").order_by("pk").first()
    factories.signature(open_event, first.employee, officer=hr_a)
    return open_event


@pytest.fixture
def requested(signed_event, hr_a):
    return bkn_reports.request_report(agency=signed_event.agency, event=signed_event,
                                      context=AuditContext.for_user(hr_a))


def kill_worker(job: BknReportJob, *, silent_for: float = 61, requeues: int = 0) -> None:
    """Attempt 1 was running when its worker died `silent_for` seconds ago."""
    BknReportJob.objects.filter(pk=job.pk).update(
        status=ReportStatus.RUNNING, attempts=job.attempts + 1, requeues=requeues,
        started_at=ago(silent_for + 5), heartbeat_at=ago(silent_for))


def page(client, job) -> str:
    return client.get(reverse("audit:bkn_job_detail", kwargs={"pk": job.pk})).content.decode()


def test_a_running_report_is_stalled_once_its_heartbeat_is_older_than_the_limit(
        requested, settings):
    settings.PAKTA_JOB_STALL_SECONDS = 60
    kill_worker(requested, silent_for=30)
    assert not BknReportJob.objects.get().is_stalled
    assert not BknReportJob.objects.stalled().exists()
    kill_worker(requested, silent_for=61)
    job = BknReportJob.objects.get()
    assert job.is_stalled and job.worker_died
    assert list(BknReportJob.objects.stalled()) == [job]


def test_the_sweep_queues_a_dead_workers_report_again_and_the_next_attempt_builds_it(
        officer, requested, settings, django_capture_on_commit_callbacks):
    settings.PAKTA_JOB_STALL_SECONDS = 60
    kill_worker(requested)
    shown = page(officer, requested)
    assert 'id="bkn-job-stalled"' in shown and 'hx-trigger="every 2s"' in shown
    tasks_before = report_tasks()
    with django_capture_on_commit_callbacks(execute=True):
        assert stalled_jobs.sweep() == {"archive": [], "bkn_report": [requested.pk]}
        assert stalled_jobs.sweep() == {"archive": [], "bkn_report": []}
    assert report_tasks() == tasks_before + 1
    job = BknReportJob.objects.get()
    assert job.status == ReportStatus.QUEUED and job.requeues == 1 and job.attempts == 1
    entry = AuditEntry.objects.for_object(job).get(action="audit.bkn_report.requeued")
    assert entry.actor is None and entry.actor_label == stalled_jobs.SWEEP_LABEL
    assert entry.details["from"] == ReportStatus.RUNNING and entry.details["attempt"] == 1

    job = bkn_reports.build_report(job_id=job.pk, context=SYSTEM)
    assert job.status == ReportStatus.READY and job.attempts == 2
    assert actions(job) == ["audit.bkn_report.requested", "audit.bkn_report.requeued",
                            "audit.bkn_report.started", "audit.bkn_report.ready"]
    with job.file.open("rb") as handle:
        assert seal.check_seal(handle.read()).valid


def test_a_report_that_kills_its_worker_again_and_again_fails_for_a_person_to_decide(
        officer, requested, settings):
    settings.PAKTA_JOB_STALL_SECONDS = 60
    kill_worker(requested, requeues=MAX_AUTOMATIC_REQUEUES)
    assert stalled_jobs.sweep()["bkn_report"] == []
    job = BknReportJob.objects.get()
    assert job.status == ReportStatus.FAILED and "Worker stopped" in job.error
    entry = AuditEntry.objects.for_object(job).get(action="audit.bkn_report.failed")
    assert entry.actor_label == stalled_jobs.SWEEP_LABEL
    assert "Worker stopped" in entry.details["error"]
    shown = page(officer, job)
    assert 'id="bkn-job-failed"' in shown and "Worker stopped" in shown
    assert "every 2s" not in shown and "bkn-job-download" not in shown
    # The failed job is not taken by a late task either.
    assert bkn_reports.build_report(job_id=job.pk, context=SYSTEM).status == ReportStatus.FAILED


def test_a_queued_report_no_worker_took_is_queued_once_more(requested):
    BknReportJob.objects.filter(pk=requested.pk).update(heartbeat_at=ago(11 * 60),
                                                        created_at=ago(11 * 60))
    assert stalled_jobs.sweep()["bkn_report"] == [requested.pk]
    job = BknReportJob.objects.get()
    assert job.status == ReportStatus.QUEUED and job.requeues == 0


def test_the_page_shows_the_attempt(officer, requested):
    BknReportJob.objects.filter(pk=requested.pk).update(
        status=ReportStatus.RUNNING, attempts=2, heartbeat_at=timezone.now())
    shown = page(officer, requested)
    assert 'id="bkn-job-attempt"' in shown and "Percobaan ke-2" in shown
    assert 'id="bkn-job-stalled"' not in shown


def replace_attempt_while_frozen(job, monkeypatch, *, then_raise: bool = False):
    """Attempt 1 freezes after rendering; the sweep queues the job again and attempt 2 builds
    it; then attempt 1 goes on (or fails)."""
    original = bkn_reports.render_sealed
    state = {"calls": 0}

    def render(**kwargs):
        state["calls"] += 1
        sealed = original(**kwargs)
        if state["calls"] == 1:
            BknReportJob.objects.filter(pk=job.pk).update(heartbeat_at=ago(120))
            assert stalled_jobs.sweep()["bkn_report"] == [job.pk]
            assert bkn_reports.build_report(job_id=job.pk, context=SYSTEM).attempts == 2
            if then_raise:
                raise RuntimeError("woke up broken")
        return sealed

    monkeypatch.setattr(bkn_reports, "render_sealed", render)


def test_an_attempt_thought_dead_that_wakes_up_stores_nothing(requested, settings,
                                                             monkeypatch):
    settings.PAKTA_JOB_STALL_SECONDS = 60
    replace_attempt_while_frozen(requested, monkeypatch)
    result = bkn_reports.build_report(job_id=requested.pk, context=SYSTEM)
    job = BknReportJob.objects.get()
    assert result.attempts == job.attempts == 2 and job.status == ReportStatus.READY
    ready = AuditEntry.objects.for_object(job).get(action="audit.bkn_report.ready")
    assert ready.details["attempt"] == 2
    # Attempt 2's file and hash are the job's, and attempt 1 stored no file at all.
    with job.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == job.file_sha256
    assert ready.details["sha256"] == job.file_sha256
    _, stored = job.file.storage.listdir(job.file.name.rsplit("/", 1)[0])
    assert [name for name in stored if name.startswith(f"laporan-bkn-{job.pk}")] == [
        job.file.name.rsplit("/", 1)[1]]


def test_a_replaced_attempt_that_fails_leaves_the_newer_one_alone(requested, settings,
                                                                  monkeypatch):
    settings.PAKTA_JOB_STALL_SECONDS = 60
    replace_attempt_while_frozen(requested, monkeypatch, then_raise=True)
    with pytest.raises(RuntimeError):
        bkn_reports.build_report(job_id=requested.pk, context=SYSTEM)
    job = BknReportJob.objects.get()
    assert job.status == ReportStatus.READY and job.error == ""
    assert "audit.bkn_report.failed" not in actions(job)


def test_a_failed_build_is_marked_with_its_attempt(requested, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("font missing")

    monkeypatch.setattr(bkn_reports, "render_sealed", broken)
    with pytest.raises(RuntimeError):
        bkn_reports.build_report(job_id=requested.pk, context=SYSTEM)
    job = BknReportJob.objects.get()
    assert job.status == ReportStatus.FAILED and job.attempts == 1
    entry = AuditEntry.objects.for_object(job).get(action="audit.bkn_report.failed")
    assert entry.details == {"attempt": 1, "error": "RuntimeError: font missing"}

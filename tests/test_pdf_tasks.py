"""The pact PDF is rendered by a background task after the signature commits; archives are
built by one too. Both on each task backend (the database queue and RQ on Redis), drained in
process and by several real worker processes (tests/task_workers.py)."""

import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.db.models import Q
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from signings import jobs
from signings.archive_verifier import verify_arsip
from signings.models import ArchiveJob, ArchiveStatus, AuditEntry, Signature
from signings.pdf import seal
from signings.services import archives
from signings.services.context import AuditContext
from tests import factories, task_workers

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.mark.django_db
def test_signature_commit_renders_the_pdf_inline_with_the_immediate_backend(
        open_event, hr_a, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    employee = open_event.expected.first().employee
    with django_capture_on_commit_callbacks(execute=True):
        signature = factories.signature(open_event, employee, officer=hr_a)
    signature.refresh_from_db()
    assert signature.pdf and signature.pdf_sha256
    assert seal.check_seal(signature.pdf.read()).valid


@pytest.mark.django_db
def test_nothing_is_rendered_when_the_signature_rolls_back(open_event, hr_a, settings,
                                                           django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        factories.signature(open_event, open_event.expected.first().employee, officer=hr_a)
    # The render is queued for after commit only, never inside the signing transaction (the
    # other callback schedules the audit chain's checkpoint, also after commit).
    assert len(callbacks) == 2
    assert not Signature.objects.get().pdf


@pytest.mark.django_db(transaction=True)
def test_the_worker_renders_the_pdf_and_builds_an_archive(task_queue, open_event, hr_a,
                                                          auditor_a):
    employee = open_event.expected.first().employee
    with task_workers.recording_enqueued() as enqueued:
        # Commits: the task is enqueued.
        signature = factories.signature(open_event, employee, officer=hr_a)
    renders = [r for r in enqueued if r.task.name == "render_signature_pdf"]
    assert [r.args for r in renders] == [[signature.pk]]
    assert not Signature.objects.get(pk=signature.pk).pdf

    task_queue.drain()
    signature.refresh_from_db()
    assert signature.pdf and seal.check_seal(signature.pdf.read()).valid
    assert signature.thumbnail.read().startswith(b"\xff\xd8")  # made by the same task
    # The result as django.tasks reports it, from either backend's store.
    result = jobs.task("render_signature_pdf").get_result(renders[0].id)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == signature.pdf_sha256

    job = archives.request_archive(
        agency=open_event.agency,
        event=open_event,
        context=AuditContext.for_user(auditor_a),
    )
    task_queue.drain()
    job = ArchiveJob.objects.get(pk=job.pk)
    assert job.status == ArchiveStatus.READY and job.total == 1


@pytest.mark.django_db
def test_the_task_row_is_written_in_the_signing_transaction(open_event, hr_a,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        factories.signature(open_event, open_event.expected.first().employee, officer=hr_a)
    # One task per signature, already written; after commit only the checkpoint schedule.
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == [
        "signings.tasks.render_signature_pdf"]
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_a_signature_that_rolls_back_leaves_no_task_row(open_event, hr_a, monkeypatch):
    from signings.services import audit

    def fail(**kwargs):
        raise RuntimeError("the audit append failed")

    monkeypatch.setattr(audit, "record", fail)
    with pytest.raises(RuntimeError):
        factories.signature(open_event, open_event.expected.first().employee, officer=hr_a)
    assert not Signature.objects.exists() and not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_a_failed_thumbnail_does_not_stop_the_pact(open_event, hr_a, settings, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    from signings import signature_image

    def broken(png):
        raise OSError("no thumbnail today")

    monkeypatch.setattr(signature_image, "make_thumbnail", broken)
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        signature = factories.signature(open_event, open_event.expected.first().employee,
                                        officer=hr_a)
    signature.refresh_from_db()
    assert signature.pdf and not signature.thumbnail


PACTS = 6


def stored_files(folder: str) -> list[str]:
    """Every file under `folder` in the default storage, through the storage API."""
    try:
        directories, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    return [f"{folder}/{name}" for name in files] + [
        name for directory in directories for name in stored_files(f"{folder}/{directory}")]


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_render_every_pact_once_and_build_identical_archives(
        task_queue, open_event, unit_a, hr_a, auditor_a, tmp_path):
    """Real worker processes, as operators run them, both waiting when the work arrives:
    renders of new signatures, and two requests for the same archive (which also renders
    any pact not rendered yet) race each other."""
    seal.get_signer()  # the seal key exists before the workers start, as in production
    with (task_workers.recording_enqueued() as enqueued,
          task_queue.workers(["w1", "w2"], tmp_path / "logs")):
        for _ in range(PACTS):
            factories.signature(open_event, factories.employee(unit_a), officer=hr_a)
        requested = [archives.request_archive(agency=open_event.agency, event=open_event,
                                              context=AuditContext.for_user(auditor_a))
                     for _ in range(2)]

        def finished() -> bool:
            return (not Signature.objects.filter(Q(pdf="") | Q(thumbnail="")).exists()
                    and not ArchiveJob.objects.exclude(
                        status__in=[ArchiveStatus.READY, ArchiveStatus.FAILED]).exists())

        task_workers.wait_until(finished, what="the workers", timeout=300, details=lambda: (
            task_workers.read_log(tmp_path / "logs", "w1")
            + task_workers.read_log(tmp_path / "logs", "w2")))

    signatures = list(Signature.objects.order_by("pk"))
    assert len(signatures) == PACTS
    for signature in signatures:
        with signature.pdf.open("rb") as handle:
            data = handle.read()
        assert hashlib.sha256(data).hexdigest() == signature.pdf_sha256
        assert seal.check_seal(data).valid
        rendered = AuditEntry.objects.for_object(signature).filter(
            action__startswith="signing.pdf.")
        assert list(rendered.values_list("action", flat=True)) == ["signing.pdf.rendered"]
    # Whoever lost a race removed its file: one pact file per signature, nothing else.
    assert sorted(stored_files("pacts")) == sorted(s.pdf.name for s in signatures)

    jobs_done = list(ArchiveJob.objects.filter(pk__in=[j.pk for j in requested]))
    assert [(j.status, j.total, j.error) for j in jobs_done] == [
        (ArchiveStatus.READY, PACTS, "")] * 2
    # Same content, same bytes: one manifest, signed once, and the same pact files.
    assert jobs_done[0].file_sha256 == jobs_done[1].file_sha256
    archive = tmp_path / "arsip.zip"
    with jobs_done[0].file.open("rb") as handle:
        archive.write_bytes(handle.read())
    assert hashlib.sha256(archive.read_bytes()).hexdigest() == jobs_done[0].file_sha256
    report = io.StringIO()
    assert verify_arsip.main([str(archive)], out=report) == 0, report.getvalue()
    with zipfile.ZipFile(archive) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
    assert {f["verification_code"] for f in manifest["files"] if f["kind"] == "pact"} == {
        s.verification_code for s in signatures}

    # Both processes took work, and django.tasks reports every task as done.
    workers = set()
    for enqueued_result in enqueued:
        result = jobs.task(enqueued_result.task.name).get_result(enqueued_result.id)
        if result.task.run_after is None:  # the audit checkpoints are due later
            assert result.status == TaskResultStatus.SUCCESSFUL, result.errors
            workers.update(result.worker_ids)
    assert workers == {"w1", "w2"}

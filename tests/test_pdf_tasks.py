"""The pact PDF is rendered by a background task after the signature commits."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from signings.models import ArchiveJob, ArchiveStatus, Signature
from signings.pdf import seal
from signings.services import archives
from signings.services.context import AuditContext
from tests import factories

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
def test_database_worker_renders_the_pdf_and_builds_an_archive(open_event, hr_a, auditor_a):
    employee = open_event.expected.first().employee
    # Commits: the task is enqueued.
    signature = factories.signature(open_event, employee, officer=hr_a)
    assert DBTaskResult.objects.filter(task_path="signings.tasks.render_signature_pdf").count() == 1
    assert not Signature.objects.get(pk=signature.pk).pdf

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    signature.refresh_from_db()
    assert signature.pdf and seal.check_seal(signature.pdf.read()).valid
    assert signature.thumbnail.read().startswith(b"\xff\xd8")  # made by the same task
    assert DBTaskResult.objects.get(
        task_path="signings.tasks.render_signature_pdf").status == "SUCCESSFUL"

    job = archives.request_archive(
        agency=open_event.agency,
        event=open_event,
        context=AuditContext.for_user(auditor_a),
    )
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
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

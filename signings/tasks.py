"""Background work, run by Django's tasks framework (database-backed worker by default).

Start a worker with `python manage.py db_worker`; `bin/run` starts one beside the server.
Tasks take ids, never objects: they run later, maybe in another process.
"""

from __future__ import annotations

from django.tasks import task


@task()
def render_signature_pdf(signature_id: int) -> str:
    from signings.services import pacts

    return pacts.render_and_store(signature_id=signature_id).pdf_sha256


@task()
def build_archive(job_id: int) -> str:
    from signings.services import archives

    return archives.build_archive(job_id=job_id).file_sha256


def enqueue_signature_followups(signature_id: int) -> None:
    """Called after a signature commits. Each follow-up is its own task so one failure does not
    block the others."""
    render_signature_pdf.enqueue(signature_id)

"""Background work, run by Django's tasks framework (database-backed worker by default).

Start a worker with `python manage.py db_worker`; `bin/run` starts one beside the server.
Tasks take ids, never objects: they run later, maybe in another process. Tasks call services;
services start tasks through signings.jobs (by name), never by importing this module.
"""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.tasks import task

from signings import jobs

logger = logging.getLogger(__name__)


@jobs.provides
@task
def make_signature_thumbnail(signature_id: int) -> None:
    """The list thumbnail alone (render_signature_pdf makes it too, first)."""
    _make_thumbnail(signature_id)


def _make_thumbnail(signature_id: int) -> None:
    from signings.models import Signature
    from signings.signature_image import make_thumbnail

    signature = Signature.objects.filter(pk=signature_id).first()
    if signature is None or not signature.image or signature.thumbnail:
        return
    with signature.image.open("rb") as handle:
        jpeg = make_thumbnail(handle.read())
    signature.thumbnail.save(f"{signature.submission_id}.jpg", ContentFile(jpeg), save=False)
    Signature.objects.filter(pk=signature.pk).update(thumbnail=signature.thumbnail.name)


@jobs.provides
@task()
def render_signature_pdf(signature_id: int) -> str:
    """The one task a signature starts: the list thumbnail, kept out of the signing request
    (it costs more than the insert), then the sealed pact. A failed thumbnail does not stop
    the pact; lists and the recap make one in memory meanwhile."""
    from signings.services import pacts
    from signings.services.context import AuditContext

    try:
        _make_thumbnail(signature_id)
    except Exception:
        logger.exception("Could not make the thumbnail of signature %s.", signature_id)
    return pacts.render_and_store(
        signature_id=signature_id, context=AuditContext.system("task:pdf")
    ).pdf_sha256


@jobs.provides
@task()
def issue_witnessed_pdf(signature_id: int) -> str:
    """The pact again, sealed, now with its witness's signature (services/witnesses.py)."""
    from signings.services import pacts
    from signings.services.context import AuditContext

    return pacts.issue_witnessed(
        signature_id=signature_id, context=AuditContext.system("task:pdf")
    ).pdf_sha256


@jobs.provides
@task()
def prepare_birth_verifiers(event_id: int) -> int:
    """Make the birth-date verifiers a roster request had no time for; returns how many."""
    from signings.models import SigningEvent
    from signings.services import identity_checks

    event = SigningEvent.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    return len(identity_checks.verifiers(event, budget=None).ready)


@jobs.provides
@task()
def build_archive(job_id: int) -> str:
    from signings.services import archives
    from signings.services.context import AuditContext

    return archives.build_archive(
        job_id=job_id, context=AuditContext.system("task:archive")
    ).file_sha256


@jobs.provides
@task()
def build_bkn_report(job_id: int) -> str:
    """The sealed PDF of a BKN report (signings/services/bkn_reports.py); returns its hash."""
    from signings.services import bkn_reports
    from signings.services.context import AuditContext

    return bkn_reports.build_report(
        job_id=job_id, context=AuditContext.system("task:bkn_report")
    ).file_sha256


@jobs.provides
@task()
def make_audit_checkpoint(chain: str) -> int | None:
    """Scheduled after activity on a chain and at every event close
    (signings/services/checkpoints.py); returns the seq covered."""
    from signings.services import checkpoints
    from signings.services.context import AuditContext

    made = checkpoints.make_checkpoint(chain=chain,
                                       context=AuditContext.system("task:audit_checkpoint"))
    return made.seq if made is not None else None

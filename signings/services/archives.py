"""ZIP archives of signed PDFs for auditors, built by a background task.

The ZIP is written one PDF at a time into a temporary file (signings/archive_zip.py: same
content, same bytes), then moved into place with one atomic rename: memory stays flat however
many PDFs, and a worker killed halfway leaves only a stray temporary file that the next run
overwrites, never a half-written archive offered for download. What makes it checkable offline
(signed manifest, certificates, verifier, README) is signings/archive_manifest.py.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from signings import archive_manifest, jobs
from signings.errors import PaktaError
from signings.models import Agency, ArchiveJob, ArchiveStatus, Signature, SigningEvent
from signings.pdf import dates
from signings.services import audit, checkpoints, pacts, recaps
from signings.services.context import AuditContext

if TYPE_CHECKING:
    from hashlib import _Hash

    from django.core.files.storage import Storage
    from django.db.models.fields.files import FieldFile

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
PROGRESS_EVERY = 20
MANIFEST_COLUMNS = ["pegawai", "nip", "nik_tersamar", "unit", "acara", "waktu", "cara",
                    "kode_verifikasi", "berkas", "sha256"]


class ArchiveError(PaktaError):
    """A refused archive request."""


def archive_signatures(job: ArchiveJob) -> QuerySet[Signature]:
    signatures = Signature.objects.valid()
    if job.event_id:
        signatures = signatures.filter(event_id=job.event_id)
    else:
        signatures = signatures.in_agency(job.agency)
    return signatures.select_related(
        "employee__agency", "event__agency", "event__template_version"
    ).order_by("event_id", "employee__agency__path", "employee__name", "pk")


def archive_events(job: ArchiveJob) -> QuerySet[SigningEvent]:
    if job.event_id:
        return SigningEvent.objects.filter(pk=job.event_id).select_related("agency")
    return SigningEvent.objects.in_agency(job.agency).select_related(
        "agency", "template_version").order_by("date", "pk")


def _enqueue(job_id: int) -> None:
    jobs.enqueue("build_archive", job_id)


def request_archive(*, agency: Agency, event: SigningEvent | None = None,
                    context: AuditContext) -> ArchiveJob:
    if event is not None and event.agency_id != agency.pk:
        raise ArchiveError("archive.scope", _("Acara tidak termasuk instansi ini."))
    with transaction.atomic():
        job = ArchiveJob.objects.create(agency=agency, event=event, requested_by=context.actor)
        audit.record(action="audit.archive.requested", obj=job, agency=agency,
                     context=context, details={"event": event.pk if event else None})
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def retry_archive(*, job: ArchiveJob, context: AuditContext) -> ArchiveJob:
    """Run a failed or stalled (worker killed) job again from the start."""
    with transaction.atomic():
        job = ArchiveJob.objects.select_for_update().get(pk=job.pk)
        if job.status == ArchiveStatus.READY:
            raise ArchiveError("archive.ready", _("Arsip ini sudah siap diunduh."))
        if not job.can_retry:
            raise ArchiveError("archive.running", _("Arsip ini sedang dibuat."))
        job.status = ArchiveStatus.QUEUED
        job.error = ""
        job.save(update_fields=["status", "error"])
        audit.record(action="audit.archive.retried", obj=job, agency=job.agency,
                     context=context)
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _file_chunks(field: FieldFile, hasher: _Hash) -> Iterator[bytes]:
    with field.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            hasher.update(chunk)
            yield chunk


def _arcname(signature: Signature) -> str:
    unit = slugify(signature.employee.agency.short_name or signature.employee.agency.name)[:40]
    person = slugify(signature.employee.name)[:60] or "pegawai"
    return f"pakta/{signature.event_id}-{unit}/{person}-{signature.verification_code}.pdf"


def _partial_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "archives" / ".partial"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_zip(job: ArchiveJob, out: BinaryIO, context: AuditContext) -> None:
    signatures = archive_signatures(job)
    events = archive_events(job)
    moment = archive_manifest.content_time(job, signatures, events)
    with archive_manifest.ArchiveWriter(out, job=job, moment=moment) as contents:
        done = _add_documents(job, contents, signatures, events, context)
        # The newest anchor of the agency's audit chain travels with the archive.
        contents.finish(events=events, checkpoint=checkpoints.latest_checkpoint(
            checkpoints.chain_of_agency(job.agency)))
    ArchiveJob.objects.filter(pk=job.pk).update(done=done)


def _add_documents(job: ArchiveJob, contents: archive_manifest.ArchiveWriter,
                   signatures: QuerySet[Signature], events: QuerySet[SigningEvent],
                   context: AuditContext) -> int:
    """The pacts, the recaps and the spreadsheet manifest; returns the number of pacts."""
    manifest_rows: list[list[str]] = []
    done = 0
    for signature in signatures.iterator(chunk_size=200):
        signature = pacts.ensure_pdf(signature, context=context)
        hasher = hashlib.sha256()
        name = _arcname(signature)
        contents.add_pdf(name, b"".join(_file_chunks(signature.pdf, hasher)), kind="pact",
                         verification_code=signature.verification_code,
                         event=signature.event_id)
        employee = signature.employee
        manifest_rows.append([
            employee.display_name, employee.nip or "",
            "" if employee.nip else employee.masked_identity,
            employee.agency.name, signature.event.title,
            dates.local(signature.signed_at, signature.event.agency.timezone).isoformat(),
            signature.get_method_display(), signature.verification_code, name,
            hasher.hexdigest(),
        ])
        done += 1
        if done % PROGRESS_EVERY == 0:
            ArchiveJob.objects.filter(pk=job.pk).update(done=done, heartbeat_at=timezone.now())
    for event in events:
        issued = recaps.issue_recap(event=event, context=context)
        recap = issued.data
        name = f"rekap/rekap-{event.pk}-{slugify(event.title)[:60]}.pdf"
        contents.add_pdf(name, recap, kind="recap", event=event.pk)
        manifest_rows.append(["", "", "", event.agency.name, event.title, "", "Rekapitulasi",
                              issued.recap.verification_code, name,
                              hashlib.sha256(recap).hexdigest()])
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(MANIFEST_COLUMNS)
    writer.writerows(manifest_rows)
    # A BOM so spreadsheet programs read the names as UTF-8.
    contents.add("manifest.csv", ("\ufeff" + text.getvalue()).encode("utf-8"), kind="list")
    return done


def build_archive(*, job_id: int, context: AuditContext) -> ArchiveJob:
    with transaction.atomic():
        job = ArchiveJob.objects.select_for_update(of=("self",)).select_related(
            "agency", "event").get(
            pk=job_id)
        if job.status == ArchiveStatus.READY:
            return job
        if job.status == ArchiveStatus.RUNNING and not job.is_stalled:
            # Another worker is on it (a duplicate enqueue): do not write the same archive twice.
            return job
        job.status = ArchiveStatus.RUNNING
        job.attempts += 1
        job.started_at = job.heartbeat_at = timezone.now()
        job.done = 0
        job.total = archive_signatures(job).count()
        job.save(update_fields=["status", "attempts", "started_at", "heartbeat_at", "done",
                                "total"])
    # Leftovers of a killed attempt go first; each attempt writes a file of its own.
    for stale in _partial_dir().glob(f"job-{job.pk}-*.zip.part"):
        stale.unlink(missing_ok=True)
    partial = _partial_dir() / f"job-{job.pk}-{job.attempts}.zip.part"
    try:
        with open(partial, "wb") as out:
            _write_zip(job, out, context)
            out.flush()
            os.fsync(out.fileno())
        final_name = _store(job, partial)
    except Exception as exc:
        partial.unlink(missing_ok=True)
        ArchiveJob.objects.filter(pk=job.pk).update(
            status=ArchiveStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:300],
            finished_at=timezone.now())
        logger.exception("Archive job %s failed", job.pk)
        raise
    file_sha, size = _hash_file(job.file.storage, final_name)
    with transaction.atomic():
        job = ArchiveJob.objects.select_for_update().get(pk=job.pk)
        job.file.name = final_name
        job.file_sha256 = file_sha
        job.file_size = size
        job.status = ArchiveStatus.READY
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "file_sha256", "file_size", "status", "finished_at"])
        audit.record(action="audit.archive.built", obj=job, agency=job.agency, context=context,
                     details={"sha256": file_sha, "size": size, "signatures": job.total})
    return job


def _store(job: ArchiveJob, partial: Path) -> str:
    storage = job.file.storage
    scope = f"acara-{job.event_id}" if job.event_id else f"instansi-{job.agency_id}"
    wanted = job.file.field.generate_filename(job, f"arsip-{scope}-job{job.pk}.zip")
    try:
        target = Path(storage.path(wanted))
    except NotImplementedError:
        # Remote storage: upload the finished file; the name appears only when complete.
        with open(partial, "rb") as handle:
            name = storage.save(wanted, File(handle))
        partial.unlink(missing_ok=True)
        return name
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(partial, target)
    return wanted


def _hash_file(storage: Storage, name: str) -> tuple[str, int]:
    hasher = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            hasher.update(chunk)
            size += len(chunk)
    return hasher.hexdigest(), size


__all__ = ["ArchiveError", "build_archive", "request_archive", "retry_archive"]

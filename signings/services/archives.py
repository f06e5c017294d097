"""ZIP archives of signed PDFs for auditors, built by a background task.

The ZIP is written one PDF at a time into a temporary file in the worker's scratch directory
(PAKTA_SCRATCH_DIR; signings/archive_zip.py: same content, same bytes), then handed to the
storage in one piece: a rename on a local or shared directory, one upload to a bucket. Memory
stays flat however many PDFs, and a worker killed halfway leaves only a stray temporary file
that the next run on that machine removes, never a half-written archive offered for download
(the job is ready only once its file is stored). What makes it checkable offline (signed
manifest, certificates, verifier, README) is signings/archive_manifest.py.

A job's life: queued -> running (one numbered attempt, with a heartbeat) -> ready or failed. A
running job whose heartbeat stops (its worker died) is queued again by the sweep every worker
runs (requeue_stalled) or at once by the auditor's "Jalankan ulang" (retry_archive); an attempt
that finds the job queued again stops without writing (signings/services/heartbeat.py). Every
change of state is in the audit log.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from signings import archive_manifest, archive_metadata
from signings.errors import PaktaError
from signings.models import Agency, ArchiveJob, ArchiveStatus, Signature, SigningEvent
from signings.pdf import dates
from signings.services import audit, checkpoints, job_attempts, pacts, recaps
from signings.services.context import AuditContext
from signings.services.heartbeat import Heartbeat, Superseded

if TYPE_CHECKING:
    from hashlib import _Hash

    from django.db.models.fields.files import FieldFile

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
PROGRESS_SECONDS = 1.0
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


KIND = job_attempts.JobKind(model=ArchiveJob, task="build_archive",
                            requeued="audit.archive.requeued", failed="audit.archive.failed")


def _enqueue(job_id: int) -> None:
    KIND.enqueue(job_id)


def request_archive(*, agency: Agency, event: SigningEvent | None = None,
                    context: AuditContext) -> ArchiveJob:
    if event is not None and event.agency_id != agency.pk:
        raise ArchiveError("archive.scope", _("Acara tidak termasuk instansi ini."))
    with transaction.atomic():
        job = ArchiveJob.objects.create(agency=agency, event=event, requested_by=context.actor,
                                        heartbeat_at=timezone.now())
        audit.record(action="audit.archive.requested", obj=job, agency=agency,
                     context=context, details={"event": event.pk if event else None})
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def retry_archive(*, job: ArchiveJob, context: AuditContext) -> ArchiveJob:
    """Run a failed or stalled job again from the start: at once when its worker died (the
    heartbeat is older than PAKTA_JOB_STALL_SECONDS), or when no worker took it for ten minutes."""
    with transaction.atomic():
        job = ArchiveJob.objects.select_for_update().select_related("agency").get(pk=job.pk)
        if job.status == ArchiveStatus.READY:
            raise ArchiveError("archive.ready", _("Arsip ini sudah siap diunduh."))
        if not job.can_retry:
            raise ArchiveError("archive.running", _("Arsip ini sedang dibuat."))
        details = {"from": job.status, "attempt": job.attempts,
                   "last_heartbeat": job.last_sign_of_life}
        job.status = ArchiveStatus.QUEUED
        job.error = ""
        job.requeues = 0  # a person decided: the sweep may try again as often as at first
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["status", "error", "requeues", "heartbeat_at"])
        audit.record(action="audit.archive.retried", obj=job, agency=job.agency,
                     context=context, details=details)
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def requeue_stalled(*, context: AuditContext) -> list[int]:
    """The sweep's pass over archives (signings/services/job_attempts.requeue_stalled)."""
    return job_attempts.requeue_stalled(KIND, context=context)


def _file_chunks(field: FieldFile, hasher: _Hash) -> Iterator[bytes]:
    with field.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            hasher.update(chunk)
            yield chunk


def _arcname(signature: Signature) -> str:
    unit = slugify(signature.employee.agency.short_name or signature.employee.agency.name)[:40]
    person = slugify(signature.employee.name)[:60] or "pegawai"
    return f"pakta/{signature.event_id}-{unit}/{person}-{signature.verification_code}.pdf"


def scratch_dir() -> Path:
    """Local to this worker: the storage may be a bucket, and no other node reads it."""
    path = Path(settings.PAKTA_SCRATCH_DIR) / "archives"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_zip(job: ArchiveJob, out: BinaryIO, beat: Heartbeat,
               context: AuditContext) -> None:
    signatures = archive_signatures(job)
    events = archive_events(job)
    moment = archive_manifest.content_time(job, signatures, events)
    with archive_manifest.ArchiveWriter(out, job=job, moment=moment) as contents:
        done = _add_documents(job, contents, (signatures, events), beat, context)
        _add_metadata(job, contents, (signatures, events), moment)
        beat.check()
        # The newest anchor of the agency's audit chain travels with the archive.
        contents.finish(events=events, checkpoint=checkpoints.latest_checkpoint(
            checkpoints.chain_of_agency(job.agency)))
    beat.progress(done=done)


def _add_metadata(job: ArchiveJob, contents: archive_manifest.ArchiveWriter,
                  scope: tuple[QuerySet[Signature], QuerySet[SigningEvent]],
                  moment: datetime.datetime | None) -> None:
    """ANRI metadata, as CSV and XLSX; listed in the manifest like every other file."""
    signatures, events = scope
    pacts = dict(signatures.order_by().values("event").annotate(n=Count("pk"))
                 .values_list("event", "n"))
    table = archive_metadata.rows(agency=job.agency, events=events, pacts_per_event=pacts)
    contents.add("metadata-arsip.csv", archive_metadata.as_csv(table), kind="metadata")
    contents.add("metadata-arsip.xlsx", archive_metadata.as_xlsx(table, moment=moment),
                 kind="metadata")


def _add_documents(job: ArchiveJob, contents: archive_manifest.ArchiveWriter,
                   scope: tuple[QuerySet[Signature], QuerySet[SigningEvent]], beat: Heartbeat,
                   context: AuditContext) -> int:
    """The pacts, the recaps and the spreadsheet manifest; returns the number of pacts."""
    signatures, events = scope
    manifest_rows: list[list[str]] = []
    done = 0
    shown = time.monotonic()
    for signature in signatures.iterator(chunk_size=200):
        beat.check()
        signature = pacts.ensure_pdf(signature, context=context)
        if not signature.pdf:
            # BSrE's seal is awaited: an archive never carries an unsealed pact.
            raise ArchiveError("archive.seal_awaiting", _(
                "Pakta %(name)s masih menunggu segel BSrE: buat arsip lagi setelah tersegel.")
                % {"name": signature.employee.display_name})
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
        if time.monotonic() - shown >= PROGRESS_SECONDS:
            # At most one write a second, however fast the pacts go.
            beat.progress(done=done)
            shown = time.monotonic()
    for event in events:
        beat.check()
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


def _start(job_id: int, context: AuditContext) -> ArchiveJob | None:
    """Take the queued job for a new attempt; None when there is nothing to do (already built,
    a duplicate task while another attempt runs, failed and waiting for a person)."""
    with transaction.atomic():
        job = ArchiveJob.objects.select_for_update(of=("self",)).select_related(
            "agency", "event").get(pk=job_id)
        if job.status != ArchiveStatus.QUEUED:
            return None
        changed = job_attempts.begin_attempt(KIND, job)
        job.done = 0
        job.total = archive_signatures(job).count()
        job.save(update_fields=[*changed, "done", "total"])
        audit.record(action="audit.archive.started", obj=job, agency=job.agency,
                     context=context, details={"attempt": job.attempts, "signatures": job.total,
                                               "worker": job_attempts.worker_name()})
    return job


def build_archive(*, job_id: int, context: AuditContext) -> ArchiveJob:
    job = _start(job_id, context)
    if job is None:
        return ArchiveJob.objects.get(pk=job_id)
    attempt = job.attempts
    # Leftovers of earlier, killed attempts go first; each attempt writes a file of its own.
    for stale in scratch_dir().glob(f"job-{job.pk}-*.zip.part"):
        if stale.name != f"job-{job.pk}-{attempt}.zip.part":
            stale.unlink(missing_ok=True)
    partial = scratch_dir() / f"job-{job.pk}-{attempt}.zip.part"
    try:
        with Heartbeat(ArchiveJob, job.pk, attempt=attempt,
                       running=ArchiveStatus.RUNNING) as beat:
            with open(partial, "wb") as out:
                _write_zip(job, out, beat, context)
                out.flush()
                os.fsync(out.fileno())
            finished = _finish(job, attempt, partial, context)
        partial.unlink(missing_ok=True)  # a bucket got a copy; a directory storage moved it
        return finished
    except Superseded:
        partial.unlink(missing_ok=True)
        logger.warning("Archive job %s: attempt %s was superseded by a newer one; dropped.",
                       job.pk, attempt)
        return ArchiveJob.objects.get(pk=job.pk)
    except Exception as exc:
        partial.unlink(missing_ok=True)
        job_attempts.fail_attempt(KIND, job, attempt, exc, context)
        logger.exception("Archive job %s failed", job.pk)
        raise


def _finish(job: ArchiveJob, attempt: int, partial: Path, context: AuditContext) -> ArchiveJob:
    """Put the file in place and mark the job ready, if this attempt still owns the job: the
    check and the rename happen under the row's lock, so a newer attempt's file is never
    replaced by an older one's."""
    with open(partial, "rb") as handle:
        file_sha, size = _hash_stream(handle)
    with transaction.atomic():
        job = ArchiveJob.objects.select_for_update(of=("self",)).select_related("agency").get(
            pk=job.pk)
        if job.attempts != attempt or job.status != ArchiveStatus.RUNNING:
            raise Superseded(f"ArchiveJob {job.pk}: attempt {attempt}")
        with open(partial, "rb") as handle:
            job.file.name = _store(job, partial, handle)
        job.file_sha256 = file_sha
        job.file_size = size
        job.status = ArchiveStatus.READY
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "file_sha256", "file_size", "status", "finished_at"])
        audit.record(action="audit.archive.built", obj=job, agency=job.agency, context=context,
                     details={"sha256": file_sha, "size": size, "signatures": job.total,
                              "attempt": job.attempts})
    return job


class _BuiltFile(File):
    """The finished ZIP as the storage sees it. A file system storage moves it into place
    (temporary_file_path, as for a large upload) instead of copying it; any other storage
    reads it once, from the start."""

    def __init__(self, handle: BinaryIO, path: Path) -> None:
        super().__init__(handle, name=path.name)
        self._path = path

    def temporary_file_path(self) -> str:
        return str(self._path)


def _store(job: ArchiveJob, partial: Path, handle: BinaryIO) -> str:
    scope = f"acara-{job.event_id}" if job.event_id else f"instansi-{job.agency_id}"
    wanted = job.file.field.generate_filename(job, f"arsip-{scope}-job{job.pk}.zip")
    handle.seek(0)
    # Offered for download only once stored whole: the job turns ready after this. A name
    # already taken (a killed attempt's file) gets another one from the storage.
    return job.file.storage.save(wanted, _BuiltFile(handle, partial))


def _hash_stream(handle: BinaryIO) -> tuple[str, int]:
    hasher = hashlib.sha256()
    size = 0
    while chunk := handle.read(CHUNK):
        hasher.update(chunk)
        size += len(chunk)
    return hasher.hexdigest(), size


__all__ = ["ArchiveError", "build_archive", "request_archive", "requeue_stalled",
           "retry_archive"]

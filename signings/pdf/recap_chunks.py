"""A recap of thousands of signatories: rendered in chunks in worker processes, merged into one
PDF, numbered across the whole document, then sealed once by the caller.

WeasyPrint needs about 10 ms of CPU per recap row and keeps the whole laid-out document in
memory: one pass over 10,000 rows takes minutes and gigabytes. Here the parent streams the
signatures from the database a chunk at a time and renders each chunk's HTML, a pool of
processes turns the HTML into PDF files (each process replaced after a few chunks, so its
memory stays flat), and pypdf puts the pages together. The chunks leave out the page numbers:
"Halaman i dari n" needs n, known only at the end, so it comes from a one-off WeasyPrint
document of n pages carrying just those margin boxes (the same rule, font and position as a
single-pass recap), laid over every page. Each chunk starts on a new page; the last page of a
chunk may be short.
"""

from __future__ import annotations

import math
import multiprocessing
import tempfile
import threading
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from pypdf import PdfReader, PdfWriter

from signings.models import Signature, SigningEvent
from signings.pdf import chunk_worker, engine
from signings.pdf import recap as recap_pdf
from signings.readmodels.event_record import EventRecord, event_record, signatures_for

STAMP_CSS = ("@page { @bottom-left { content: none } } "
             ".stamp-page + .stamp-page { break-before: page }")

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


@dataclass
class ChunkStats:
    """What a chunked render cost: for bench/pdf_throughput.py and the log."""

    rows: int = 0
    chunks: int = 0
    pages: int = 0
    child_peak_rss_kb: list[int] = field(default_factory=list)
    child_cpu_seconds: float = 0.0


def signed_count(event: SigningEvent) -> int:
    return Signature.objects.filter(event=event, voided_at__isnull=True).count()


def should_chunk(event: SigningEvent) -> bool:
    return (settings.PAKTA_RECAP_PROCESSES > 0
            and signed_count(event) > settings.PAKTA_RECAP_CHUNK_ROWS)


def _executor() -> ProcessPoolExecutor:
    """One pool per process, started on first use. forkserver: the workers are forked from a
    clean single-threaded server, never from a web or task process with threads and open
    database connections."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=settings.PAKTA_RECAP_PROCESSES,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=chunk_worker.init_worker,
                max_tasks_per_child=settings.PAKTA_RECAP_TASKS_PER_CHILD,
            )
        return _pool


def shutdown_pool() -> None:
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None


def _chunk_html(event: SigningEvent, evidence: recap_pdf.RecapEvidence | None,
                record: EventRecord, part: recap_pdf.RecapPart) -> str:
    context = recap_pdf.recap_context(event, evidence, record=record, part=part)
    with translation.override("id"):
        return render_to_string("pdf/recap.html", context)


def _stamp(path: Path, pages: int) -> None:
    """n pages carrying only "Halaman i dari n", from recap.css's own margin rule."""
    html = ('<!doctype html><html lang="id"><head><meta charset="utf-8"></head><body>'
            + '<div class="stamp-page"></div>' * pages + "</body></html>")
    rendered = engine.render_pdf_file(html, str(path), stylesheet="recap", extra_css=STAMP_CSS)
    if rendered != pages:
        raise RuntimeError(f"Page-number stamp has {rendered} pages for {pages}.")


def _merge(chunk_paths: list[Path], stamp_path: Path, out_path: Path) -> None:
    """The chunks' pages in order, each with its page number laid over it; the stamp's font,
    referenced from every page, is written once."""
    stamp = PdfReader(stamp_path)
    writer = PdfWriter()
    number = 0
    for index, path in enumerate(chunk_paths):
        reader = PdfReader(path)
        if index == 0 and reader.metadata:
            writer.add_metadata(dict(reader.metadata))
        for page in reader.pages:
            added = writer.add_page(page)
            added.merge_page(stamp.pages[number])
            added.compress_content_streams()  # pypdf leaves the merged stream uncompressed
            number += 1
    # What the chunks share byte for byte (an image signed twice, identical font or colour
    # objects) is written once; the chunks' font subsets differ and stay one per chunk.
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    with open(out_path, "wb") as handle:
        writer.write(handle)


def render_chunked(event: SigningEvent, *, evidence: recap_pdf.RecapEvidence | None = None,
                   stats: ChunkStats | None = None) -> bytes:
    """The unsealed recap, as render_recap would print it in one pass (but for short pages at
    the chunk boundaries)."""
    stats = stats if stats is not None else ChunkStats()
    record = event_record(event, with_signed=False)
    signed = signatures_for(event).filter(voided_at__isnull=True)
    # The order and the rows fixed once (ten thousand integers): a signature arriving while an
    # open event's recap renders cannot shift the chunks or push the attestation off the end.
    ids = list(signed.values_list("pk", flat=True))
    total = len(ids)
    # Chunks of equal size, none larger than PAKTA_RECAP_CHUNK_ROWS and none empty.
    size = max(1, math.ceil(total / max(1, math.ceil(total / settings.PAKTA_RECAP_CHUNK_ROWS))))
    chunks = max(1, math.ceil(total / size))
    tz_name = event.agency.timezone
    witnessed = event.template_version.witness_required
    scratch = Path(settings.PAKTA_SCRATCH_DIR)
    scratch.mkdir(parents=True, exist_ok=True)
    pool = _executor()
    with tempfile.TemporaryDirectory(prefix="recap-", dir=scratch) as work:
        paths: list[Path] = []
        pending: deque[Future] = deque()
        pages = 0

        def collect(future: Future) -> None:
            nonlocal pages
            chunk_pages, peak, cpu = future.result()
            pages += chunk_pages
            stats.child_peak_rss_kb.append(peak)
            stats.child_cpu_seconds += cpu

        for index in range(chunks):
            chunk_ids = ids[index * size:(index + 1) * size]
            found = signed.in_bulk(chunk_ids)
            rows = [recap_pdf.recap_row(found[pk], tz_name, witnessed=witnessed)
                    for pk in chunk_ids if pk in found]
            html = _chunk_html(event, evidence, record, recap_pdf.RecapPart(
                rows=rows, row_offset=index * size, head=index == 0, tail=index == chunks - 1))
            del rows
            path = Path(work, f"chunk-{index:05d}.pdf")
            paths.append(path)
            # A few chunks in flight, not all of them: the parent holds at most that much HTML.
            while len(pending) > settings.PAKTA_RECAP_PROCESSES:
                collect(pending.popleft())
            pending.append(pool.submit(chunk_worker.render_chunk, html, str(path)))
            del html
        while pending:
            collect(pending.popleft())
        stamp_path = Path(work, "stamp.pdf")
        _stamp(stamp_path, pages)
        out_path = Path(work, "recap.pdf")
        _merge(paths, stamp_path, out_path)
        stats.rows, stats.chunks, stats.pages = total, len(paths), pages
        return out_path.read_bytes()

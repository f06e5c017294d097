"""What a recap worker process runs (signings/pdf/recap_chunks.py). Imports no models: the pool
unpickles these functions by name before Django is set up in the new process."""

from __future__ import annotations

import resource
import time

from signings.pdf import engine

# The chunks carry no page numbers; the stamp document carries nothing else.
CHUNK_CSS = "@page { @bottom-right { content: none } }"


def init_worker() -> None:
    import django

    django.setup()
    engine.stylesheets("recap")  # fonts and stylesheets parsed once per worker
    engine.extra_stylesheet(CHUNK_CSS)


def render_chunk(html: str, path: str) -> tuple[int, int, float]:
    """One chunk to a PDF file: its page count, this worker's peak RSS (KiB) and the CPU
    seconds the chunk took."""
    start = time.process_time()
    pages = engine.render_pdf_file(html, path, stylesheet="recap", extra_css=CHUNK_CSS)
    return (pages, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            time.process_time() - start)

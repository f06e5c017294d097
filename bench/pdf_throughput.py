"""Benchmark PDF throughput (issue 12 item 7): one pact against a bare-WeasyPrint floor, the
seal, and recaps of many signatories in one pass and in chunks over worker processes.

Run by hand, never from the tests:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pakta_bench \\
        .venv/bin/python bench/pdf_throughput.py [--runs 10] [--recap-rows 1000]
        [--big-recap 10000] [--no-single]

It creates a throw-away test database (test_<name>), a temporary MEDIA_ROOT, CA and TSA, and
removes them. Times are CPU time of this process (median of --runs) unless marked wall; the
machine's load average is printed with them, since other work shares its cores.

The floor is the pact's own words and images in a bare WeasyPrint document: the rendered
HTML with every class attribute and the running footer removed, styled by nothing but the
fonts, the A4 page and a page break before the evidence record (two pages, like the pact),
rendered with a shared FontConfiguration and pre-parsed stylesheets, i.e. the least any
application pays WeasyPrint to print this text.

Each recap is measured in a child process of its own (forked, so its peak RSS is its own):
wall and CPU time, peak RSS of that process and of each chunk worker, pages, file size.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def load() -> str:
    return "load average " + " ".join(f"{value:.1f}" for value in os.getloadavg())


def cpu_ms(function, runs: int) -> float:
    function()
    times = []
    for _ in range(runs):
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return statistics.median(times) * 1000


def floor_html(html: str) -> str:
    plain = re.sub(r"<footer>.*?</footer>", "", html, flags=re.S)
    plain = re.sub(r' class="[^"]*"', "", plain)
    return plain.replace("<section>", '<section style="break-before: page">')


FLOOR_CSS = ('@page { size: A4; margin: 14mm 20mm 28mm 22mm } '
             'html { font-family: "Pakta Serif"; font-size: 10pt } img { height: 20mm }')


def pact_figures(runs: int, tsa_url: str) -> None:
    import io

    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation
    from pypdf import PdfReader
    from weasyprint import CSS, HTML

    from bench.pact_pages import make_signatures
    from signings.models import Signature
    from signings.pdf import engine, seal
    from signings.pdf.pact import pact_context, render_pact

    made = make_signatures()
    signature = Signature.objects.select_related(
        "event__agency", "event__template_version", "employee__agency").get(
        pk=made["Pemilu tablet"].pk)
    with translation.override("id"):
        html = render_to_string("pdf/pact.html", pact_context(signature))
    font_config, fetcher = engine._shared()
    sheets = [engine.stylesheets("pact")[0], CSS(string=FLOOR_CSS, font_config=font_config)]
    plain = floor_html(html)

    def floor() -> bytes:
        return HTML(string=plain, base_url=engine.STATIC_ORIGIN, url_fetcher=fetcher).write_pdf(
            stylesheets=sheets, font_config=font_config)

    unsealed = render_pact(signature)
    pages = (len(PdfReader(io.BytesIO(floor())).pages), len(PdfReader(io.BytesIO(unsealed)).pages))
    floor_ms = cpu_ms(floor, runs)
    render_ms = cpu_ms(lambda: render_pact(signature), runs)
    engine_ms = cpu_ms(lambda: engine.render_pdf(html, stylesheet="pact"), runs)
    settings.PAKTA_TSA_URL = ""
    bb_ms = cpu_ms(lambda: seal.seal_pdf(unsealed, reason="bench", location="Sampit"), runs)
    settings.PAKTA_TSA_URL = tsa_url
    lta_ms = cpu_ms(lambda: seal.seal_pdf(unsealed, reason="bench", location="Sampit"), runs)
    print(f"Pact ({load()}), CPU ms, median of {runs}; pages floor/pact {pages}")
    print(f"  floor (bare WeasyPrint, same words)   {floor_ms:7.1f}")
    print(f"  pact: WeasyPrint on our HTML only     {engine_ms:7.1f}")
    print(f"  pact: render_pact (queries, template) {render_ms:7.1f}")
    print(f"  seal PAdES B-B                        {bb_ms:7.1f}")
    print(f"  seal PAdES B-LTA (local TSA in-proc)  {lta_ms:7.1f}")
    print(f"  render + B-B seal / floor             {(render_ms + bb_ms) / floor_ms:7.2f}x")


def copy_of(instance):
    """A new, unsaved row with the same field values."""
    fields = {field.attname: getattr(instance, field.attname)
              for field in type(instance)._meta.concrete_fields if not field.primary_key}
    return type(instance)(**fields)


def make_recap_event(rows: int):
    """An event with `rows` signatures: 100 through the real service (with the thumbnails the
    worker makes), the rest cloned from them in bulk (same images; new people, NIPs, codes and
    submission ids)."""
    import uuid

    from django.contrib.auth import get_user_model

    from bench.pdf_render import make_data
    from signings import tasks
    from signings.models import Agency, Employee, Signature
    from signings.models.signature import new_verification_code
    from tests import factories

    # make_data's agency and users, made again for each event (the pact figures made them once).
    suffix = uuid.uuid4().hex[:6]
    Agency.objects.filter(code="KOTIM").update(code=f"KOTIM-{suffix}")
    for user in get_user_model().objects.filter(username__in=["bench.hr", "bench.auditor"]):
        user.username = f"{user.username}.{suffix}"
        user.save(update_fields=["username"])
    event, _auditor = make_data(min(rows, 100))
    base = list(Signature.objects.filter(event=event).select_related("employee__agency"))
    for signature in base:  # made at signing time by the worker; the recap prints them
        tasks._make_thumbnail(signature.pk)
    base = list(Signature.objects.filter(event=event).select_related("employee__agency"))
    taken = set(Employee.objects.values_list("nip", flat=True))
    seq = 0
    for start in range(len(base), rows, 1000):
        people, clones = [], []
        for index in range(start, min(rows, start + 1000)):
            source = base[index % len(base)]
            while (nip := factories.pns_nip(seq % 999 + 1, birth=f"19{70 + seq // 999 % 17}"
                                            f"{1 + seq // 999 % 12:02d}15")) in taken:
                seq += 1
            taken.add(nip)
            person = copy_of(source.employee)
            person.nip, person.name = nip, f"Pegawai Uji {index:05d}"
            people.append(person)
            clone = copy_of(source)
            clone.submission_id = uuid.uuid4()
            clone.verification_code = new_verification_code()
            clones.append(clone)
        for person, clone in zip(Employee.objects.bulk_create(people), clones, strict=True):
            clone.employee = person
        Signature.objects.bulk_create(clones)
    return event


def _recap_child(event_id: int, chunked: bool, repeats: int, queue) -> None:
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    from signings.models import SigningEvent
    from signings.pdf.recap import render_recap

    try:
        from signings.pdf import recap_chunks
    except ImportError:
        recap_chunks = None

    event = SigningEvent.objects.select_related("agency", "template_version").get(pk=event_id)
    if not chunked:
        settings.PAKTA_RECAP_PROCESSES = 0
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    results = []
    for _ in range(repeats):
        stats = recap_chunks.ChunkStats() if recap_chunks else None
        wall, cpu = time.perf_counter(), time.process_time()
        if chunked and recap_chunks:
            data = recap_chunks.render_chunked(event, stats=stats)
        else:
            data = render_recap(event)
        results.append((time.perf_counter() - wall, time.process_time() - cpu, len(data),
                        stats.pages if stats else 0, stats.chunks if stats else 0,
                        max(stats.child_peak_rss_kb, default=0) if stats else 0,
                        stats.child_cpu_seconds if stats else 0.0))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    if recap_chunks:
        recap_chunks.shutdown_pool()
    queue.put((results, start_rss, peak))


def recap_figures(event_id: int, rows: int, *, chunked: bool, repeats: int) -> None:
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_recap_child, args=(event_id, chunked, repeats, queue))
    child.start()
    results, start_rss, peak = queue.get()
    child.join()
    label = "chunked" if chunked else "one pass"
    print(f"Recap of {rows} signatories, {label} ({load()}); process RSS {start_rss} MB at "
          f"start, peak {peak} MB")
    for number, (wall, cpu, size, pages, chunks, child_peak, child_cpu) in enumerate(
            results, start=1):
        extra = (f", {chunks} chunks, {pages} pages, worker peak RSS {child_peak // 1024} MB, "
                 f"workers' CPU {child_cpu:.1f} s" if chunked else "")
        print(f"  run {number}: wall {wall:.1f} s, CPU (this process) {cpu:.1f} s, "
              f"{size / 1024:.0f} KiB{extra}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--recap-rows", type=int, default=1000)
    parser.add_argument("--big-recap", type=int, default=0, help="e.g. 10000: chunked only")
    parser.add_argument("--no-single", action="store_true", help="skip the one-pass recap")
    parser.add_argument("--no-pact", action="store_true")
    parser.add_argument("--repeats", type=int, default=2,
                        help="chunked renders per process (the first starts the pool)")
    args = parser.parse_args()

    from bench.seal_lta import sealing_environment

    with sealing_environment("pakta-bench-throughput-") as (work, base_url):
        from django.conf import settings

        from signings.pdf import pki

        try:
            from signings.pdf import recap_chunks
        except ImportError:  # the code before chunking, for the "before" figures
            recap_chunks = None
        settings.PAKTA_SCRATCH_DIR = work / "scratch"
        tsa_url = base_url + pki.TSA_PATH
        if not args.no_pact:
            pact_figures(args.runs, tsa_url)
        chunking = recap_chunks is not None
        for rows, single in ((args.recap_rows, not args.no_single), (args.big_recap, False)):
            if not rows:
                continue
            start = time.perf_counter()
            event = make_recap_event(rows)
            print(f"({rows} signatures made in {time.perf_counter() - start:.0f} s)")
            if single:
                recap_figures(event.pk, rows, chunked=False, repeats=1)
            if chunking:
                recap_figures(event.pk, rows, chunked=True, repeats=args.repeats)


if __name__ == "__main__":
    main()

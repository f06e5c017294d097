"""Benchmark PDF work: one pact, an archive of N signatures (time and peak memory), a recap.

Run by hand, never from the tests:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pakta_bench \\
        .venv/bin/python bench/pdf_render.py [--signatures 1000] [--runs 30]

It creates a throw-away test database (test_<name>) and a temporary MEDIA_ROOT, and removes both.
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def make_data(n: int):
    from django.contrib.auth import get_user_model

    from signings.models import Agency, AgencyKind, Echelon, Role
    from signings.services import events, signatures
    from signings.services.context import AuditContext
    from signings.services.events import NewEvent
    from signings.services.signatures import Submission
    from tests import factories

    agency = Agency.objects.create(code="KOTIM", name="Pemerintah Kabupaten Kotawaringin Timur",
                                   kind=AgencyKind.REGENCY, city="Sampit",
                                   address="Jl. Jend. Sudirman Km 5,5 Sampit")
    units = [Agency.objects.create(code=f"OPD{i}", name=f"Dinas Nomor {i}",
                                   kind=AgencyKind.DEPARTMENT, city="Sampit", parent=agency)
             for i in range(10)]
    officer = factories.user("bench.hr", role=Role.HR_OFFICER, agency=agency)
    auditor = factories.user("bench.auditor", role=Role.AUDITOR, agency=agency)
    people = []
    for i in range(n):
        echelon = Echelon.III if i % 50 == 0 else Echelon.IV if i % 10 == 0 else Echelon.NONE
        people.append(factories.employee(units[i % 10], name=f"Pegawai Uji {i:04d}",
                                         echelon=echelon))
    version = factories.template_version(agency)
    event = events.create_event(
        agency=agency,
        details=NewEvent(
            template_version=version,
            title="Apel Akbar",
            date=datetime.date(2024, 1, 17),
            venue="Stadion",
            witnesses=["Ketua DPRD"],
        ),
        context=AuditContext.for_user(officer),
    )
    event = events.open_event(event=event, context=AuditContext.for_user(officer))
    png_variants = [factories.signature_png(560 + 8 * k, 190) for k in range(8)]
    for i, person in enumerate(people):
        signatures.record_signature(
            event=event,
            employee=person,
            submission=Submission(method="officer", image_png=png_variants[i % 8],
                                  template_hash=version.content_hash),
            context=AuditContext.for_user(officer),
        )
    del get_user_model
    return event, auditor


def _archive_child(job_id: int, queue, with_recap: bool) -> None:
    from django.db import connections

    connections.close_all()
    from signings.models import SigningEvent
    from signings.services import archives
    from signings.services.context import AuditContext

    if not with_recap:
        # Isolate the streaming of the PDFs from the (memory-hungry) recap rendering.
        archives.archive_events = lambda job: SigningEvent.objects.none()

    before = current_rss_mb()
    start = time.perf_counter()
    job = archives.build_archive(job_id=job_id, context=AuditContext.system("task:archive"))
    elapsed = time.perf_counter() - start
    queue.put((elapsed, before, rss_mb(), job.file_size, job.total))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--signatures", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()
    media = tempfile.mkdtemp(prefix="pakta-bench-")
    settings.MEDIA_ROOT = media
    settings.PAKTA_SEAL_PKCS12 = str(Path(media) / "seal.p12")
    settings.PAKTA_DEV_PKI_DIR = str(Path(media) / "pki")  # not the repository's var/pki

    from django.db import connection, connections

    from signings.models import Signature
    from signings.pdf import seal
    from signings.pdf.pact import render_pact
    from signings.pdf.recap import render_recap
    from signings.services import archives, pacts
    from signings.services.context import AuditContext

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"Creating {args.signatures} employees and signatures…", flush=True)
        start = time.perf_counter()
        event, auditor = make_data(args.signatures)
        print(f"  data: {time.perf_counter() - start:.1f} s")

        first = Signature.objects.select_related(
            "event__agency", "event__template_version", "employee__agency").first()
        render_pact(first)  # warm: fonts and stylesheets loaded once per process
        seal.get_signer()
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            render_pact(first)
            times.append(time.perf_counter() - t)
        sealed_times = []
        unsealed = render_pact(first)
        for _ in range(args.runs):
            t = time.perf_counter()
            seal.seal_pdf(unsealed, reason="bench", location="Sampit")
            sealed_times.append(time.perf_counter() - t)
        print(f"One pact, render only: median {statistics.median(times) * 1000:.1f} ms "
              f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, n={args.runs})")
        print(f"One pact, PAdES seal:  median {statistics.median(sealed_times) * 1000:.1f} ms")

        start = time.perf_counter()
        for pk in Signature.objects.values_list("pk", flat=True):
            pacts.render_and_store(signature_id=pk, context=AuditContext.system("task:pdf"))
        elapsed = time.perf_counter() - start
        print(f"Render+seal+store all {args.signatures} pacts: {elapsed:.1f} s "
              f"({elapsed * 1000 / args.signatures:.1f} ms each)")
        sizes = [s.pdf.size for s in Signature.objects.all()[:50]]
        print(f"  pact file size: median {statistics.median(sizes) / 1024:.0f} KiB")

        start = time.perf_counter()
        recap = render_recap(event)
        print(f"Recap of {args.signatures} signatories: {time.perf_counter() - start:.1f} s, "
              f"{len(recap) / 1024:.0f} KiB, peak RSS so far {rss_mb():.0f} MB")

        for with_recap in (False, True):
            job = archives.ArchiveJob.objects.create(agency=event.agency, event=event,
                                                     requested_by=auditor)
            connections.close_all()
            ctx = multiprocessing.get_context("fork")
            queue = ctx.Queue()
            child = ctx.Process(target=_archive_child, args=(job.pk, queue, with_recap))
            child.start()
            elapsed, before, peak, size, total = queue.get()
            child.join()
            label = "PDFs + recap + manifest" if with_recap else "PDFs + manifest only"
            print(f"Archive of {total} signatures ({label}): {elapsed:.1f} s, "
                  f"{size / 1024 / 1024:.1f} MiB ZIP; worker RSS {before:.0f} MB at start, "
                  f"peak {peak:.0f} MB (+{peak - before:.0f} MB)")
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        import shutil
        shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Benchmark what the long-term seal costs per pact: PAdES B-B (no TSA) against B-LTA (signature
timestamp, validation data, document timestamp from the local RFC 3161 responder over HTTP).

Run by hand, never from the tests:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pakta_bench \\
        .venv/bin/python bench/seal_lta.py [--runs 30]

It creates a throw-away test database (test_<name>), a temporary MEDIA_ROOT, CA and TSA, and
removes them. A real TSA adds its network round trips (two per pact) to the B-LTA time.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def timed(function, runs: int, clock=time.perf_counter) -> tuple[list[float], object]:
    """`runs` calls of `function`: each one's time on `clock` (wall by default), the last result."""
    times, result = [], None
    for _ in range(runs):
        start = clock()
        result = function()
        times.append(clock() - start)
    return times, result


def ms(times: list[float]) -> str:
    return (f"median {statistics.median(times) * 1000:.1f} ms "
            f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, n={len(times)})")


@contextlib.contextmanager
def sealing_environment(prefix: str):
    """Django set up with a temporary MEDIA_ROOT, seal key, CA, local TSA (over HTTP, on a free
    port) and a throw-away test database; yields (work directory, TSA base URL)."""
    import django
    from django.conf import settings

    django.setup()
    work = Path(tempfile.mkdtemp(prefix=prefix))
    settings.MEDIA_ROOT = str(work / "media")
    settings.PAKTA_SEAL_PKCS12 = str(work / "seal.p12")
    settings.PAKTA_DEV_PKI_DIR = str(work / "pki")

    from django.db import connection, connections

    from signings.pdf import pki, tsa_server

    sock = tsa_server.free_socket()
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings.PAKTA_DEV_TSA_BASE_URL = base_url
    stop = tsa_server.serve_in_thread(pki.ensure_dev_pki(work / "pki", base_url=base_url), sock)
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield work, base_url
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        stop()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    from django.conf import settings

    with sealing_environment("pakta-bench-seal-") as (_work, base_url):
        from bench.pdf_render import make_data
        from signings.models import Signature
        from signings.pdf import pki, seal
        from signings.pdf.pact import render_pact

        make_data(1)
        signature = Signature.objects.select_related(
            "event__agency", "event__template_version", "employee__agency").first()
        unsealed = render_pact(signature)
        seal.get_signer()

        def make(tsa_url: str):
            settings.PAKTA_TSA_URL = tsa_url
            seal.seal_pdf(unsealed, reason="bench", location="Sampit")  # warm
            return timed(lambda: seal.seal_pdf(unsealed, reason="bench", location="Sampit"),
                         args.runs)

        bb_times, bb = make("")
        lta_times, lta = make(base_url + pki.TSA_PATH)
        bb_check, _ = timed(lambda: seal.check_seal(bb), args.runs)
        lta_check, result = timed(lambda: seal.check_seal(lta), args.runs)
        assert result.valid and result.timestamped

        print(f"Unsealed pact: {len(unsealed) / 1024:.1f} KiB")
        print(f"Seal B-B  (no TSA):         {ms(bb_times)}, file {len(bb) / 1024:.1f} KiB")
        print(f"Seal B-LTA (local TSA/HTTP): {ms(lta_times)}, file {len(lta) / 1024:.1f} KiB")
        added_ms = (statistics.median(lta_times) - statistics.median(bb_times)) * 1000
        print(f"B-LTA adds per pact: {added_ms:.1f} ms and {(len(lta) - len(bb)) / 1024:.1f} KiB")
        print(f"Upload check (/v/), B-B:   {ms(bb_check)}")
        print(f"Upload check (/v/), B-LTA: {ms(lta_check)}")


if __name__ == "__main__":
    main()

"""Benchmark the BSrE seal per pact against the stand-in Esign Client Service
(tests/bsre_server.py): the whole call (seal code, HTTP, base64 both ways, the stand-in's
signature, our read-back check) and the read-back check alone, beside the local B-LTA seal.

Run by hand, never from the tests:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pakta_bench \\
        .venv/bin/python bench/bsre_seal.py [--runs 30]

The stand-in signs locally: the real service adds its network and its own signing time (a
public report measured about 0.9 s per sign call), which the retry queue absorbs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.seal_lta import ms, sealing_environment, timed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    from django.conf import settings

    with sealing_environment("pakta-bench-bsre-") as (work, base_url):
        from bench.pdf_render import make_data
        from signings.models import Signature
        from signings.pdf import bsre_seal, pki, seal, tsa_server
        from signings.pdf.pact import render_pact
        from tests import bsre_server

        make_data(1)
        signature = Signature.objects.select_related(
            "event__agency", "event__template_version", "employee__agency").first()
        unsealed = render_pact(signature)
        sock = tsa_server.free_socket()
        fake = bsre_server.FakeBsre(pki=pki.DevPki(work / "pki"), directory=work)
        fake.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        stop = bsre_server.serve_in_thread(fake, sock)
        try:
            settings.PAKTA_BSRE_URL, settings.PAKTA_BSRE_USER = fake.url, bsre_server.USER
            settings.PAKTA_BSRE_PASSWORD = bsre_server.PASSWORD
            settings.PAKTA_BSRE_SEAL_ID = bsre_server.SEAL_ID
            settings.PAKTA_BSRE_SEAL_TOTP = bsre_server.SEAL_ACTIVATION

            def bsre() -> bytes:
                return bsre_seal.seal_pdf(unsealed, reason="bench", location="Sampit").pdf

            bsre()  # warm: the seal code, the connection
            bsre_times, sealed = timed(bsre, args.runs)
            check_times, _ = timed(lambda: bsre_seal.added_signature(unsealed, sealed),
                                   args.runs)
            settings.PAKTA_TSA_URL = base_url + pki.TSA_PATH
            seal.seal_pdf(unsealed, reason="bench", location="Sampit")
            local_times, _ = timed(
                lambda: seal.seal_pdf(unsealed, reason="bench", location="Sampit"), args.runs)
        finally:
            stop()
        print(f"Unsealed pact: {len(unsealed) / 1024:.1f} KiB")
        print(f"BSrE seal via the stand-in (whole call): {ms(bsre_times)}, "
              f"file {len(sealed) / 1024:.1f} KiB")
        print(f"  of which our read-back check:          {ms(check_times)}")
        print(f"Local seal B-LTA (local TSA):            {ms(local_times)}")


if __name__ == "__main__":
    main()

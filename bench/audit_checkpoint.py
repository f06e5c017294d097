"""Benchmark the audit checkpoints: making one (sign + timestamp + store + audit entry),
checking one from storage (signature and timestamp), and verifying a whole chain against it.

Run by hand, never from the tests:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pakta_bench \\
        .venv/bin/python bench/audit_checkpoint.py [--runs 20] [--entries 100000]

It creates a throw-away test database (test_<name>), a temporary MEDIA_ROOT, CA and local TSA,
and removes them. A real TSA adds its network round trip (one per checkpoint).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

from bench.seal_lta import ms, sealing_environment, timed  # noqa: E402


def fill_chain(agency, count: int) -> None:
    """`count` entries appended the way record() does, in bulk (record() one by one would
    take minutes and measure the inserts, not the verifier)."""
    from django.db import transaction
    from django.utils import timezone

    from signings.models import AuditEntry
    from signings.models.audit import GENESIS_HASH
    from signings.services import audit

    chain = audit.chain_for(agency)
    prev, batch = GENESIS_HASH, []
    for seq in range(1, count + 1):
        entry = AuditEntry(at=timezone.now(), actor_label="bench", action="audit.download.recap",
                           object_type="signings.signingevent", object_id=str(seq),
                           object_repr=f"Acara {seq}", agency=agency, chain=chain, seq=seq,
                           details={"n": seq, "note": "x" * 40}, prev_hash=prev)
        entry.entry_hash = entry.compute_hash()
        prev = entry.entry_hash
        batch.append(entry)
        if len(batch) == 5000:
            with transaction.atomic():
                AuditEntry.objects.bulk_create(batch)
            batch = []
    with transaction.atomic():
        AuditEntry.objects.bulk_create(batch)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()

    from django.conf import settings

    with sealing_environment("pakta-bench-checkpoint-") as (work, base_url):
        from django.db import transaction

        from signings.models import Agency, AgencyKind
        from signings.pdf import pki, seal
        from signings.services import audit, audit_verify, checkpoints
        from signings.services.context import AuditContext

        settings.PAKTA_TSA_URL = base_url + pki.TSA_PATH
        agency = Agency.objects.create(code="BENCH", name="Pemerintah Kabupaten Bench",
                                       kind=AgencyKind.REGENCY, city="Sampit")
        chain = audit.chain_for(agency)
        context = AuditContext.system("bench")
        seal.get_signer()
        start = time.perf_counter()
        fill_chain(agency, args.entries)
        print(f"filled {args.entries} entries in {time.perf_counter() - start:.1f} s")

        def activity_then_checkpoint():
            with transaction.atomic():
                audit.record(action="audit.download.recap", agency=agency, context=context)
            start = time.perf_counter()
            made = checkpoints.make_checkpoint(chain=chain, context=context)
            return time.perf_counter() - start, made

        activity_then_checkpoint()  # warm: certificate registration, TSA session
        make_times, made = [], None
        for _ in range(args.runs):
            elapsed, made = activity_then_checkpoint()
            make_times.append(elapsed)
        read_times, stored = timed(lambda: checkpoints.read_stored(chain, made.seq), args.runs)
        assert stored.check.valid, stored.check
        size = sum((work / "media" / (made.storage_prefix + s)).stat().st_size
                   for s in (".json", ".p7s", ".tst"))
        chain_times, report = timed(
            lambda: audit_verify.verify_chain_against_checkpoint(chain), 3)
        assert not report.problems, report.problems
        entries = report.entries
        print(f"make a checkpoint (sign + TSA + 3 files + DB row + audit entry): "
              f"{ms(make_times)}")
        print(f"check a stored checkpoint (read 3 files, CMS signature, RFC 3161 token): "
              f"{ms(read_times)}")
        print(f"files per checkpoint: {size} bytes (.json + .p7s + .tst)")
        best = min(chain_times)
        print(f"verify a chain of {entries} entries against its checkpoint: {ms(chain_times)} "
              f"({best / entries * 1e6:.1f} µs per entry)")


if __name__ == "__main__":
    main()

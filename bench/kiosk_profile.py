"""Profile: what one kiosk submission costs, in-process, statement by statement.

Not a test. Run by hand from the repository root (it drops and re-creates `--db`):

    .venv/bin/python bench/kiosk_profile.py [--requests 200] [--batches 4] [--top 25]
        [--db pakta_bench_profile]

Seeds the same event as bench/kiosk_vs_floor.py, then sends `--requests` submissions through
Django's test client (the whole middleware stack and the kiosk API, no HTTP server), one at a
time, each a new person. Prints the SQL statements of one submission, the CPU per submission
of this process and of its PostgreSQL backend (from /proc), the PNG check alone, and
cProfile's most expensive functions. Serial, so it measures cost, not contention.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._kiosk_common import (  # noqa: E402
    bench_env,
    prepare,
    scratch_dir,
    signature_images,
)
from bench.kiosk_vs_floor import PAKTA_PATH, Bodies, proc_cpu  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="per batch")
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--db", default="pakta_bench_profile")
    args = parser.parse_args()

    with scratch_dir("pakta-bench-profile-") as scratch:
        env = bench_env(args.db, scratch)
        seed = prepare(env, args.db, people=args.requests * (args.batches + 1) + 300, tablets=1)
        os.environ.update(env)
        run(args, seed)


def run(args: argparse.Namespace, seed: dict) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from signings.signature_image import clean_signature_png, decode_data_url

    images = signature_images(16)
    bodies = Bodies(seed, images)
    client = Client()
    headers = {"Authorization": f"Device {seed['tokens'][0]}", "X-Kiosk-Pending": "1"}

    def send() -> int:
        body = bodies.make(new_person=True)
        assert body is not None
        return client.post(PAKTA_PATH, body, content_type="application/json",
                           headers=headers).status_code

    for _ in range(20):
        assert send() == 201
    with CaptureQueriesContext(connection) as queries:
        assert send() == 201
    print(f"{len(queries.captured_queries)} statements in one submission:")
    for n, query in enumerate(queries.captured_queries, 1):
        print(f"  {n:2d}. {' '.join(query['sql'].split())[:150]}")

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    # In batches, reporting the cheapest: other work on a shared machine only ever adds.
    batches = []
    for _ in range(args.batches):
        db0, cpu0, wall0 = proc_cpu([backend]), time.process_time(), time.perf_counter()
        for _ in range(args.requests):
            send()
        batches.append(((time.process_time() - cpu0) / args.requests * 1000,
                        (proc_cpu([backend]) - db0) / args.requests * 1000,
                        (time.perf_counter() - wall0) / args.requests * 1000))
    cpu, db, wall = (min(b[i] for b in batches) for i in range(3))
    print(f"\nper submission ({args.batches} batches of {args.requests}, serial, cheapest "
          f"batch): Python CPU {cpu:.2f} ms, PostgreSQL backend CPU {db:.2f} ms, wall "
          f"{wall:.2f} ms; load average {', '.join(f'{v:.2f}' for v in os.getloadavg())}")

    pngs = [decode_data_url(image) for image in images]
    costs = []
    for _ in range(5):
        start = time.process_time()
        for n in range(100):
            clean_signature_png(pngs[n % len(pngs)])
        costs.append((time.process_time() - start) / 100 * 1000)
    print(f"clean_signature_png alone: {min(costs):.2f} ms "
          f"({sum(map(len, pngs)) // len(pngs)} bytes per PNG)")

    profile = cProfile.Profile(time.process_time)  # CPU, not waits on the database
    profile.enable()
    for _ in range(min(args.requests, 200)):
        send()
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.top)
    print("\n" + out.getvalue())
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top * 2)
    print(out.getvalue())


if __name__ == "__main__":
    main()

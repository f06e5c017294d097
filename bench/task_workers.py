"""Benchmark the task workers: pact renders per second with 1 and 2 worker processes, on the
database queue and on RQ (Redis), as operators run them (`manage.py db_worker`,
`manage.py rqworker`).

Run by hand, never from the tests:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pakta_bench \\
        .venv/bin/python bench/task_workers.py [--pacts 60] [--workers 1 2]

It creates a throw-away test database (test_<name>), a temporary MEDIA_ROOT, CA, local TSA
(the seals are PAdES B-LTA, as in production) and a private redis-server, and removes them.
Each round: the workers start and wait, N renders are enqueued, the clock runs until every
pact is stored. The pacts are rendered again each round (their files removed first).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

from bench.seal_lta import sealing_environment  # noqa: E402

CONFIGS = {
    "db": ("db", ()),
    "rq (fork per job)": ("rq", ("--worker-class", "rq.worker.Worker")),
    "rq (SimpleWorker)": ("rq", ("--worker-class", "rq.worker.SimpleWorker")),
}


def make_signatures(n: int) -> list[int]:
    from bench.pdf_render import make_data  # the same data as the render benchmark

    event, _auditor = make_data(n)
    return list(event.signatures.values_list("pk", flat=True))


def one_round(queue, ids: list[int], workers: int, logs: Path) -> float:
    from django.db.models import Q

    from signings import jobs
    from signings.models import Signature
    from tests import task_workers

    for signature in Signature.objects.exclude(pdf=""):
        signature.pdf.delete(save=False)
    Signature.objects.update(pdf="", pdf_sha256="")
    names = [f"w{i + 1}" for i in range(workers)]
    with queue.workers(names, logs):
        start = time.perf_counter()
        for pk in ids:
            jobs.enqueue("render_signature_pdf", pk)
        task_workers.wait_until(
            lambda: not Signature.objects.filter(Q(pdf="") | Q(pdf_sha256="")).exists(),
            what="the renders", timeout=1800,
            details=lambda: "".join(task_workers.read_log(logs, n)[-2000:] for n in names))
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pacts", type=int, default=60)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    args = parser.parse_args()

    with sealing_environment("pakta-bench-workers-") as (work, tsa_base):
        from django.conf import settings
        from django.test import override_settings

        from signings.pdf import pki, seal
        from tests import task_workers

        settings.PAKTA_TSA_URL = tsa_base + pki.TSA_PATH
        settings.PAKTA_SCRATCH_DIR = work / "scratch"
        print(f"Creating {args.pacts} signatures…", flush=True)
        # No task while the data is made: each round enqueues its own.
        with override_settings(TASKS={"default": {
                "BACKEND": "django.tasks.backends.dummy.DummyBackend"}}):
            ids = make_signatures(args.pacts)
        seal.get_signer()  # the seal key exists before the workers start
        redis = task_workers.start_redis()
        try:
            print(f"{args.pacts} pacts rendered and sealed (B-LTA) per round; "
                  f"{os.cpu_count()} CPU cores, shared with the database and Redis.")
            print(f"{'backend':<20} {'workers':>7} {'seconds':>8} {'renders/s':>10}")
            for label in args.configs:
                backend, worker_args = CONFIGS[label]
                queue = task_workers.TaskQueue(backend, redis.url, worker_args)
                with override_settings(**queue.settings()):
                    queue.flush()
                    for workers in args.workers:
                        logs = Path(tempfile.mkdtemp(dir=work, prefix="logs-"))
                        elapsed = one_round(queue, ids, workers, logs)
                        print(f"{label:<20} {workers:>7} {elapsed:>8.1f} "
                              f"{args.pacts / elapsed:>10.2f}", flush=True)
        finally:
            task_workers.stop_redis(redis)


if __name__ == "__main__":
    main()

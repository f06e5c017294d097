"""Benchmark: a tablet's outbox of 20 signatures flushed one by one vs in one batch request.

Not a test. Run by hand from the repository root:

    /work/main/.venv/bin/python bench/kiosk_batch.py [--queued 20] [--rounds 15]
        [--flood-tablets 25] [--workers 4] [--db pakta_batch_bench]

Same set-up as bench/kiosk_submit.py (bench/_kiosk_common.py: database dropped and re-created,
migrated, an open event seeded with paired tablets, gunicorn with DEBUG off). Then, interleaved
round by round:

1. one tablet, idle server: the time to flush `--queued` waiting signatures as the kiosk did
   before (one POST /signatures after the other, on one keep-alive connection) and as it does
   now (one POST /signatures/batch); every round signs new people;
2. the flood when a courtyard's Wi-Fi comes back: `--flood-tablets` tablets flush `--queued`
   signatures each, at the same moment, one by one vs batched: wall time and signatures/s.

Each signature is the size the kiosk sends (a cropped drawing, 120 stroke points).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._kiosk_common import (  # noqa: E402
    bench_env,
    gunicorn,
    loadavg,
    prepare,
    scratch_dir,
    signature_images,
    strokes,
    submission,
)


class People:
    """Hands out employees nobody has signed for yet."""

    def __init__(self, employees: list[int]) -> None:
        self.left = list(employees)

    def take(self, n: int) -> list[int]:
        if len(self.left) < n:
            raise SystemExit("not enough people seeded: raise --people")
        taken, self.left = self.left[:n], self.left[n:]
        return taken


def bodies(seed: dict, employees: list[int], images: list[str], stroke_data: list) -> list[dict]:
    return [submission(seed, employee_id, images, stroke_data) for employee_id in employees]


async def flush(session, base: str, token: str, items: list[dict], batched: bool) -> float:
    """Seconds to deliver `items`; every one must come back recorded."""
    headers = {"Authorization": f"Device {token}", "Content-Type": "application/json",
               "X-Kiosk-Pending": str(len(items))}
    started = time.perf_counter()
    if batched:
        async with session.post(f"{base}/api/kios/v1/signatures/batch",
                                data=json.dumps({"items": items}), headers=headers) as response:
            data = await response.json()
        statuses = [r["http_status"] for r in data["results"]]
    else:
        statuses = []
        for item in items:
            async with session.post(f"{base}/api/kios/v1/signatures", data=json.dumps(item),
                                    headers=headers) as response:
                await response.read()
                statuses.append(response.status)
    elapsed = time.perf_counter() - started
    if statuses != [201] * len(items):
        raise SystemExit(f"unexpected answers: {statuses}")
    return elapsed


async def run(base: str, seed: dict, args: argparse.Namespace) -> dict:
    import aiohttp

    images, stroke_data = signature_images(8), strokes()
    people = People(seed["employees"])
    tokens = seed["tokens"]
    single: list[float] = []
    batch: list[float] = []
    flood: dict[bool, list[float]] = {False: [], True: []}

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session:
        # Warm-up: every worker process loads its code and connections once.
        for batched in (False, True) * args.workers:
            await flush(session, base, tokens[0],
                        bodies(seed, people.take(2), images, stroke_data), batched)
        for round_ in range(args.rounds):
            order = (False, True) if round_ % 2 == 0 else (True, False)
            for batched in order:
                items = bodies(seed, people.take(args.queued), images, stroke_data)
                took = await flush(session, base, tokens[0], items, batched)
                (batch if batched else single).append(took)

    async def one_tablet(token: str, items: list[dict], batched: bool) -> None:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session:
            await flush(session, base, token, items, batched)

    for round_ in range(args.flood_rounds):
        order = (False, True) if round_ % 2 == 0 else (True, False)
        for batched in order:
            work = [(tokens[1 + t], bodies(seed, people.take(args.queued), images, stroke_data))
                    for t in range(args.flood_tablets)]
            started = time.perf_counter()
            await asyncio.gather(*(one_tablet(token, items, batched) for token, items in work))
            flood[batched].append(time.perf_counter() - started)
    return {"single": single, "batch": batch, "flood": flood}


def describe(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    return (f"median {statistics.median(ms):7.1f} ms  min {ms[0]:7.1f}  max {ms[-1]:7.1f}  "
            f"(n={len(ms)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queued", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--flood-tablets", type=int, default=25)
    parser.add_argument("--flood-rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--db", default="pakta_batch_bench")
    args = parser.parse_args()
    needed = (args.queued * (2 * args.rounds + 2 * args.flood_rounds * args.flood_tablets)
              + 4 * args.workers + 100)

    with scratch_dir("pakta-bench-") as scratch:
        env = bench_env(args.db, scratch)
        seed = prepare(env, args.db, people=needed, tablets=args.flood_tablets + 1)
        with gunicorn(env, workers=args.workers) as (_server, port):
            load = loadavg()
            cpu_before = time.process_time()
            result = asyncio.run(run(f"http://127.0.0.1:{port}", seed, args))
            client_cpu = time.process_time() - cpu_before
    print(f"\ngunicorn {args.workers} sync workers, PostgreSQL, DEBUG off; load average "
          f"before {load}; this client used {client_cpu:.1f} s of CPU in all")
    print(f"one tablet, {args.queued} queued signatures, idle server:")
    print(f"  one by one  {describe(result['single'])}")
    print(f"  one batch   {describe(result['batch'])}")
    ratio = statistics.median(result["single"]) / statistics.median(result["batch"])
    print(f"  batch is {ratio:.2f}x faster (median); on a network each request also costs "
          f"a round trip: one by one pays {args.queued - 1} more of them")
    total = args.flood_tablets * args.queued
    print(f"flood: {args.flood_tablets} tablets x {args.queued} signatures at once "
          f"({total} signatures):")
    for batched, label in ((False, "one by one"), (True, "batched   ")):
        walls = result["flood"][batched]
        best = min(walls)
        print(f"  {label}  wall {', '.join(f'{w:.2f}' for w in walls)} s; best "
              f"{total / best:.0f} signatures/s")


if __name__ == "__main__":
    main()

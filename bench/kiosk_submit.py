"""Benchmark: many tablets submitting signatures at once to gunicorn + PostgreSQL.

Not a test. Run by hand from the repository root:

    /work/main/.venv/bin/python bench/kiosk_submit.py [--people 6000] [--tablets 50]
        [--submissions 5000] [--workers 4] [--db pakta_bench]

It creates (drops and re-creates) the database, migrates it, seeds an open event with
`--people` expected signers and `--tablets` paired tablets, starts gunicorn, and has every
tablet submit signatures through the real kiosk API concurrently (asyncio + aiohttp, one
connection per tablet, no think time). It reports signatures/s and p50/p95/p99 latency, then
times the kiosk's roster search over the event's real roster in Debian's chromium.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._kiosk_common import (  # noqa: E402
    bench_env,
    gunicorn,
    loadavg,
    percentile,
    prepare,
    scratch_dir,
    signature_images,
    strokes,
    submission,
)


async def run_load(base: str, seed: dict, submissions: int, tablets: int,
                   warmup: int) -> tuple[list[float], float, dict]:
    import aiohttp

    images = signature_images(8)
    stroke_data = strokes()
    employees = list(seed["employees"])
    random.Random(1).shuffle(employees)
    queue: asyncio.Queue = asyncio.Queue()
    for employee_id in employees[: warmup + submissions]:
        queue.put_nowait(employee_id)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    done = 0
    url = f"{base}/api/kios/v1/signatures"

    async def tablet(index: int) -> None:
        nonlocal done
        token = seed["tokens"][index]
        connector = aiohttp.TCPConnector(limit=1)
        async with aiohttp.ClientSession(connector=connector) as session:
            while True:
                try:
                    employee_id = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                body = json.dumps(submission(seed, employee_id, images, stroke_data))
                started = time.perf_counter()
                async with session.post(url, data=body, headers={
                    "Authorization": f"Device {token}", "Content-Type": "application/json",
                }) as response:
                    await response.read()
                elapsed = time.perf_counter() - started
                done += 1
                if done > warmup:
                    latencies.append(elapsed)
                    statuses[response.status] = statuses.get(response.status, 0) + 1
                    if done == warmup + 1:
                        timing["start"] = started

    timing: dict = {}
    await asyncio.gather(*(tablet(i) for i in range(tablets)))
    wall = time.perf_counter() - timing["start"]
    return latencies, wall, statuses


def browser_search(base: str, token: str) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-background-networking",
                  "--disable-component-update"])
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}/kios/")
        try:
            page.wait_for_selector("body[data-ready='1']", state="attached")
        except Exception:
            print("kiosk page did not start:", errors)
            raise
        result = page.evaluate(
            """async (token) => {
                const map = JSON.parse(
                    document.querySelector('script[type=importmap]').textContent);
                const roster = await import(map.imports['pakta-kiosk/roster']);
                let t = performance.now();
                const response = await fetch('/api/kios/v1/roster',
                                             {headers: {Authorization: 'Device ' + token}});
                const data = await response.json();
                const download = performance.now() - t;
                t = performance.now();
                const prepared = roster.prepare(data.employees);
                const prepare = performance.now() - t;
                const queries = ['s', 'si', 'sit', 'siti', 'siti r', 'rahma', 'har 49', 'budi san',
                                 'wij', 'eko 12', '1980', '19850', 'xyz'];
                roster.search(prepared, 'warm up');
                const times = [];
                for (let round = 0; round < 20; round++) {
                    for (const q of queries) {
                        const s = performance.now();
                        roster.search(prepared, q);
                        times.push(performance.now() - s);
                    }
                }
                times.sort((a, b) => a - b);
                const pick = (p) => times[
                    Math.min(times.length - 1, Math.ceil(p * times.length) - 1)];
                return {names: prepared.length, download, prepare, p50: pick(0.5), p95: pick(0.95),
                        max: times.at(-1), searches: times.length};
            }""",
            token,
        )
        browser.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=6000)
    parser.add_argument("--tablets", type=int, default=50)
    parser.add_argument("--submissions", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1,
                        help="gunicorn threads per worker (>1 uses the gthread worker, which "
                             "overlaps the commit's disk flush with other requests)")
    parser.add_argument("--db", default="pakta_bench")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    if args.warmup + args.submissions > args.people:
        parser.error("--people must cover --warmup + --submissions")

    with scratch_dir("pakta-bench-") as scratch:
        env = bench_env(args.db, scratch)
        # One tablet more than load: the browser's, for the roster search.
        seed = prepare(env, args.db, people=args.people, tablets=args.tablets + 1, static=True)
        print(f"seeded: {len(seed['employees'])} expected signers, {args.tablets} tablets")
        options = ("--threads", str(args.threads))
        with gunicorn(env, workers=args.workers, options=options) as (_server, port):
            base = f"http://127.0.0.1:{port}"
            load_before = loadavg()
            latencies, wall, statuses = asyncio.run(
                run_load(base, seed, args.submissions, args.tablets, args.warmup))
            rate = len(latencies) / wall
            ms = [v * 1000 for v in latencies]
            print(f"\n{len(latencies)} submissions from {args.tablets} concurrent tablets, "
                  f"gunicorn {args.workers} workers x {args.threads} threads, PostgreSQL; "
                  f"load average before the run {load_before}")
            print(f"statuses: {statuses}")
            print(f"throughput: {rate:.0f} signatures/s (wall {wall:.2f} s)")
            print(f"latency ms: p50 {percentile(ms, 50):.1f}  p95 {percentile(ms, 95):.1f}  "
                  f"p99 {percentile(ms, 99):.1f}  mean {statistics.mean(ms):.1f}  "
                  f"max {max(ms):.1f}")
            if not args.no_browser:
                result = browser_search(base, seed["tokens"][-1])
                print(f"\nkiosk roster search over {result['names']} names (chromium, "
                      f"{result['searches']} searches): p50 {result['p50']:.2f} ms, "
                      f"p95 {result['p95']:.2f} ms, max {result['max']:.2f} ms; roster "
                      f"download {result['download']:.0f} ms, prepare {result['prepare']:.1f} ms")


if __name__ == "__main__":
    main()

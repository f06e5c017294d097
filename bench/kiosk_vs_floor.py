"""Benchmark: Pakta's kiosk API against the bare-Django floor, side by side, in one run.

Not a test. Run by hand from the repository root (it drops and re-creates `--db`):

    .venv/bin/python bench/kiosk_vs_floor.py [--levels 8,50] [--seconds 5] [--rounds 3]
        [--workers 4] [--people 40000] [--rate R] [--db pakta_bench_floor] [--json out.json]

One gunicorn (`--workers` sync workers, DEBUG off) serves both endpoints from the same
process, database and middleware, with settings `bench.floor.settings`:

- the floor, `POST /bench/floor/signatures` (bench/floor/views.py): parse the JSON body,
  decode the base64 PNG and every pixel of it, insert one row;
- Pakta, `POST /api/kios/v1/signatures`: the real kiosk submission (device token, every check,
  the signature row, its file, the audit entry, the follow-up tasks).

Both get the same bodies: the JSON a tablet sends, each request a new submission id, and for
Pakta a new expected person (the floor gets the same shape). At each concurrency level the load
alternates between the two in rounds of `--seconds` (floor, Pakta, then Pakta, floor, ...), so
slow drifts of a shared machine hit both alike; the ratio Pakta/floor is the figure to read.

The load generator is this process: asyncio over raw sockets, one connection per tablet, no
think time (or, with `--rate`, an open loop: that many requests a second on a schedule, each
latency counted from its scheduled start), bodies joined from pre-encoded parts (about 10 µs
each). gunicorn's sync workers close the connection after every response, so each request
opens a new one, as tablets do; the latency includes the connect and the wait in the listen
queue. The client's own CPU is reported (it shares the machine's cores with the server), as are
the server's CPU per request (gunicorn workers plus their PostgreSQL backends, from /proc) and
the load average.

No task worker runs: the follow-up tasks Pakta enqueues wait in the database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
)

FLOOR_PATH = "/bench/floor/signatures"
PAKTA_PATH = "/api/kios/v1/signatures"
TICKS = os.sysconf("SC_CLK_TCK")


class Bodies:
    """Request bodies joined from pre-encoded parts: a new submission id each time and, for
    Pakta, the next person nobody has signed for yet."""

    def __init__(self, seed: dict, images: list[str]) -> None:
        now = datetime.now(UTC).isoformat()
        self.tails = [
            json.dumps({
                "image": image, "strokes": strokes(), "template_hash": seed["template_hash"],
                "client_signed_at": now, "client_sent_at": now, "agreed": True,
            })[1:].encode()
            for image in images
        ]
        employees = list(seed["employees"])
        random.Random(1).shuffle(employees)
        self.people: Iterator[int] = iter(employees)
        self.any_person = employees[0]
        self.count = 0

    def make(self, *, new_person: bool) -> bytes | None:
        employee = next(self.people, None) if new_person else self.any_person
        if employee is None:
            return None
        self.count += 1
        return (b'{"submission_id":"' + str(uuid.uuid4()).encode() + b'","employee_id":'
                + str(employee).encode() + b"," + self.tails[self.count % len(self.tails)])


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    wall: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    machine_busy: float = 0.0  # share of all cores busy during the phase
    exhausted: bool = False


async def exchange(host: str, port: int, request: bytes) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        at = lower.find(b"\r\ncontent-length:")
        if at >= 0:
            end = lower.index(b"\r\n", at + 2)
            await reader.readexactly(int(lower[at + 17:end]))
        else:
            await reader.read()
        return status
    finally:
        writer.close()


def request_bytes(path: str, body: bytes, token: str) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: Device {token}\r\nX-Kiosk-Pending: 1\r\n"
        f"X-Kiosk-Clock: {datetime.now(UTC).isoformat()}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body


async def drive(*, port: int, path: str, tokens: list[str], make: Callable[[], bytes | None],
                connections: int, seconds: float, rate: float | None = None) -> Phase:
    """Closed loop (each tablet sends again as soon as it has its answer), or with `rate` an
    open loop: the tablets together start `rate` requests a second on a fixed schedule, and a
    latency counts from the scheduled start, so waiting behind a slow answer is not hidden."""
    phase = Phase()
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()

    async def tablet(index: int) -> None:
        token = tokens[index % len(tokens)]
        scheduled = started + (index / rate if rate else 0.0)
        while scheduled < deadline and time.perf_counter() < deadline:
            if rate:
                await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            body = make()
            if body is None:
                phase.exhausted = True
                return
            request = request_bytes(path, body, token)
            begin = scheduled if rate else time.perf_counter()
            status = await exchange("127.0.0.1", port, request)
            phase.latencies.append(time.perf_counter() - begin)
            phase.statuses[status] = phase.statuses.get(status, 0) + 1
            scheduled += connections / rate if rate else 0.0

    await asyncio.gather(*(tablet(i) for i in range(connections)))
    phase.wall = time.perf_counter() - started
    return phase


def proc_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) the processes have used so far; gone ones count 0."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def machine_ticks() -> tuple[int, int]:
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class Server:
    """gunicorn's workers and their PostgreSQL backends, for the server's CPU."""

    def __init__(self, master: int, db: str) -> None:
        self.master = master
        self.db = db

    def pids(self) -> list[int]:
        workers = []
        for task in Path(f"/proc/{self.master}/task").iterdir():
            workers += [int(p) for p in (task / "children").read_text().split()]
        import psycopg2

        conn = psycopg2.connect(f"postgresql://postgres@127.0.0.1:5432/{self.db}")
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> "
                               "pg_backend_pid()", [self.db])
                backends = [row[0] for row in cursor.fetchall()]
        finally:
            conn.close()
        return workers + backends


def run_phase(*, server: Server, port: int, target: str, tokens: list[str], bodies: Bodies,
              connections: int, seconds: float, rate: float | None = None) -> Phase:
    path = PAKTA_PATH if target == "pakta" else FLOOR_PATH

    def make() -> bytes | None:
        return bodies.make(new_person=target == "pakta")

    pids = server.pids()
    cpu0, client0, (busy0, all0) = proc_cpu(pids), time.process_time(), machine_ticks()
    phase = asyncio.run(drive(port=port, path=path, tokens=tokens, make=make,
                              connections=connections, seconds=seconds, rate=rate))
    busy1, all1 = machine_ticks()
    phase.client_cpu = time.process_time() - client0
    phase.server_cpu = proc_cpu(pids) - cpu0
    phase.machine_busy = (busy1 - busy0) / max(1, all1 - all0)
    return phase


def summary(phases: list[Phase]) -> dict:
    latencies = [v * 1000 for p in phases for v in p.latencies]
    wall = sum(p.wall for p in phases)
    count = len(latencies)
    statuses: dict[int, int] = {}
    for p in phases:
        for status, n in p.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    return {
        "requests": count,
        "rate": count / wall if wall else 0.0,
        "p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99), "max": max(latencies),
        "statuses": statuses,
        "server_cpu_ms": 1000 * sum(p.server_cpu for p in phases) / count,
        "client_cpu_ms": 1000 * sum(p.client_cpu for p in phases) / count,
        "client_cores": sum(p.client_cpu for p in phases) / wall,
        "machine_busy": sum(p.machine_busy * p.wall for p in phases) / wall,
        "rounds": [round(len(p.latencies) / p.wall) for p in phases],
        "exhausted": any(p.exhausted for p in phases),
    }


def print_table(results: dict) -> None:
    print(f"\n{'conns':>5} {'target':<6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'p99 ms':>7} {'srv ms/req':>10} {'cli ms/req':>10} {'cli cores':>9} "
          f"{'busy':>5}  per round req/s")
    for level, by_target in results["levels"].items():
        for target in ("floor", "pakta"):
            s = by_target[target]
            print(f"{level:>5} {target:<6} {s['rate']:7.0f} {s['p50']:7.1f} {s['p95']:7.1f} "
                  f"{s['p99']:7.1f} {s['server_cpu_ms']:10.2f} {s['client_cpu_ms']:10.2f} "
                  f"{s['client_cores']:9.2f} {s['machine_busy']:5.0%}  {s['rounds']}"
                  + ("  (ran out of people)" if s["exhausted"] else ""))
        floor, pakta = by_target["floor"], by_target["pakta"]
        print(f"{level:>5} ratio  Pakta/floor throughput {pakta['rate'] / floor['rate']:.2f}, "
              f"p50 {pakta['p50'] / floor['p50']:.1f}x, p99 {pakta['p99'] / floor['p99']:.1f}x;"
              f" statuses floor {floor['statuses']} pakta {pakta['statuses']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--levels", default="8,50", help="concurrent connections, comma-separated")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per target and level")
    parser.add_argument("--warmup", type=float, default=1.5, help="seconds per target and level")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--people", type=int, default=40000)
    parser.add_argument("--images", type=int, default=64, help="distinct drawings")
    parser.add_argument("--db", default="pakta_bench_floor")
    parser.add_argument("--rate", type=float,
                        help="open loop: this many requests a second in all, on a schedule, "
                             "instead of each tablet sending again at once")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    levels = [int(v) for v in args.levels.split(",")]

    tablets = max(levels)
    with scratch_dir("pakta-bench-floor-") as scratch:
        env = bench_env(args.db, scratch)
        seed = prepare(env, args.db, people=args.people, tablets=tablets)
        bodies = Bodies(seed, signature_images(args.images))
        print(f"seeded: {len(seed['employees'])} expected signers, {tablets} tablets; "
              f"body {len(bodies.make(new_person=False) or b'') // 1024} KiB")
        results: dict = {"workers": args.workers, "seconds": args.seconds,
                         "rounds": args.rounds, "rate": args.rate,
                         "cores": os.cpu_count(), "load_before": loadavg(), "levels": {}}
        options = ("--backlog", "2048")
        with gunicorn(env, workers=args.workers, options=options) as (process, port):
            server = Server(process.pid, args.db)
            tokens = seed["tokens"]
            for level in levels:
                for target in ("floor", "pakta"):
                    run_phase(server=server, port=port, target=target, tokens=tokens,
                              bodies=bodies, connections=level, seconds=args.warmup,
                              rate=args.rate)
                phases: dict[str, list[Phase]] = {"floor": [], "pakta": []}
                for n in range(args.rounds):
                    order = ("floor", "pakta") if n % 2 == 0 else ("pakta", "floor")
                    for target in order:
                        phases[target].append(run_phase(
                            server=server, port=port, target=target, tokens=tokens,
                            bodies=bodies, connections=level, seconds=args.seconds,
                            rate=args.rate))
                results["levels"][level] = {t: summary(p) for t, p in phases.items()}
            results["load_after"] = loadavg()

    load = (f"open loop, {args.rate:g} requests/s in all" if args.rate
            else "closed loop, no think time")
    print(f"\ngunicorn {args.workers} sync workers, PostgreSQL, {os.cpu_count()} cores shared "
          f"with the client; {load}; {args.rounds} interleaved rounds of {args.seconds:g} s "
          f"per target and level; load average before {results['load_before']}, after "
          f"{results['load_after']}")
    print("srv ms/req: CPU of the gunicorn workers and their PostgreSQL backends per request; "
          "cli: this load generator's own CPU; busy: all cores, every process on the machine")
    print_table(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

"""Benchmark: Pakta on several app nodes and task workers against one PostgreSQL and one Redis.

Not a test. Run by hand from the repository root (it drops and re-creates `--db`):

    .venv/bin/python bench/multi_node.py [--nodes 1 2] [--tablets 50] [--signatures 400]
        [--gunicorn-workers 4] [--task-workers 2] [--race 20] [--db pakta_bench_multinode]
        [--json out.json]

What it starts, each under the same production-like environment (DEBUG off, settings
`bench.floor.settings` as every kiosk benchmark, `CACHE_URL` and `TASKS_BACKEND=rq` on one
private redis-server, one shared `MEDIA_ROOT`, one seal key, the project's local TSA):

1. for each node count N (1, then 2): N gunicorn nodes on N ports, each with
   `--gunicorn-workers` sync workers; the `--tablets` tablets spread round-robin over the nodes
   (tablet i talks to node i mod N), each sending signatures one after the other (closed loop,
   no think time, the load generator of `kiosk_vs_floor.py`) until `--signatures` are sent;
   then an outbox flood: `--race` new submissions each sent at the same moment to every node
   (or twice to the only one) and `--race` already acknowledged ones sent again likewise;
2. `--task-workers` RQ workers (`manage.py rqworker --with-scheduler`, as in production) that
   render and seal (PAdES B-LTA) every pact the signatures queued; the clock runs until the
   last pact is stored;
3. the checks: exactly once (every submission acknowledged, one signature per submission and
   per person, replays and races answered "duplicate" and never stored twice, the database
   holding exactly what the client was told), every pact rendered once (one file, one
   `signing.pdf.rendered` entry), and the audit chains (`manage.py make_audit_checkpoint --all`
   then `manage.py verify_audit_chain`, which also hashes every image and PDF).

Per node count it prints signatures/s, latency p50/p95/p99, the server's CPU per signature
(gunicorn workers, their PostgreSQL backends, Redis; from /proc), the client's own CPU and how
busy the machine was; for the workers renders/s and CPU per render (workers, PostgreSQL, TSA).
The signatures and the renders are measured apart (the queue waits in Redis meanwhile), so each
CPU figure belongs to one kind of work: docs/operations.md ("Sizing") adds them up. On a
machine with fewer cores than processes, a second node cannot add throughput: read the CPU per
signature, which is what sizing uses. Every process it starts is stopped on exit and on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._kiosk_common import (  # noqa: E402
    PYTHON,
    ROOT,
    bench_env,
    free_port,
    gunicorn,
    loadavg,
    percentile,
    prepare,
    signature_images,
    strokes,
)
from bench._multi_node_checks import (  # noqa: E402
    ACKNOWLEDGED,
    Ledger,
    exactly_once_problems,
    spread,
    stored_signatures,
)
from bench.kiosk_vs_floor import (  # noqa: E402
    PAKTA_PATH,
    exchange,
    machine_ticks,
    proc_cpu,
    request_bytes,
)

# --- the load -----------------------------------------------------------------------------------

class Outbox:
    """The tablets' bodies: each a new submission id for the next person nobody signed for yet
    (the tail of the JSON pre-encoded, as in kiosk_vs_floor.py), recorded in the ledger."""

    def __init__(self, seed: dict, images: list[str], ledger: Ledger) -> None:
        now = datetime.now(UTC).isoformat()
        self.tails = [
            json.dumps({
                "image": image, "strokes": strokes(), "template_hash": seed["template_hash"],
                "client_signed_at": now, "client_sent_at": now, "agreed": True,
            })[1:].encode()
            for image in images
        ]
        people = list(seed["employees"])
        random.Random(1).shuffle(people)
        self.people: Iterator[int] = iter(people)
        self.ledger = ledger
        self.bodies: dict[str, bytes] = {}

    def new(self, kind: str = "single") -> tuple[str, bytes] | None:
        employee = next(self.people, None)
        if employee is None:
            return None
        submission_id = str(uuid.uuid4())
        body = (b'{"submission_id":"' + submission_id.encode() + b'","employee_id":'
                + str(employee).encode() + b"," + self.tails[employee % len(self.tails)])
        self.ledger.sent(submission_id, employee, kind)
        self.bodies[submission_id] = body
        return submission_id, body


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    per_node: Counter = field(default_factory=Counter)
    wall: float = 0.0


async def closed_loop(*, ports: list[int], tokens: list[str], outbox: Outbox,
                      count: int) -> Phase:
    """Every tablet sends a new signature as soon as it has its answer, to its own node, until
    `count` are sent."""
    phase = Phase()
    budget = [count]
    started = time.perf_counter()

    async def tablet(port: int, token: str) -> None:
        while budget[0] > 0:
            budget[0] -= 1
            made = outbox.new()
            if made is None:
                raise SystemExit("Ran out of people: raise --people.")
            submission_id, body = made
            begin = time.perf_counter()
            status = await exchange("127.0.0.1", port, request_bytes(PAKTA_PATH, body, token))
            phase.latencies.append(time.perf_counter() - begin)
            phase.statuses[status] += 1
            phase.per_node[port] += 1
            outbox.ledger.answered(submission_id, status)

    await asyncio.gather(*(tablet(port, tokens[i])
                           for i, port in enumerate(spread(len(tokens), ports))))
    phase.wall = time.perf_counter() - started
    return phase


async def flood(*, ports: list[int], tokens: list[str], outbox: Outbox, race: int) -> Counter:
    """An outbox flood after the Wi-Fi comes back: `race` new submissions, each sent at the same
    moment to every node (twice to a single node), as a tablet retrying on another node before
    the first answer came; and `race` acknowledged ones sent again the same way."""
    targets = ports if len(ports) > 1 else ports * 2
    statuses: Counter = Counter()
    replays = random.Random(2).sample(sorted(outbox.bodies), min(race, len(outbox.bodies)))
    fresh = []
    for _ in range(race):
        made = outbox.new(kind="race")
        if made is None:
            raise SystemExit("Ran out of people: raise --people.")
        fresh.append(made[0])

    async def send(submission_id: str, port: int, token: str) -> None:
        body = outbox.bodies[submission_id]
        status = await exchange("127.0.0.1", port, request_bytes(PAKTA_PATH, body, token))
        statuses[status] += 1
        outbox.ledger.answered(submission_id, status)

    await asyncio.gather(*(send(sid, port, tokens[(n + k) % len(tokens)])
                           for n, sid in enumerate(fresh + replays)
                           for k, port in enumerate(targets)))
    return statuses


# --- the processes ------------------------------------------------------------------------------

def backend_pids(db: str) -> list[int]:
    import psycopg2

    conn = psycopg2.connect(f"postgresql://postgres@127.0.0.1:5432/{db}")
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> "
                           "pg_backend_pid()", [db])
            return [row[0] for row in cursor.fetchall()]
    finally:
        conn.close()


def database_bytes(db: str) -> int:
    import psycopg2

    conn = psycopg2.connect(f"postgresql://postgres@127.0.0.1:5432/{db}")
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(%s)", [db])
            return cursor.fetchone()[0]
    finally:
        conn.close()


def media_bytes(media: Path) -> dict[str, int]:
    """Bytes stored per top-level media directory (signatures, pacts, checkpoints, ...)."""
    sizes: Counter = Counter()
    for path in media.rglob("*"):
        if path.is_file():
            sizes[path.relative_to(media).parts[0]] += path.stat().st_size
    return dict(sizes)


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


@contextmanager
def redis_server() -> Iterator[tuple[subprocess.Popen, str]]:
    """A private redis-server on a free port: the queue and the cache of this run only."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("needs redis-server (apt-get install redis-server)")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="pakta-bench-redis-")
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", workdir, "--loglevel", "warning"],
                               stdout=subprocess.DEVNULL)
    try:
        wait_port(port, process)
        yield process, f"redis://127.0.0.1:{port}"
    finally:
        stop(process)
        shutil.rmtree(workdir, ignore_errors=True)


def wait_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"process {process.args[0]} ended (status {process.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing answers on port {port}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def started(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        stop(process)


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def run_env(db: str, scratch: Path, redis_url: str, tsa_port: int) -> dict[str, str]:
    """Every node's and worker's environment: one database, one Redis (queue on database 0,
    cache on 1), one media directory, one seal key, the local TSA."""
    tsa = f"http://127.0.0.1:{tsa_port}"
    return {
        **bench_env(db, scratch),
        "TASKS_BACKEND": "rq",
        "TASKS_REDIS_URL": f"{redis_url}/0",
        "CACHE_URL": f"{redis_url}/1",
        "PAKTA_STORAGE": "files",
        "PAKTA_SEAL_PKCS12": str(scratch / "seal.p12"),
        "PAKTA_DEV_SEAL_ALLOWED": "1",
        "PAKTA_DEV_PKI_DIR": str(scratch / "pki"),
        "PAKTA_DEV_TSA_BASE_URL": tsa,
        "PAKTA_TSA_URL": f"{tsa}/tsa",
        "PAKTA_PUBLIC_BASE_URL": "https://pakta.bench.invalid",
        "PAKTA_SCRATCH_DIR": str(scratch / "worker-scratch"),
        "PYTHONUNBUFFERED": "1",
    }


# --- the run ------------------------------------------------------------------------------------

def signature_round(*, env: dict[str, str], db: str, nodes: int, args: argparse.Namespace,
                    seed: dict, outbox: Outbox, redis: subprocess.Popen) -> dict:
    with ExitStack() as stack:
        masters = [stack.enter_context(gunicorn(env, workers=args.gunicorn_workers,
                                                options=("--backlog", "2048")))
                   for _ in range(nodes)]
        ports = [port for _, port in masters]
        tokens = seed["tokens"][:args.tablets]
        warm = asyncio.run(closed_loop(ports=ports, tokens=tokens, outbox=outbox,
                                       count=args.tablets * 2))
        if set(warm.statuses) - set(ACKNOWLEDGED):
            raise SystemExit(f"warm-up refused: {dict(warm.statuses)}")
        workers = [pid for process, _ in masters for pid in children(process.pid)]
        backends = backend_pids(db)
        cpu0 = (proc_cpu(workers), proc_cpu(backends), proc_cpu([redis.pid]))
        client0, (busy0, all0) = time.process_time(), machine_ticks()
        size0 = database_bytes(db)
        phase = asyncio.run(closed_loop(ports=ports, tokens=tokens, outbox=outbox,
                                        count=args.signatures))
        busy1, all1 = machine_ticks()
        grown = database_bytes(db) - size0
        client = time.process_time() - client0
        web, pg, rds = (proc_cpu(workers) - cpu0[0], proc_cpu(backends) - cpu0[1],
                        proc_cpu([redis.pid]) - cpu0[2])
        raced = asyncio.run(flood(ports=ports, tokens=tokens, outbox=outbox, race=args.race))
    count = len(phase.latencies)
    latencies = [v * 1000 for v in phase.latencies]
    return {
        "nodes": nodes, "signatures": count, "rate": count / phase.wall,
        "p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99), "statuses": dict(phase.statuses),
        "per_node": list(phase.per_node.values()),
        "web_cpu_ms": 1000 * web / count, "pg_cpu_ms": 1000 * pg / count,
        "redis_cpu_ms": 1000 * rds / count, "client_cpu_ms": 1000 * client / count,
        "client_cores": client / phase.wall, "db_kb": grown / 1024 / count,
        "machine_busy": (busy1 - busy0) / max(1, all1 - all0),
        "flood_statuses": dict(raced), "load": loadavg(),
    }


def pending_pacts(db: str, event_id: int) -> int:
    import psycopg2

    conn = psycopg2.connect(f"postgresql://postgres@127.0.0.1:5432/{db}")
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM signings_signature WHERE event_id = %s AND "
                           "(pdf = '' OR pdf_sha256 = '')", [event_id])
            return cursor.fetchone()[0]
    finally:
        conn.close()


def render_round(*, env: dict[str, str], db: str, seed: dict, args: argparse.Namespace,
                 scratch: Path, tsa: subprocess.Popen, redis: subprocess.Popen) -> dict:
    """Start the workers on the queue the signatures filled; time them until every pact is
    stored. The clock starts when every worker listens."""
    todo = pending_pacts(db, seed["event"])
    with ExitStack() as stack:
        workers = []
        for n in range(args.task_workers):
            log = scratch / f"worker-{n}.log"
            workers.append((stack.enter_context(started(
                [PYTHON, "manage.py", "rqworker", "--with-scheduler", "--name", f"bench-{n}",
                 "default"], env, log)), log))
        deadline = time.monotonic() + 120
        while not all("Listening on" in log.read_text(errors="replace") for _, log in workers):
            if time.monotonic() > deadline or any(p.poll() is not None for p, _ in workers):
                raise SystemExit("a worker did not start:\n" + "\n".join(
                    log.read_text(errors="replace")[-2000:] for _, log in workers))
            time.sleep(0.1)
        pids = [p.pid for p, _ in workers]
        cpu0 = (proc_cpu(pids), proc_cpu([tsa.pid]), proc_cpu([redis.pid]))
        pg_cpu0 = {pid: proc_cpu([pid]) for pid in backend_pids(db)}
        start, (busy0, all0) = time.perf_counter(), machine_ticks()
        left = todo
        while left:
            if time.perf_counter() - start > args.render_timeout:
                raise SystemExit(f"{left} pacts still unrendered after {args.render_timeout} s")
            time.sleep(0.5)
            left = pending_pacts(db, seed["event"])
            for pid in backend_pids(db):  # a worker's connection may open after the start
                pg_cpu0.setdefault(pid, 0.0)
        wall = time.perf_counter() - start
        busy1, all1 = machine_ticks()
        work, tsa_cpu, rds = (proc_cpu(pids) - cpu0[0], proc_cpu([tsa.pid]) - cpu0[1],
                              proc_cpu([redis.pid]) - cpu0[2])
        pg = sum(proc_cpu([pid]) - before for pid, before in pg_cpu0.items())
    return {
        "workers": args.task_workers, "pacts": todo, "seconds": wall, "rate": todo / wall,
        "worker_cpu_ms": 1000 * work / todo, "pg_cpu_ms": 1000 * pg / todo,
        "tsa_cpu_ms": 1000 * tsa_cpu / todo, "redis_cpu_ms": 1000 * rds / todo,
        "machine_busy": (busy1 - busy0) / max(1, all1 - all0), "load": loadavg(),
    }


def checks(*, env: dict[str, str], db: str, seed: dict, ledger: Ledger) -> dict:
    import psycopg2

    conn = psycopg2.connect(f"postgresql://postgres@127.0.0.1:5432/{db}")
    try:
        with conn.cursor() as cursor:
            stored = stored_signatures(cursor, seed["event"])
    finally:
        conn.close()
    problems = exactly_once_problems(ledger, stored)
    media = media_bytes(Path(env["MEDIA_ROOT"]))
    manage(env, "make_audit_checkpoint", "--all")
    verified = subprocess.run([PYTHON, "manage.py", "verify_audit_chain"], cwd=ROOT, env=env,
                              capture_output=True, text=True)
    return {"sent": len(ledger.employee), "stored": len(stored),
            "answers": sum(len(v) for v in ledger.answers.values()),
            "media_kb_per_signature": {name: round(size / 1024 / max(1, len(stored)), 1)
                                       for name, size in media.items()},
            "exactly_once_problems": problems,
            "audit_ok": verified.returncode == 0,
            "audit_report": (verified.stdout + verified.stderr).strip().splitlines()[-3:]}


def print_results(results: dict) -> None:
    print(f"\n{results['cores']} cores, shared with PostgreSQL, Redis, the TSA, this client and "
          f"whatever else runs; load average before {results['load_before']}")
    print(f"{results['tablets']} tablets round-robin over the nodes, closed loop; "
          f"{results['gunicorn_workers']} gunicorn sync workers per node")
    print(f"\n{'nodes':>5} {'sig/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
          f"{'web ms':>7} {'pg ms':>6} {'redis':>6} {'cli ms':>7} {'cli cores':>9} {'busy':>5} "
          f"{'per node':>12} {'db KB':>6}  load")
    for r in results["signing"]:
        print(f"{r['nodes']:>5} {r['rate']:6.1f} {r['p50']:7.0f} {r['p95']:7.0f} {r['p99']:7.0f} "
              f"{r['web_cpu_ms']:7.2f} {r['pg_cpu_ms']:6.2f} {r['redis_cpu_ms']:6.2f} "
              f"{r['client_cpu_ms']:7.2f} {r['client_cores']:9.2f} {r['machine_busy']:5.0%} "
              f"{'/'.join(map(str, r['per_node'])):>12} {r['db_kb']:6.1f}  {r['load']}")
    print("(CPU ms per signature: web = gunicorn workers, pg = their PostgreSQL backends; db KB: "
          "growth of the database per signature; "
          "statuses " + "; ".join(f"{r['nodes']} node(s) {r['statuses']}, flood "
                                   f"{r['flood_statuses']}" for r in results["signing"]) + ")")
    r = results["rendering"]
    print(f"\nrender + seal (B-LTA): {r['workers']} RQ workers, {r['pacts']} pacts in "
          f"{r['seconds']:.1f} s = {r['rate']:.2f} renders/s; CPU per render: workers "
          f"{r['worker_cpu_ms']:.0f} ms, PostgreSQL {r['pg_cpu_ms']:.1f} ms, TSA "
          f"{r['tsa_cpu_ms']:.1f} ms, Redis {r['redis_cpu_ms']:.1f} ms; machine busy "
          f"{r['machine_busy']:.0%}; load {r['load']}")
    c = results["checks"]
    print(f"\nexactly once: {c['sent']} submissions sent, {c['answers']} answers, {c['stored']} "
          f"signatures stored: " + ("OK" if not c["exactly_once_problems"] else
                                    f"{len(c['exactly_once_problems'])} PROBLEMS"))
    for problem in c["exactly_once_problems"][:20]:
        print(f"  {problem}")
    print(f"media per signature, KB: {c['media_kb_per_signature']}")
    print("audit chains: " + ("intact" if c["audit_ok"] else "BROKEN"))
    for line in c["audit_report"]:
        print(f"  {line}")


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--nodes", type=int, nargs="+", default=[1, 2],
                        help="node counts to measure, one after the other (default 1 2)")
    parser.add_argument("--tablets", type=int, default=50)
    parser.add_argument("--signatures", type=int, default=400,
                        help="signatures measured per node count (after 2 per tablet warm-up)")
    parser.add_argument("--race", type=int, default=20,
                        help="new and acknowledged submissions each sent to every node at once")
    parser.add_argument("--gunicorn-workers", type=int, default=4, help="per node")
    parser.add_argument("--task-workers", type=int, default=2)
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--images", type=int, default=64, help="distinct drawings")
    parser.add_argument("--render-timeout", type=float, default=1800)
    parser.add_argument("--db", default="pakta_bench_multinode")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    needed = len(args.nodes) * (args.signatures + 2 * args.tablets + args.race)
    if args.people < needed:
        parser.error(f"--people must be at least {needed}")

    # SIGTERM unwinds like Ctrl-C: every `with` below stops what it started.
    signal.signal(signal.SIGTERM, _interrupt)
    scratch = Path(tempfile.mkdtemp(prefix="pakta-bench-multinode-"))
    try:
        with ExitStack() as stack:
            redis, redis_url = stack.enter_context(redis_server())
            tsa_port = free_port()
            env = run_env(args.db, scratch, redis_url, tsa_port)
            print(f"seeding {args.people} people, {args.tablets} tablets in {args.db}…",
                  flush=True)
            seed = prepare(env, args.db, people=args.people, tablets=args.tablets)
            manage(env, "pakta_dev_pki")
            tsa = stack.enter_context(started([PYTHON, "manage.py", "pakta_tsa"], env,
                                              scratch / "tsa.log"))
            wait_port(tsa_port, tsa)
            # The seal key exists before two workers could both make it at their first pact.
            subprocess.run([PYTHON, "-c", "import django; django.setup(); "
                            "from signings.pdf import seal; seal.get_signer()"],
                           cwd=ROOT, env=env, check=True)
            ledger = Ledger()
            outbox = Outbox(seed, signature_images(args.images), ledger)
            results: dict = {"cores": os.cpu_count(), "tablets": args.tablets,
                             "gunicorn_workers": args.gunicorn_workers,
                             "load_before": loadavg(), "signing": []}
            for nodes in args.nodes:
                print(f"{nodes} node(s): {args.signatures} signatures…", flush=True)
                results["signing"].append(signature_round(
                    env=env, db=args.db, nodes=nodes, args=args, seed=seed, outbox=outbox,
                    redis=redis))
            print(f"{args.task_workers} workers rendering…", flush=True)
            results["rendering"] = render_round(env=env, db=args.db, seed=seed, args=args,
                                                scratch=scratch, tsa=tsa, redis=redis)
            results["checks"] = checks(env=env, db=args.db, seed=seed, ledger=ledger)
        print_results(results)
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2))
        if results["checks"]["exactly_once_problems"] or not results["checks"]["audit_ok"]:
            sys.exit(1)
    except KeyboardInterrupt:
        print("\ninterrupted: every process this run started is stopped", file=sys.stderr)
        sys.exit(130)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

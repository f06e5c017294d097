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
import base64
import io
import json
import math
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

SEED = r"""
import datetime, json, sys
import django
django.setup()
from signings.models import Agency, AgencyKind, Employee, EmployeeCategory, ExpectedSigner
from signings.services import events, kiosk
from signings.services.context import AuditContext
from tests import factories

people, tablets = int(sys.argv[1]), int(sys.argv[2])
top = Agency.objects.create(code="BENCH", name="Pemerintah Kabupaten Bench",
                            kind=AgencyKind.REGENCY, city="Sampit")
unit = Agency.objects.create(code="BENCH-DINAS", name="Dinas Bench",
                             kind=AgencyKind.DEPARTMENT, city="Sampit", parent=top)
officer = factories.user("hr.bench")
version = factories.template_version(top)
first = ["Siti", "Budi", "Agus", "Dewi", "Rudi", "Nur", "Eko", "Sri", "Ahmad", "Rina"]
last = ["Rahmawati", "Santoso", "Salim", "Lestari", "Hartono", "Hidayat", "Wijaya", "Saputra"]
rows = []
for i in range(people):
    birth = datetime.date(1965 + i % 30, 1 + i % 12, 1 + i % 28)
    nip = f"{birth:%Y%m%d}{2000 + i % 20}{1 + i % 12:02d}{1 + i % 2}{i % 1000:03d}"
    rows.append(Employee(name=f"{first[i % 10]} {last[i % 8]} {i}", category=EmployeeCategory.PNS,
                         nip=nip, birth_date=birth, sex="M", grade="III/a",
                         position="Analis Kebijakan", agency=unit))
seen, unique = set(), []
for row in rows:
    if row.nip not in seen:
        seen.add(row.nip)
        unique.append(row)
Employee.objects.bulk_create(unique, batch_size=2000)
as_officer = AuditContext.for_user(officer)
event = events.create_event(agency=top, details=events.NewEvent(
    template_version=version, title="Apel Bench", date=datetime.date.today(), venue="Halaman",
), context=as_officer)
event = events.open_event(event=event, context=as_officer)
tokens = []
for n in range(tablets + 1):
    code = kiosk.add_device(event=event, name=f"Tablet {n}", context=as_officer).code
    tokens.append(kiosk.pair_device(code=code, context=AuditContext.system("bench"))[1])
employees = list(ExpectedSigner.objects.filter(event=event).values_list("employee_id", flat=True))
print(json.dumps({"event": event.pk, "template_hash": version.content_hash,
                  "tokens": tokens, "employees": employees}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signature_images(count: int = 8) -> list[str]:
    """Drawings the size the kiosk sends: cropped to the ink, at most 900 px wide."""
    from PIL import Image, ImageDraw

    images = []
    rng = random.Random(7)
    for _ in range(count):
        width, height = rng.randint(420, 700), rng.randint(150, 230)
        image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
        draw = ImageDraw.Draw(image)
        phase = rng.random() * 6
        points = [(12 + i * (width - 24) / 90, height / 2 + (height / 3) * math.sin(i / 6 + phase))
                  for i in range(91)]
        draw.line(points, fill=(10, 26, 74, 255), width=4)
        out = io.BytesIO()
        image.save(out, format="PNG")
        images.append("data:image/png;base64," + base64.b64encode(out.getvalue()).decode())
    return images


def strokes() -> list:
    return [[[round(10 + i * 5.5, 1), round(80 + 30 * math.sin(i / 5), 1), i * 16]
             for i in range(120)]]


async def run_load(base: str, seed: dict, submissions: int, tablets: int,
                   warmup: int) -> tuple[list[float], float, dict]:
    import aiohttp

    images = signature_images()
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
                now = datetime.now(UTC).isoformat()
                body = json.dumps({
                    "submission_id": str(uuid.uuid4()),
                    "employee_id": employee_id,
                    "image": images[employee_id % len(images)],
                    "strokes": stroke_data,
                    "template_hash": seed["template_hash"],
                    "client_signed_at": now,
                    "client_sent_at": now,
                    "agreed": True,
                })
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


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[index]


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

    media = Path(tempfile.mkdtemp(prefix="pakta-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pakta.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
        "SECRET_KEY": "bench-only-secret",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MEDIA_ROOT": str(media / "media"),
        "PAKTA_VAR_DIR": str(media / "var"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", args.db],
                   check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", args.db], check=True)
    subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    # DEBUG off means hashed static files from a manifest, as in production.
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT,
                   env=env, check=True)
    seeded = subprocess.run([PYTHON, "-c", SEED, str(args.people), str(args.tablets)], cwd=ROOT,
                            env=env, check=True, capture_output=True, text=True)
    seed = json.loads(seeded.stdout.strip().splitlines()[-1])
    print(f"seeded: {len(seed['employees'])} expected signers, {args.tablets} tablets")

    port = free_port()
    gunicorn = subprocess.Popen(
        [str(Path(PYTHON).with_name("gunicorn")), "pakta.wsgi", "-w", str(args.workers),
         "--threads", str(args.threads),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--access-logfile", "/dev/null"],
        cwd=ROOT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        load_before = ", ".join(f"{v:.1f}" for v in os.getloadavg())
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
                  f"p95 {result['p95']:.2f} ms, max {result['max']:.2f} ms; roster download "
                  f"{result['download']:.0f} ms, prepare {result['prepare']:.1f} ms")
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=20)
        shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()

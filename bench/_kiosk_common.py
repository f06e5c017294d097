"""What the kiosk benchmarks share: a production-like environment, a seeded database, gunicorn,
the bodies a tablet sends, and the figures. Not a benchmark itself.

Every process runs with DEBUG off and the settings `bench.floor.settings`, which silence the
production evidence checks (public address, TSA, seal key): the benchmarks render and seal
nothing, and without that `manage.py migrate` refuses to start.
"""

from __future__ import annotations

import base64
import io
import json
import math
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
from collections.abc import Iterator
from contextlib import contextmanager
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
days = 30 * 365
rows = []
for i in range(people):
    # Unique NIPs: birth date from i, the serial number from how often the dates wrapped.
    birth = datetime.date(1965, 1, 1) + datetime.timedelta(days=i % days)
    nip = f"{birth:%Y%m%d}{2000 + i % 20}{1 + i % 12:02d}{1 + i % 2}{i // days:03d}"
    rows.append(Employee(name=f"{first[i % 10]} {last[i % 8]} {i}", category=EmployeeCategory.PNS,
                         nip=nip, birth_date=birth, sex="M", grade="III/a",
                         position="Analis Kebijakan", agency=unit))
Employee.objects.bulk_create(rows, batch_size=2000)
as_officer = AuditContext.for_user(officer)
event = events.create_event(agency=top, details=events.NewEvent(
    template_version=version, title="Apel Bench", date=datetime.date.today(), venue="Halaman",
), context=as_officer)
event = events.open_event(event=event, context=as_officer)
tokens = []
for n in range(tablets):
    code = kiosk.add_device(event=event, name=f"Tablet {n}", context=as_officer).code
    tokens.append(kiosk.pair_device(code=code, context=AuditContext.system("bench"))[1])
employees = list(ExpectedSigner.objects.filter(event=event).values_list("employee_id", flat=True))
print(json.dumps({"event": event.pk, "template_hash": version.content_hash,
                  "tokens": tokens, "employees": employees}))
"""


@contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    """A directory for media and var files, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def bench_env(db: str, scratch: Path) -> dict[str, str]:
    """The environment of a production-like process (DEBUG off) on database `db`."""
    (scratch / "var" / "staticfiles").mkdir(parents=True, exist_ok=True)  # no static served
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.floor.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
        # Connections live through the run, so their backends' CPU can be read from /proc.
        "CONN_MAX_AGE": "3600",
        "SECRET_KEY": "bench-only-secret",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "MEDIA_ROOT": str(scratch / "media"),
        "PAKTA_VAR_DIR": str(scratch / "var"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def prepare(env: dict[str, str], db: str, *, people: int, tablets: int,
            static: bool = False) -> dict:
    """Drop and re-create `db`, migrate it, seed an open event with `people` expected signers
    and `tablets` paired tablets; the seed's JSON (event, template_hash, tokens, employees).
    `static` collects the static files, for a benchmark that loads pages (DEBUG off serves
    hashed names from a manifest, as in production)."""
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", db],
                   check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db], check=True)
    subprocess.run([PYTHON, "manage.py", "migrate", "--run-syncdb", "-v", "0"], cwd=ROOT,
                   env=env, check=True)
    if static:
        subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT,
                       env=env, check=True)
    seeded = subprocess.run([PYTHON, "-c", SEED, str(people), str(tablets)], cwd=ROOT,
                            env=env, check=True, capture_output=True, text=True)
    return json.loads(seeded.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int,
             options: tuple[str, ...] = ()) -> Iterator[tuple[subprocess.Popen, int]]:
    """gunicorn serving `pakta.wsgi` (or what env's settings mount) with `workers` workers on a
    free port, once it accepts connections; the process and its port. Stopped afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [str(Path(PYTHON).with_name("gunicorn")), "pakta.wsgi", "-w", str(workers),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--access-logfile", "/dev/null",
         *options],
        cwd=ROOT, env=env,
    )
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        yield process, port
    finally:
        process.terminate()  # graceful: the workers finish the requests in hand
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            # Requests still queued (a load generator interrupted): quick shutdown, then kill.
            process.send_signal(signal.SIGQUIT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def signature_images(count: int) -> list[str]:
    """Drawings the size the kiosk sends: cropped to the ink, at most 900 px wide, RGBA on a
    transparent background (what a canvas's toDataURL gives)."""
    from PIL import Image, ImageDraw

    images = []
    rng = random.Random(7)
    for _ in range(count):
        width, height = rng.randint(420, 700), rng.randint(150, 230)
        image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
        draw = ImageDraw.Draw(image)
        phase, freq = rng.random() * 6, 4 + rng.random() * 4
        points = [(12 + i * (width - 24) / 90,
                   height / 2 + (height / 3) * math.sin(i / freq + phase))
                  for i in range(91)]
        draw.line(points, fill=(10, 26, 74, 255), width=4)
        out = io.BytesIO()
        image.save(out, format="PNG")
        images.append("data:image/png;base64," + base64.b64encode(out.getvalue()).decode())
    return images


def strokes() -> list:
    """One stroke of 120 points, as the kiosk records them."""
    return [[[round(10 + i * 5.5, 1), round(80 + 30 * math.sin(i / 5), 1), i * 16]
             for i in range(120)]]


def submission(seed: dict, employee_id: int, images: list[str], stroke_data: list) -> dict:
    """The JSON a tablet sends for one signature, with a new submission id."""
    now = datetime.now(UTC).isoformat()
    return {
        "submission_id": str(uuid.uuid4()),
        "employee_id": employee_id,
        "image": images[employee_id % len(images)],
        "strokes": stroke_data,
        "template_hash": seed["template_hash"],
        "client_signed_at": now,
        "client_sent_at": now,
        "agreed": True,
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[index]


def loadavg() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())

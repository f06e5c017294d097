"""The task queues under test: the database queue and RQ on Redis, each drained in the test's
own process or by real worker processes (`manage.py db_worker`, `manage.py rqworker`), the
commands docs/operations.md tells operators to run.

Redis is a private `redis-server` per test session on a free port (tests/conftest.py:
redis_server): no other test session, cache or developer's data shares it, so it can be
emptied between tests.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ("db", "rq")
RQ_BACKEND = "django_tasks_rq.RQBackend"


@dataclass(frozen=True)
class RedisServer:
    url: str
    process: subprocess.Popen
    workdir: str


def start_redis() -> RedisServer:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("The RQ task tests need Debian's redis-server (bin/test installs it: "
                           "apt-get install redis-server).")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    workdir = tempfile.mkdtemp(prefix="pakta-redis-")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", workdir, "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as probe:
                probe.sendall(b"PING\r\n")
                if probe.recv(16).startswith(b"+PONG"):
                    return RedisServer(url=f"redis://127.0.0.1:{port}/0", process=process,
                                       workdir=workdir)
        except OSError:
            time.sleep(0.05)
    process.kill()
    shutil.rmtree(workdir, ignore_errors=True)
    raise RuntimeError(f"redis-server did not answer on port {port}")


def stop_redis(server: RedisServer) -> None:
    server.process.terminate()
    server.process.wait(timeout=10)
    shutil.rmtree(server.workdir, ignore_errors=True)


@dataclass(frozen=True)
class TaskQueue:
    """One backend as the application sees it (settings) and as an operator runs it."""

    backend: str
    redis_url: str = ""
    worker_args: tuple[str, ...] = ()  # more options for each worker process

    def settings(self) -> dict:
        """What this test process (the web side that enqueues) needs for the backend."""
        if self.backend == "rq":
            return {"TASKS": {"default": {"BACKEND": RQ_BACKEND, "QUEUES": ["default"]}},
                    "RQ_QUEUES": {"default": {"URL": self.redis_url, "DEFAULT_TIMEOUT": 600}},
                    "RQ": {"JOB_CLASS": "pakta.task_queue.Job",
                           "WORKER_CLASS": "rq.worker.SimpleWorker"}}
        return {"TASKS": {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                      "QUEUES": ["default"]}}}

    def apply(self, django_settings) -> None:
        """Switch pytest-django's `settings` to the backend."""
        for name, value in self.settings().items():
            setattr(django_settings, name, value)

    def flush(self) -> None:
        if self.backend == "rq":
            import django_rq

            django_rq.get_connection("default").flushdb()

    def drain(self) -> None:
        """Run every task that is due, in this process, until the queue is empty."""
        if self.backend == "db":
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
            return
        import django_rq
        from rq.worker import SimpleWorker

        # rq installs its own SIGINT/SIGTERM handlers; pytest's come back afterwards.
        saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            django_rq.get_worker("default", worker_class=SimpleWorker).work(burst=True)
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)

    def worker_env(self) -> dict[str, str]:
        """A worker process under the same settings as this test: its test database, media,
        seal, CA and time-stamp authority."""
        db = connection.settings_dict
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "PAKTA_SCRATCH_DIR": str(settings.PAKTA_SCRATCH_DIR),
            "PAKTA_SEAL_PKCS12": str(settings.PAKTA_SEAL_PKCS12),
            "PAKTA_DEV_PKI_DIR": str(settings.PAKTA_DEV_PKI_DIR),
            "PAKTA_TSA_URL": settings.PAKTA_TSA_URL,
            "TASKS_BACKEND": self.backend,
            "PYTHONUNBUFFERED": "1",
        }
        if self.backend == "rq":
            env["TASKS_REDIS_URL"] = self.redis_url
        return env

    def worker_command(self, name: str) -> list[str]:
        manage = [sys.executable, str(ROOT / "manage.py")]
        # The production checks (public address, a real seal) would refuse the test settings.
        if self.backend == "db":
            return [*manage, "db_worker", "--skip-checks", "--no-reload", "--no-startup-delay",
                    "--interval", "0.1", "--worker-id", name, *self.worker_args]
        return [*manage, "rqworker", "--skip-checks", "--name", name, *self.worker_args,
                "default"]

    @property
    def ready_marker(self) -> str:
        return "Starting worker" if self.backend == "db" else "Listening on"

    @contextmanager
    def workers(self, names: list[str], logs: Path) -> Iterator[list[subprocess.Popen]]:
        """Worker processes, each up and waiting before this yields; stopped (SIGTERM: the
        task at hand finishes first) when it ends."""
        logs.mkdir(parents=True, exist_ok=True)
        env = self.worker_env()
        started = []
        try:
            for name in names:
                log = logs / f"{name}.log"
                with open(log, "wb") as out:
                    started.append(subprocess.Popen(self.worker_command(name), cwd=ROOT,
                                                    env=env, stdout=out,
                                                    stderr=subprocess.STDOUT))
            for name, process in zip(names, started, strict=True):
                wait_until(lambda n=name: self.ready_marker in read_log(logs, n),
                           what=f"worker {name} to start", timeout=60,
                           alive=lambda p=process: p.poll() is None,
                           details=lambda n=name: read_log(logs, n))
            yield started
        finally:
            for process in started:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in started:
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def read_log(logs: Path, name: str) -> str:
    path = logs / f"{name}.log"
    return path.read_text(errors="replace") if path.exists() else ""


def wait_until(condition: Callable[[], bool], *, what: str, timeout: float,
               alive: Callable[[], bool] = lambda: True,
               details: Callable[[], str] = lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if not alive():
            raise AssertionError(f"Gave up waiting for {what}: the process ended.\n{details()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up waiting for {what} after {timeout:.0f} s.\n"
                                 f"{details()}")
        time.sleep(0.1)


@contextmanager
def recording_enqueued() -> Iterator[list]:
    """Every TaskResult enqueued meanwhile, whichever backend: the database backend sends
    Django's signal, django-tasks-rq the one of the django-tasks package it builds on."""
    from django.tasks.signals import task_enqueued

    signals = [task_enqueued]
    try:
        from django_tasks.signals import task_enqueued as rq_task_enqueued
    except ImportError:  # pragma: no cover - the package is in requirements.txt
        pass
    else:
        signals.append(rq_task_enqueued)
    results: list = []

    def record(sender, task_result, **kwargs):
        results.append(task_result)

    for sent in signals:
        sent.connect(record, weak=False)
    try:
        yield results
    finally:
        for sent in signals:
            sent.disconnect(record)

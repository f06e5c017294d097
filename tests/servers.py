"""A real gunicorn for tests that need real worker processes and real sockets.

Started like production (`gunicorn pakta.wsgi`, several sync workers) on a socket bound here (no
port race), against pytest-django's test database, with `tests.server_settings` (the test
settings, with the cache CACHE_URL names). Its access log names the worker that served each
request, so a test can show that several workers took part.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 90  # seconds: four workers importing Django and WeasyPrint on a busy machine


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    access_log: Path

    def worker_pids(self) -> set[str]:
        """The workers that served at least one request (access log format: `pid status`)."""
        lines = self.access_log.read_text(encoding="utf-8").splitlines()
        return {line.split()[0] for line in lines if line.strip()}


def database_url_for_tests() -> str:
    """The database pytest-django made for this session, as a URL for another process."""
    cfg = connection.settings_dict
    auth = cfg["USER"] or ""
    if cfg["PASSWORD"]:
        auth += f":{cfg['PASSWORD']}"
    host = cfg["HOST"] or "127.0.0.1"
    port = cfg["PORT"] or "5432"
    return f"postgres://{auth}{'@' if auth else ''}{host}:{port}/{cfg['NAME']}"


@contextlib.contextmanager
def gunicorn(tmp_path: Path, *, workers: int, cache_url: str = "") -> Iterator[Server]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    access_log = tmp_path / f"access-{port}.log"
    access_log.touch()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.server_settings",
        "DATABASE_URL": database_url_for_tests(),
        "CACHE_URL": cache_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PAKTA_VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DEBUG": "0",
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "pakta.wsgi:application",
         "--bind", f"fd://{listener.fileno()}", "--workers", str(workers),
         "--worker-class", "sync", "--preload", "--log-level", "warning",
         "--access-logfile", str(access_log), "--access-logformat", "%(p)s %(s)s"],
        cwd=ROOT, env=env, pass_fds=[listener.fileno()],
        stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"gunicorn-{port}.err", "wb"),  # noqa: SIM115
    )
    listener.close()
    server = Server(host="127.0.0.1", port=port, access_log=access_log)
    try:
        _wait_until_serving(server, process, tmp_path / f"gunicorn-{port}.err")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_serving(server: Server, process: subprocess.Popen, errors: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {errors.read_text(errors='replace')}")
        try:
            conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
            conn.request("GET", "/v/")
            if conn.getresponse().status == 200:
                conn.close()
                # The probe is not one of the test's requests.
                server.access_log.write_text("", encoding="utf-8")
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer in {START_TIMEOUT} s: "
                       f"{errors.read_text(errors='replace')}")

"""Running the same call from several threads at once, as several gunicorn workers or task
workers would: each thread has its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def at_once(call: Callable[[], Any], count: int = 2) -> list[Any]:
    """What `call()` returned in `count` threads released together, in the order they finished
    (a thread that raised adds nothing). Each thread closes its own connection: Django opens one
    per thread, and one left open would keep the test database from being dropped."""
    barrier = threading.Barrier(count)
    results: list[Any] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(call())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results

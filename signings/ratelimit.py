"""Counting requests per client in the shared cache (CACHE_URL; see pakta/settings.py).

Every worker process counts in the same cache, with `add` (start a window, only if none runs)
then `incr` (atomic in Redis; in the database under a row lock, pakta/cache.py), never a `get`
then a `set`: two workers counting at once would both write the same number.
"""

from __future__ import annotations

from django.core.cache import cache


def hit(key: str, *, window_seconds: int) -> int:
    """Count one request under `key`; how many there were in the current window, this one
    included. The window starts at the first request and lasts `window_seconds`."""
    for _attempt in range(3):
        cache.add(key, 0, window_seconds)
        try:
            return int(cache.incr(key))
        except ValueError:
            # The window ended (or the entry was culled) between the two calls: start anew.
            continue
    # A cache that keeps nothing (DummyCache): no limit rather than no page.
    return 1

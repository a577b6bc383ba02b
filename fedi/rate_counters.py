"""Fixed-window counters: in this process on the embedded default, in Redis (shared by every
process) when REDIS_URL is set. The API's rate limits (fedi/api/ratelimit.py) and the throttles on
sign-in and password reset requests (fedi/services/throttles.py) count with them.
"""

from __future__ import annotations

import threading
import time

from flask import Flask, current_app

EXTENSION = "wren_ratelimit"
PREFIX = "wren:rl:"


class MemoryStore:
    """Fixed-window counters in this process (the embedded default)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}
        self._next_sweep = 0.0

    def hit(self, keys: list[tuple[str, int]]) -> list[int]:
        """Add one to each key (expiring after its ttl in seconds); the new counts."""
        now = time.time()
        out = []
        with self._lock:
            if now >= self._next_sweep:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
                self._next_sweep = now + 60
            for key, ttl in keys:
                count, expires = self._counts.get(key, (0, now + ttl))
                if expires <= now:
                    count, expires = 0, now + ttl
                self._counts[key] = (count + 1, expires)
                out.append(count + 1)
        return out

    def peek(self, keys: list[str]) -> list[int]:
        """The current counts, adding nothing."""
        now = time.time()
        with self._lock:
            found = [self._counts.get(key) for key in keys]
        return [
            count if count and expires > now else 0
            for count, expires in (f or (0, 0.0) for f in found)
        ]

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


class RedisStore:
    """Fixed-window counters in Redis, shared by every process."""

    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def hit(self, keys: list[tuple[str, int]]) -> list[int]:
        pipe = self.client.pipeline(transaction=True)
        for key, ttl in keys:
            pipe.incr(key)
            pipe.expire(key, ttl)
        return [int(n) for n in pipe.execute()[::2]]

    def peek(self, keys: list[str]) -> list[int]:
        return [int(n or 0) for n in self.client.mget(keys)]

    def reset(self) -> None:
        keys = list(self.client.scan_iter(match=f"{PREFIX}*", count=1000))
        if keys:
            self.client.delete(*keys)


def init_app(app: Flask) -> None:
    settings = app.config["FEDI"]
    app.extensions[EXTENSION] = (
        RedisStore(settings.REDIS_URL) if settings.REDIS_URL else MemoryStore()
    )


def store() -> MemoryStore | RedisStore:
    """The app's counters."""
    return current_app.extensions[EXTENSION]

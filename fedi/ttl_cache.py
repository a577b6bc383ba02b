"""A small per-process cache whose entries live a few seconds: for state that every request
reads and that rarely changes (checked tokens, inbound signers, account references).

Entries expire after `ttl` seconds. `clear()` (usually from a `db_watch` callback, which runs
just before the database commits) also stops caching for `quiet` seconds, so that a request
that read the old state in between cannot put it back.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    _all: weakref.WeakSet[TTLCache] = weakref.WeakSet()

    def __init__(self, ttl: float, *, max_entries: int = 10_000, quiet: float = 0.5) -> None:
        self.ttl, self.max_entries, self.quiet = ttl, max_entries, quiet
        self._entries: dict[K, tuple[float, V]] = {}
        self._lock = threading.Lock()
        self._quiet_until = 0.0
        TTLCache._all.add(self)

    @classmethod
    def clear_all(cls) -> None:
        """Empty every cache (tests counting queries start from a known state)."""
        for cache in list(cls._all):
            cache.clear()

    def get(self, key: K) -> V | None:
        found = self._entries.get(key)
        if found is None:
            return None
        if time.monotonic() >= found[0]:
            self._entries.pop(key, None)
            return None
        return found[1]

    def put(self, key: K, value: V, *, ttl: float | None = None) -> V:
        """Keep `value` for `ttl` (at most the cache's own) seconds; returns it."""
        life = self.ttl if ttl is None else min(self.ttl, ttl)
        now = time.monotonic()
        if life <= 0 or now < self._quiet_until:
            return value
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (now + life, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._quiet_until = time.monotonic() + self.quiet
            self._entries.clear()
